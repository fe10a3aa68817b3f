#!/usr/bin/env bash
# Proves that Ctrl-C during `e2e/node.sh run` leaves nothing behind: starts a run whose command waits, interrupts it
# once the nodes are up and pods run, and checks (with node.sh's own check, which fails the run) that no process, mount,
# network namespace, cgroup or iptables rule is left and the machine's sysctls are as they were. Then a run killed
# with SIGKILL, whose leftovers the next run must clean itself.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${GUIDE_E2E_NODE_WORK:-/tmp/guide-as-code-node-$(id -u)}
log=$(mktemp)
# Job control, as in a terminal: the run gets its own process group, and SIGINT is not ignored in it (a plain `&`
# would start it with SIGINT ignored, which no trap can catch).
set -m
# A pod that really runs, so containers and shims exist when the run is interrupted.
bash "$here/node.sh" run sh -c 'kubectl run hold --image=guide.local/curl:bookworm --restart=Never --command -- sleep 600 >/dev/null 2>&1;
  kubectl wait --for=condition=Ready pod/hold --timeout=120s >/dev/null 2>&1 && echo pod-running; sleep 600' >"$log" 2>&1 &
run=$!
for _ in $(seq 180); do grep -q pod-running "$log" && break; sleep 1; done
if ! grep -q pod-running "$log"; then cat "$log" >&2; echo "node-interrupt-test: the pod never ran" >&2; kill -INT -- "-$run"; wait "$run" || true; exit 1; fi
# Ctrl-C signals the whole foreground process group, not only the script.
kill -INT -- "-$run"
rc=0; wait "$run" || rc=$?
if [ "$rc" -ne 130 ]; then cat "$log" >&2; echo "node-interrupt-test: node.sh run exited $rc after Ctrl-C, not 130 (a failed cleanup check exits 1)" >&2; exit 1; fi
if pgrep -f -- "$work/" >/dev/null || ip netns list | grep -q "^guide-node-$(id -u)-" || [ -d "$work" ] \
  || ls -d /sys/fs/cgroup/*/"guide-node-$(id -u)" >/dev/null 2>&1; then
  echo "node-interrupt-test: something was left after Ctrl-C" >&2; exit 1
fi
echo "node-interrupt-test: Ctrl-C during a run with a running pod left nothing behind"

# Killed hard (SIGKILL, as a CI timeout's TERM then KILL ends it): the run's own cleanup never runs, so the next run
# must find the leftovers, clean them itself and then pass, leaving nothing.
log2=$(mktemp)
bash "$here/node.sh" run sh -c 'echo cluster-up; sleep 600' >"$log2" 2>&1 &
run=$!
for _ in $(seq 180); do grep -q cluster-up "$log2" && break; sleep 1; done
if ! grep -q cluster-up "$log2"; then cat "$log2" >&2; echo "node-interrupt-test: the cluster never came up" >&2; kill -9 -- "-$run"; exit 1; fi
kill -9 "$run"
wait "$run" 2>/dev/null || true
if ! ip netns list | grep -q "^guide-node-$(id -u)-"; then echo "node-interrupt-test: SIGKILL left nothing to clean (the case proves nothing)" >&2; exit 1; fi
next=$(bash "$here/node.sh" run true 2>&1) || { echo "$next" >&2; echo "node-interrupt-test: the run after a SIGKILL failed" >&2; exit 1; }
if ! grep -q "cleaning up what a killed run" <<<"$next"; then echo "$next" >&2; echo "node-interrupt-test: the next run did not clean up" >&2; exit 1; fi
if pgrep -f -- "$work/" >/dev/null || ip netns list | grep -q "^guide-node-$(id -u)-" || [ -d "$work" ] \
  || ls -d /sys/fs/cgroup/*/"guide-node-$(id -u)" >/dev/null 2>&1; then
  echo "node-interrupt-test: something was left after the run that followed a SIGKILL" >&2; exit 1
fi
rm -f "$log" "$log2"
echo "node-interrupt-test: a run killed with SIGKILL left namespaces behind; the next run cleaned them and passed"
