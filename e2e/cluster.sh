#!/usr/bin/env bash
# A real Kubernetes control plane on 127.0.0.1, built from Go modules: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (simulated nodes, so pods get Running with IPs), run as
# plain processes by `kwokctl --runtime binary`.
#
#   e2e/cluster.sh up      build (cached) and start; prints `export KUBECONFIG=...`
#   e2e/cluster.sh down    stop everything it started and remove its state
#   e2e/cluster.sh run CMD...   up, run CMD with KUBECONFIG set, then down (also on failure and Ctrl-C); CMD also gets
#                               GUIDE_E2E_PULUMI_ROOT (bin/pulumi) and GUIDE_E2E_PULUMI_KUBERNETES (the provider)
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

# Every process whose command line names this cluster's folder: what `down` must leave none of.
cluster_pids() {
  pgrep -f -- "$KWOK_WORKDIR/clusters/$name/" || true
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

up() {
  local bin
  prerequisites
  bin=$(bin_dir)
  mkdir -p "$work"
  if [ -f "$kubeconfig" ] && kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    echo "cluster $name already up" >&2
  else
    down >/dev/null 2>&1 || true
    mkdir -p "$work"
    # bindAddress is not a flag: only the config file keeps every component on loopback.
    cat > "$work/kwok.yaml" <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
EOF
    # kwokctl logs a JSON line per step; keep them for when something fails. The node declares ephemeral storage, as
    # real nodes do, or pods that request it (the production preset's) would never be scheduled.
    if ! "$bin/kwokctl" create cluster --name "$name" -c "$work/kwok.yaml" --runtime binary \
        --etcd-binary "$bin/etcd" --kube-apiserver-binary "$bin/kube-apiserver" \
        --kube-controller-manager-binary "$bin/kube-controller-manager" --kube-scheduler-binary "$bin/kube-scheduler" \
        --kwok-controller-binary "$bin/kwok" --kubeconfig "$kubeconfig" --wait 2m >>"$work/kwokctl.log" 2>&1 \
      || ! "$bin/kwokctl" --name "$name" scale node --replicas 1 --param '.allocatable["ephemeral-storage"]="100Gi"' >>"$work/kwokctl.log" 2>&1; then
      echo "cluster.sh: kwokctl failed:" >&2
      tail -n 30 "$work/kwokctl.log" >&2
      exit 1
    fi
    echo "cluster $name up: kube-apiserver $("$bin/kube-apiserver" --version | cut -d' ' -f2) on $(kubectl --kubeconfig "$kubeconfig" config view -o jsonpath='{.clusters[0].cluster.server}')" >&2
  fi
  local listening
  listening=$(ss -ltnpH 2>/dev/null | grep -E '"(etcd|kube-[a-z-]+|kwok-controller)"' | awk '{print $4}' | grep -v -E '^(127\.0\.0\.1|\[::1\]):' || true)
  if [ -n "$listening" ]; then
    echo "cluster.sh: a component listens beyond loopback: $listening" >&2
    down
    exit 1
  fi
  echo "export KUBECONFIG=$kubeconfig"
}

down() {
  local pids bin
  pids=$(cluster_pids)
  bin=$(bin_dir 2>/dev/null || true)
  if [ -n "$bin" ] && [ -d "$KWOK_WORKDIR/clusters/$name" ]; then
    "$bin/kwokctl" delete cluster --name "$name" >/dev/null 2>&1 || echo "cluster.sh: kwokctl delete failed; stopping the processes" >&2
  fi
  # kwokctl returns before its processes are gone: wait, then make sure.
  for pid in $pids; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
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
  *) echo "usage: e2e/cluster.sh up|down|run CMD..." >&2; exit 2 ;;
esac
