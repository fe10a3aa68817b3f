#!/usr/bin/env bash
# `npm run e2e`: every end-to-end suite, each harness's prerequisites checked first (so a missing one fails in seconds,
# named with what to install). To keep a warm run near 15 min, what shares nothing with the control-plane suites runs
# beside them at lower priority (nice 10): e2e/node-interrupt-test.sh (the node harness's own cleanup), then the
# API-server matrix (test/e2e-apiservers/: e2e/cluster.sh matrix, on 127.0.0.1 with ports and state of its own). The
# control-plane suites (test/e2e/: e2e/cluster.sh run, with e2e/state-db.sh's PostgreSQL) wait on engines and API
# servers about half the time and measure nothing. The suites on the two real nodes (test/e2e-node/) run after them,
# alone: they count dropped requests, and with the matrix beside them a drain once reset 3 connections (a starved
# kube-proxy updates its rules after the preStop window). The side lane's output is printed when it ends, so each log
# reads in order; the run fails if any part does.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.."

bash e2e/cluster.sh check
bash e2e/node.sh check
bash e2e/state-db.sh check

side_log=$(mktemp)
trap 'rm -f "$side_log"' EXIT

# Runs "$@" while `side` ($1, a command string) runs niced beside it; fails if either fails.
beside() {
  local side=$1 main_status=0 side_status=0 pid
  shift
  # With job control on, the side lane gets a process group of its own and keeps SIGINT (a plain `&` would start it
  # with SIGINT ignored, which the node interrupt test's runs then cannot be stopped by): Ctrl-C is passed on to it.
  set -m
  nice -n 10 bash -c "$side" >"$side_log" 2>&1 &
  pid=$!
  set +m
  trap 'kill -INT -- "-$pid" 2>/dev/null || true' INT TERM
  "$@" || main_status=$?
  wait "$pid" || side_status=$?
  trap - INT TERM
  cat "$side_log"
  if [ "$main_status" -ne 0 ]; then echo "e2e/suites.sh: failed (exit $main_status): $*" >&2; fi
  if [ "$side_status" -ne 0 ]; then echo "e2e/suites.sh: failed (exit $side_status, its log above): $side" >&2; fi
  [ "$main_status" -eq 0 ] && [ "$side_status" -eq 0 ]
}

beside 'bash e2e/node-interrupt-test.sh && bash e2e/cluster.sh matrix npx jest -c test/e2e-apiservers/jest.config.js' \
  bash e2e/cluster.sh run bash e2e/state-db.sh run \
  sh -c 'npx jest -c test/e2e/jest.config.js && npx jest -c test/e2e/jest.alone.config.js'
bash e2e/node.sh run npx jest -c test/e2e-node/jest.config.js
