#!/usr/bin/env bash
# A real Kubernetes control plane on 127.0.0.1, built from Go modules: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (simulated nodes, so pods get Running with IPs), run as
# plain processes by `kwokctl --runtime binary`, and kube-router's load-balancer allocator, which gives each
# LoadBalancer Service an address of 10.201.0.64/26 (data only here, like kwok's pod IPs: nothing dials them).
#
#   e2e/cluster.sh up      build (cached) and start; prints `export KUBECONFIG=...`
#   e2e/cluster.sh down    stop everything it started and remove its state
#   e2e/cluster.sh run CMD...   up, run CMD with KUBECONFIG set, then down (also on failure and Ctrl-C); CMD also gets
#                               GUIDE_E2E_PULUMI_ROOT (bin/pulumi) and GUIDE_E2E_PULUMI_KUBERNETES (the provider)
#   e2e/cluster.sh matrix CMD...  the API-server matrix: etcd and a kube-apiserver of each supported minor (the
#                               cluster's and e2e/apiservers/*), no controllers, on ports from $GUIDE_E2E_MATRIX_PORTS
#                               (default 31000), state in $GUIDE_E2E_WORK-apiservers, then CMD with GUIDE_E2E_APISERVERS
#                               set to `<version>=<kubeconfig>` pairs, then down
#
# State lives in $GUIDE_E2E_WORK (default: /tmp/guide-as-code-e2e-$UID), outside the repo.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${GUIDE_E2E_WORK:-/tmp/guide-as-code-e2e-$(id -u)}
name=guide-e2e
export KWOK_WORKDIR=$work/kwok
kubeconfig=$work/kubeconfig

bin_dir() {
  "$here/build.sh" cluster | sed -n 's/^cluster=//p'
}

# The addresses the allocator hands out on this control plane.
loadbalancer_cidr=10.201.0.64/26
# The matrix's first port: four per API server (etcd's peer and client ports, the API server's, one kwokctl reserves).
matrix_ports=${GUIDE_E2E_MATRIX_PORTS:-31000}

# Every process whose command line names cluster $1's folder: what `down` must leave none of.
cluster_pids() {
  pgrep -f -- "$KWOK_WORKDIR/clusters/$1/" || true
}

# What the control plane needs from the machine, checked before any build: each named with what to install.
prerequisites() {
  local missing=() pair
  for pair in go:"Go 1.26 (https://go.dev/dl, or the golang-go Debian package)" kubectl:"kubectl" pgrep:"the Debian package procps" \
      ss:"the Debian package iproute2"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "cluster.sh: missing: $(IFS=';'; echo "${missing[*]}")" >&2
    exit 1
  fi
}

# kwokctl's settings for cluster $1, into $work/kwok-$1.yaml. bindAddress is not a flag: only the config file keeps
# every component on loopback. With a port $2, the cluster takes $2 to $2+3 instead of kwokctl's own choice, which
# counts down from 32767 and so would pick what another kwokctl's cluster took (the matrix starts beside the control
# plane, and a stopped API server's port looks free).
write_kwok_config() {
  local cluster=$1 port=${2:-}
  mkdir -p "$work"
  {
    printf 'apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions:\n  runtime: binary\n  bindAddress: 127.0.0.1\n'
    if [ -n "$port" ]; then
      printf '  etcdPeerPort: %s\n  etcdPort: %s\n  kubeApiserverPort: %s\n  kwokControllerPort: %s\n' \
        "$port" "$((port + 1))" "$((port + 2))" "$((port + 3))"
    fi
  } > "$work/kwok-$cluster.yaml"
}

# Creates cluster $1 with its kubeconfig at $2 and kube-apiserver $3: `full` ($4) is the whole control plane with one
# simulated node, `apiserver` only etcd and the API server. kwokctl logs a JSON line per step into $work, kept for
# when something fails.
create_cluster() {
  local cluster=$1 config=$2 apiserver=$3 components=$4 bin log
  bin=$(bin_dir)
  log=$work/kwokctl-$cluster.log
  local args=(create cluster --name "$cluster" -c "$work/kwok-$cluster.yaml" --runtime binary --etcd-binary "$bin/etcd"
    --kube-apiserver-binary "$apiserver" --kubeconfig "$config" --wait 2m)
  if [ "$components" = full ]; then
    args+=(--kube-controller-manager-binary "$bin/kube-controller-manager" --kube-scheduler-binary "$bin/kube-scheduler"
      --kwok-controller-binary "$bin/kwok")
  else
    args+=(--components "etcd,kube-apiserver")
  fi
  # The node declares ephemeral storage, as real nodes do, or pods that request it (the production preset's) would
  # never be scheduled.
  if ! "$bin/kwokctl" "${args[@]}" >>"$log" 2>&1 \
    || { [ "$components" = full ] && ! "$bin/kwokctl" --name "$cluster" scale node --replicas 1 \
      --param '.allocatable["ephemeral-storage"]="100Gi"' >>"$log" 2>&1; }; then
    echo "cluster.sh: kwokctl failed for $cluster:" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  echo "cluster $cluster up: kube-apiserver $("$apiserver" --version | cut -d' ' -f2) on $(kubectl --kubeconfig "$config" config view -o jsonpath='{.clusters[0].cluster.server}')" >&2
}

# kube-router's load-balancer allocator alone (e2e/kube-router/, as the real nodes run it beside the firewall), a
# client of the API server that listens on nothing; stopped by down through its pid file.
start_allocator() {
  local kube_router
  kube_router=$("$here/build.sh" netpol | sed -n 's/^kube-router=//p')
  [ -n "$kube_router" ] || return 1
  POD_NAMESPACE=kube-system POD_NAME=guide-e2e-allocator "$kube_router/kube-router" --kubeconfig="$kubeconfig" \
    --run-firewall=false --run-loadbalancer=true --loadbalancer-ip-range="$loadbalancer_cidr" --run-router=false \
    --run-service-proxy=false --metrics-port=0 --health-port=0 </dev/null >"$work/allocator.log" 2>&1 &
  echo $! > "$work/allocator.pid"
  # It elects itself leader through a Lease before it allocates anything.
  for _ in $(seq 60); do
    if kubectl --kubeconfig "$kubeconfig" -n kube-system get lease kube-router-lballoc >/dev/null 2>&1; then
      echo "load-balancer allocator up: kube-router, addresses of $loadbalancer_cidr" >&2
      return 0
    fi
    kill -0 "$(cat "$work/allocator.pid")" 2>/dev/null || break
    sleep 0.5
  done
  echo "cluster.sh: kube-router's load-balancer allocator did not take its lease:" >&2
  tail -n 20 "$work/allocator.log" >&2
  return 1
}

# Refuses (and stops everything) when any component listens beyond loopback.
loopback_only() {
  local listening
  listening=$(ss -ltnpH 2>/dev/null | grep -E '"(etcd|kube-[a-z-]+|kwok-controller)"' | awk '{print $4}' | grep -v -E '^(127\.0\.0\.1|\[::1\]):' || true)
  if [ -n "$listening" ]; then
    echo "cluster.sh: a component listens beyond loopback: $listening" >&2
    down
    exit 1
  fi
}

up() {
  prerequisites
  if [ -f "$kubeconfig" ] && kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    echo "cluster $name already up" >&2
  else
    down >/dev/null 2>&1 || true
    write_kwok_config "$name"
    create_cluster "$name" "$kubeconfig" "$(bin_dir)/kube-apiserver" full || exit 1
    start_allocator || { down; exit 1; }
  fi
  loopback_only
  echo "export KUBECONFIG=$kubeconfig"
}

# The kube-apiserver binaries of the matrix, one per line: the cluster's and each of e2e/apiservers/ (built, cached).
matrix_apiservers() {
  local apiservers
  apiservers=$("$here/build.sh" apiservers) || return 1
  echo "$(bin_dir)/kube-apiserver"
  echo "$apiservers" | sed -n 's/^apiserver-[0-9.]*=\(.*\)$/\1\/kube-apiserver/p'
}

# One API server per supported minor, one after the other (side by side they would share the two cores), each on
# ports of its own from $matrix_ports; prints `export GUIDE_E2E_APISERVERS=...` with `<version>=<kubeconfig>` pairs,
# oldest first.
matrix_up() {
  local apiserver version cluster pairs=() binaries port=$matrix_ports
  prerequisites
  down >/dev/null 2>&1 || true
  binaries=$(matrix_apiservers) || exit 1
  for apiserver in $binaries; do
    version=$("$apiserver" --version | cut -d' ' -f2)
    cluster=guide-apiserver-$(echo "${version#v}" | cut -d. -f1,2 | tr . -)
    write_kwok_config "$cluster" "$port"
    port=$((port + 4))
    create_cluster "$cluster" "$work/$cluster.kubeconfig" "$apiserver" apiserver || { down; exit 1; }
    pairs+=("${version#v}=$work/$cluster.kubeconfig")
  done
  loopback_only
  echo "export GUIDE_E2E_APISERVERS='$(printf '%s\n' "${pairs[@]}" | sort -V | tr '\n' ' ' | sed 's/ $//')'"
}

# Stops every cluster of $work (the control plane's, the matrix's) and the allocator, and removes their state.
down() {
  local bin cluster dir pids allocator
  if [ -f "$work/allocator.pid" ]; then
    allocator=$(cat "$work/allocator.pid")
    kill "$allocator" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$allocator" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$allocator" 2>/dev/null || true
  fi
  bin=$(bin_dir 2>/dev/null || true)
  for dir in "$KWOK_WORKDIR"/clusters/*/; do
    [ -d "$dir" ] || continue
    cluster=$(basename "$dir")
    pids=$(cluster_pids "$cluster")
    if [ -n "$bin" ]; then
      "$bin/kwokctl" delete cluster --name "$cluster" >/dev/null 2>&1 || echo "cluster.sh: kwokctl delete failed for $cluster; stopping the processes" >&2
    fi
    # kwokctl returns before its processes are gone: wait, then make sure.
    for pid in $pids; do
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    done
  done
  rm -rf "$work"
}

case ${1:-} in
  check) prerequisites ;;
  up) up ;;
  down) down ;;
  run)
    shift
    # The Pulumi engine the suite drives: the CLI and the Kubernetes provider, at the lockfile's versions.
    engine_env=$("$here/build.sh" engine-env) || exit 1
    eval "$engine_env"
    trap 'down' EXIT
    trap 'exit 130' INT TERM
    eval "$(up)"
    "$@"
    ;;
  matrix)
    shift
    # State of its own, so the matrix can run beside `run` (npm run e2e starts both).
    work=$work-apiservers
    KWOK_WORKDIR=$work/kwok
    trap 'down' EXIT
    trap 'exit 130' INT TERM
    eval "$(matrix_up)"
    "$@"
    ;;
  *) echo "usage: e2e/cluster.sh check|up|down|run CMD...|matrix CMD..." >&2; exit 2 ;;
esac
