#!/usr/bin/env bash
# Proves that a run of `e2e/node.sh run` leaves nothing behind however it ends. First a run killed with SIGKILL (as a
# CI timeout's TERM then KILL ends it), whose own cleanup never runs: the next run must clean its leftovers itself.
# That next run starts a pod and is then interrupted with Ctrl-C; node.sh's own check (which fails the run) and this
# script then check that no process, mount, network namespace, cgroup or iptables rule is left and the machine's
# sysctls are as they were.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A cluster of its own (GUIDE_E2E_NODE_INSTANCE): what it kills and cleans up is its own, never the suites' cluster.
export GUIDE_E2E_NODE_INSTANCE=interrupt
unset GUIDE_E2E_NODE_WORK
work=/tmp/guide-as-code-node-$(id -u)-$GUIDE_E2E_NODE_INSTANCE
prefix=guide-node-$(id -u)-$GUIDE_E2E_NODE_INSTANCE
killed_log=$(mktemp)
log=$(mktemp)
trap 'rm -f "$killed_log" "$log"' EXIT
# Job control, as in a terminal: each run gets its own process group, and SIGINT is not ignored in it (a plain `&`
# would start it with SIGINT ignored, which no trap can catch).
set -m

left_behind() {
  pgrep -f -- "$work/" >/dev/null || ip netns list | grep -q "^$prefix-" || [ -d "$work" ] \
    || ls -d /sys/fs/cgroup/*/"$prefix" >/dev/null 2>&1
}

bash "$here/node.sh" run sh -c 'echo cluster-up; sleep 600' >"$killed_log" 2>&1 &
run=$!
for _ in $(seq 180); do grep -q cluster-up "$killed_log" && break; sleep 1; done
if ! grep -q cluster-up "$killed_log"; then cat "$killed_log" >&2; echo "node-interrupt-test: the cluster never came up" >&2; kill -9 -- "-$run"; exit 1; fi
kill -9 "$run"
wait "$run" 2>/dev/null || true
if ! ip netns list | grep -q "^$prefix-"; then echo "node-interrupt-test: SIGKILL left nothing to clean (the case proves nothing)" >&2; exit 1; fi

# A pod that really runs, so containers and shims exist when the run is interrupted.
bash "$here/node.sh" run sh -c 'kubectl run hold --image=guide.local/curl:bookworm --restart=Never --command -- sleep 600 >/dev/null 2>&1;
  kubectl wait --for=condition=Ready pod/hold --timeout=120s >/dev/null 2>&1 && echo pod-running; sleep 600' >"$log" 2>&1 &
run=$!
for _ in $(seq 180); do grep -q pod-running "$log" && break; sleep 1; done
if ! grep -q pod-running "$log"; then cat "$log" >&2; echo "node-interrupt-test: the pod never ran" >&2; kill -INT -- "-$run"; wait "$run" || true; exit 1; fi
if ! grep -q "cleaning up what a killed run" "$log"; then cat "$log" >&2; echo "node-interrupt-test: the run after a SIGKILL did not clean up first" >&2; kill -INT -- "-$run"; wait "$run" || true; exit 1; fi
echo "node-interrupt-test: a run killed with SIGKILL left namespaces behind; the next run cleaned them first and ran"
# Ctrl-C signals the whole foreground process group, not only the script.
kill -INT -- "-$run"
rc=0; wait "$run" || rc=$?
if [ "$rc" -ne 130 ]; then cat "$log" >&2; echo "node-interrupt-test: node.sh run exited $rc after Ctrl-C, not 130 (a failed cleanup check exits 1)" >&2; exit 1; fi
if left_behind; then echo "node-interrupt-test: something was left after Ctrl-C" >&2; exit 1; fi
echo "node-interrupt-test: Ctrl-C during a run with a running pod left nothing behind"
