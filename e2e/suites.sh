#!/usr/bin/env bash
# `npm run e2e`: every end-to-end suite, in lanes, each on the harness it needs; every harness's prerequisites are
# checked first (so a missing one fails in seconds, named with what to install).
#
#   npm run e2e                                   every lane; one summary line per lane; fails if any lane failed
#   npm run e2e -- <suite file or folder> [jest options]
#                                                 that suite alone, on its lane's harness, e.g.
#                                                 npm run e2e -- test/e2e-node/autoscaling.e2e.test.ts -t control
#
# The lanes, and the harness each runs on:
#   nodes            e2e/node.sh run (two real nodes): test/e2e-node/, one at a time
#   control-plane    e2e/cluster.sh run + e2e/state-db.sh run (kwok, PostgreSQL): test/e2e/, two at a time, then the
#                    suites of test/e2e/alone.js one at a time
#   node-interrupt   e2e/node-interrupt-test.sh: the node harness's own cleanup, interrupted and killed (a cluster of
#                    its own, GUIDE_E2E_NODE_INSTANCE=interrupt)
#   apiserver-matrix e2e/cluster.sh matrix (a kube-apiserver of each supported minor): test/e2e-apiservers/
# The lanes run one after another, each with the machine to itself. On two cores they do not fit side by side: with
# the others beside it, even at nice 19 or with a tenth of the nodes lane's CPU weight, the nodes lane's nginx pods
# failed their readiness probes and dropped requests (a starved kube-proxy once applied a drain's endpoint removal
# after the preStop window), and the control-plane lane's engines and kwok ran past their timeouts. A lane runs whether
# or not another passed.
#
# The variables the scripts hand the suites (GUIDE_E2E_*) are listed in docs/testing.md, "The e2e variables".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.." || exit 1

# A lane's command: `lane_<name, - as _> [jest arguments]`.
lane_control_plane() {
  if [ "$#" -eq 0 ]; then
    bash e2e/cluster.sh run bash e2e/state-db.sh run \
      sh -c 'npx jest -c test/e2e/jest.config.js && npx jest -c test/e2e/jest.alone.config.js'
    return
  fi
  # A suite of test/e2e/alone.js runs under the config that runs it alone.
  local config=test/e2e/jest.config.js
  if node -e 'process.exit(require("./test/e2e/alone.js").some((f) => process.argv[1].endsWith(f)) ? 0 : 1)' "$1"; then
    config=test/e2e/jest.alone.config.js
  fi
  bash e2e/cluster.sh run bash e2e/state-db.sh run npx jest -c "$config" "$@"
}
lane_node_interrupt() { bash e2e/node-interrupt-test.sh; }
lane_apiserver_matrix() { bash e2e/cluster.sh matrix npx jest -c test/e2e-apiservers/jest.config.js "$@"; }
lane_nodes() { bash e2e/node.sh run npx jest -c test/e2e-node/jest.config.js "$@"; }

# The prerequisites of a lane's harnesses.
check_lane() {
  case $1 in
    control-plane) bash e2e/cluster.sh check && bash e2e/state-db.sh check ;;
    apiserver-matrix) bash e2e/cluster.sh check ;;
    node-interrupt | nodes) bash e2e/node.sh check ;;
  esac
}

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT

# Runs lane $1 (with jest arguments after it) and writes its summary line; returns its status.
run_lane() {
  local name=$1 started=$SECONDS status=0
  shift
  "lane_${name//-/_}" "$@" || status=$?
  if [ "$status" -eq 0 ]; then
    echo "e2e: lane $name passed in $((SECONDS - started)) s" >>"$summary"
  else
    echo "e2e: lane $name FAILED (exit $status) in $((SECONDS - started)) s" >>"$summary"
  fi
  return "$status"
}

finish() {
  echo >&2
  cat "$summary" >&2
  ! grep -q FAILED "$summary"
}

# One suite (or a folder of them): its lane from its path.
if [ "$#" -gt 0 ]; then
  case $1 in
    test/e2e-node/* | test/e2e-node) lane=nodes ;;
    test/e2e-apiservers/* | test/e2e-apiservers) lane=apiserver-matrix ;;
    test/e2e/* | test/e2e) lane=control-plane ;;
    *) echo "e2e/suites.sh: $1 is not under test/e2e/, test/e2e-apiservers/ or test/e2e-node/: name a suite file or folder" >&2; exit 2 ;;
  esac
  [ -e "$1" ] || { echo "e2e/suites.sh: $1 does not exist" >&2; exit 2; }
  check_lane "$lane" || exit 1
  # The lane's folder alone means every suite of it: jest gets no path.
  case $1 in test/e2e-node | test/e2e-node/ | test/e2e-apiservers | test/e2e-apiservers/ | test/e2e | test/e2e/) shift ;; esac
  run_lane "$lane" "$@"
  finish
  exit
fi

for lane in control-plane apiserver-matrix nodes; do check_lane "$lane" || exit 1; done

# Ctrl-C reaches the running lane (its harness stops what it started) and ends the run after it.
interrupted=false
trap 'interrupted=true' INT TERM
for lane in control-plane apiserver-matrix node-interrupt nodes; do
  [ "$interrupted" = false ] || break
  run_lane "$lane" || true
done
finish
