#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# A real Kubernetes cluster that runs containers on two nodes (or N), built from Go modules and Debian packages. The
# control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) has a network namespace of its own, and
# so has each node, with a private mount namespace too: its containerd (with Debian's runc), kubelet, kube-proxy
# (iptables), the CNI bridge, and kube-router's firewall as the NetworkPolicy enforcer (iptables and ipset rules that
# exist only in that node's network namespace) and its load-balancer allocator. CoreDNS runs as pods in kube-system
# behind the kube-dns Service (e2e/cluster-dns.yaml), and metrics-server (its own manifests, from its module) serves
# the kubelets' resource metrics through the API server's aggregation layer to the controller manager's HPA
# controller. A client outside the nodes has a namespace of its own. The control plane, each node and the command of
# `run` each have a CPU cgroup of equal weight, as separate machines would (e2e/node/processes.sh, cgroups).
#
#   e2e/node.sh up [--nodes N]          build (cached) and start N nodes (default 2); prints the variables a command
#                                       needs to reach them
#   e2e/node.sh down                    stop everything, remove the namespaces, cgroups and state, check nothing is left
#   e2e/node.sh check                   only check the prerequisites (npm run e2e does first, so it fails in seconds)
#   e2e/node.sh lose N                  kill every process of node N at once, as a power loss would (a test's fault)
#   e2e/node.sh run [--nodes N] CMD...  up, run CMD inside node 1's network namespace, then down (also on failure and
#                                       Ctrl-C)
#
# Addresses exist only inside the namespaces; nothing is routed to the machine's interfaces. The control plane's
# namespace holds the bridge every node is joined to (10.200.0.1, the API server); node N is 10.200.0.(N+1) with pods
# in 10.244.N.0/24, routed directly to the other nodes' pod subnets (no overlay, no masquerade between pods); Services
# 10.96.0.0/24. LoadBalancer Services get addresses of 10.201.0.16/28 from kube-router's allocator (the nodes elect one
# through a Lease), and the client (10.200.0.250, on the bridge) routes that range to the nodes, one route with a
# next hop per node, as BGP from the nodes would install it. Each mount namespace has its own /run, /var/lib and /var/log, so the
# fixed paths the node's software writes never reach the machine's. State lives in $GUIDE_E2E_NODE_WORK (default
# /tmp/guide-as-code-node-$UID). Needs root, and Debian's runc, iptables, ipset and conntrack (checked first).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Each cluster of this harness has a name of its own, so two can run side by side without touching each other's
# namespaces, cgroups or state (the interrupt test's kills and cleanups leave a cluster a contributor has up alone).
instance=${GUIDE_E2E_NODE_INSTANCE:-suites}
[[ "$instance" =~ ^[a-z][a-z0-9]{0,11}$ ]] || { echo "node.sh: GUIDE_E2E_NODE_INSTANCE \"$instance\" is not 1-12 lower-case letters and digits" >&2; exit 2; }
work=${GUIDE_E2E_NODE_WORK:-/tmp/guide-as-code-node-$(id -u)-$instance}
# Every namespace of a run is named guide-node-<uid>-<instance>-<part>: -cp for the control plane, -1, -2, ... for the
# nodes, -client for the client outside them.
netns_prefix=guide-node-$(id -u)-$instance
cgroup_root=guide-node-$(id -u)-$instance
host_before=/tmp/guide-node-host-before-$(id -u)-$instance
# What /run/netns was before the first cluster of this harness (any instance) made it.
run_netns_record=/tmp/guide-node-run-netns-before-$(id -u)
cp_ip=10.200.0.1
pod_range=10.244.0.0/16
service_cidr=10.96.0.0/24
# The kube-dns Service's address (e2e/cluster-dns.yaml), the kubelet's clusterDNS.
cluster_dns=10.96.0.10
# How often the controller manager's HPA controller reconciles (its default is 15 s): a third of it, so the
# autoscaling suite sees each decision sooner; the decisions themselves are the controller's own.
hpa_sync_period=5s
# What kube-router's load-balancer allocator hands out, and the client outside the nodes that reaches it.
loadbalancer_cidr=10.201.0.16/28
client_ip=10.200.0.250

# Node N's name, address, pod subnet, folder, network namespace and cgroup (below the run's cgroup root).
node_name() { echo "guide-node-$1"; }
node_ip() { echo "10.200.0.$(($1 + 1))"; }
pod_cidr() { echo "10.244.$1.0/24"; }
node_dir() { echo "$work/nodes/$1"; }
netns_file() { echo "/run/netns/$netns_prefix-$1"; }
node_count() { cat "$work/node-count"; }

# The machine's own settings that the node's processes would change if they were not contained; compared after down.
host_sysctls=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables)

log() { echo "node.sh: $*" >&2; }

# One file per concern, as kind's create actions are: PKI, node configuration, network, processes, add-ons.
# shellcheck source=node/pki.sh
. "$here/node/pki.sh"
# shellcheck source=node/configs.sh
. "$here/node/configs.sh"
# shellcheck source=node/network.sh
. "$here/node/network.sh"
# shellcheck source=node/processes.sh
. "$here/node/processes.sh"
# shellcheck source=node/addons.sh
. "$here/node/addons.sh"

host_state() {
  local s
  for s in "${host_sysctls[@]}"; do echo "$s=$(sysctl -n "$s" 2>/dev/null || echo unset)"; done
  echo "--- iptables"; iptables-save 2>/dev/null | grep -v '^#' || true
  echo "--- links"; ip -o link show | awk -F': ' '{print $2}' | sort
  # Namespaces of this harness come and go with its clusters (another instance's too); run_netns checks this one's.
  echo "--- mounts"; awk '{print $5}' /proc/self/mountinfo | { grep -v '^/run/netns\(/\|$\)' || true; } | sort
  echo "--- netns"; ip netns list 2>/dev/null | { grep -v "^guide-node-$(id -u)-" || true; } | sort
  # kube-router's sets and rules belong to the node's network namespace; none may appear in the machine's.
  echo "--- ipsets"; ipset list -n 2>/dev/null | sort || true
  # Fixed paths kubelet, containerd and the CNI plugins write whatever they are configured with.
  echo "--- fixed paths"
  local path
  for path in /var/log/containers /var/log/pods /var/lib/kubelet /var/lib/containerd /var/lib/cni /run/containerd \
      /etc/cni /opt/cni /opt/containerd /etc/containerd /var/run/nri; do
    if [ -e "$path" ]; then echo "$path: $(find "$path" -mindepth 1 2>/dev/null | wc -l) entries"; else echo "$path: absent"; fi
  done
}

cgroup_dirs() { find /sys/fs/cgroup/*/"$cgroup_root" -maxdepth 0 -type d 2>/dev/null || true; }
run_netns() { ip netns list 2>/dev/null | awk '{print $1}' | grep -x -- "$netns_prefix-.*" || true; }
# Whether anything of a run is here: its namespaces, its folder or its cgroups.
leftovers() { [ -n "$(run_netns)" ] || [ -d "$work" ] || [ -n "$(cgroup_dirs)" ]; }

binaries() {
  cluster_bin=$("$here/build.sh" cluster | sed -n 's/^cluster=//p')
  local node
  node=$("$here/build.sh" node)
  containerd_bin=$(sed -n 's/^containerd=//p' <<<"$node")
  cni_bin=$(sed -n 's/^cni-plugins=//p' <<<"$node")
  kube_router_bin=$("$here/build.sh" netpol | sed -n 's/^kube-router=//p')
  vegeta_bin=$("$here/build.sh" load | sed -n 's/^vegeta=//p')
  # The image archive, from the builds of the binaries it holds (build.sh knows which).
  images=$("$here/build.sh" images | sed -n 's/^images=//p')
}

# What the nodes need from the machine, checked before anything starts, each named with what to install or enable.
prerequisites() {
  local missing=() pair
  for pair in runc:runc iptables:iptables ipset:ipset conntrack:conntrack mmdebstrap:mmdebstrap nsenter:util-linux \
      unshare:util-linux ip:iproute2 pgrep:procps openssl:openssl curl:curl; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "missing: install the Debian packages ${missing[*]} (apt-get install -y ${missing[*]})"
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then log "needs root (namespaces, cgroups, mounts)"; exit 1; fi
  # Kernel facilities: overlay (containerd's snapshotter), bridge netfilter (kube-proxy's rules on bridged pod
  # traffic), cgroup v1 hierarchies with the pids and cpu controllers, and network namespaces.
  local kernel=()
  grep -qw overlay /proc/filesystems || kernel+=("the overlay filesystem (modprobe overlay)")
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || kernel+=("bridge netfilter (modprobe br_netfilter)")
  [ -d /sys/fs/cgroup/pids ] || kernel+=("the cgroup v1 pids hierarchy at /sys/fs/cgroup/pids")
  cpu_hierarchy >/dev/null || kernel+=("a cgroup v1 hierarchy with the cpu controller (cpu.shares) under /sys/fs/cgroup")
  [ -e /proc/self/ns/net ] || kernel+=("network namespaces (CONFIG_NET_NS)")
  if [ "${#kernel[@]}" -gt 0 ]; then
    log "this kernel lacks: $(IFS=';'; echo "${kernel[*]}")"
    exit 1
  fi
}

up() {
  local nodes=$1 n
  prerequisites
  if leftovers; then
    log "a cluster is already up or was left behind by a killed run ($(run_netns | tr '\n' ' ')$work): run e2e/node.sh down first"
    exit 1
  fi
  binaries
  host_state > "$host_before"
  mkdir -p "$work"
  chmod 700 "$work"
  echo "$nodes" > "$work/node-count"
  # The run this cluster belongs to, so the next run can tell a killed run's leftovers from a cluster in use.
  if [ -n "${run_owner:-}" ]; then echo "$run_owner" > "$work/run-owner"; fi
  certificates "$nodes"
  for n in $(seq "$nodes"); do node_configs "$n"; done
  control_plane_network
  for n in $(seq "$nodes"); do node_network "$n"; done
  for n in $(seq "$nodes"); do node_routes "$n" "$nodes"; done
  client_network "$nodes"
  cgroups "$nodes"
  export work cluster_bin containerd_bin cni_bin kube_router_bin
  nsenter --net="/run/netns/$netns_prefix-cp" -- unshare --mount --propagation private -- bash "$here/node.sh" _inside_cp \
    </dev/null >"$work/inside-cp.log" 2>&1 &
  echo $! > "$work/inside-cp.pid"
  # The nodes start once the API server answers: their kube-proxy reads its settings from it at start.
  if ! wait_for "the API server" 120 kubectl_node get --raw /readyz; then
    tail -n 20 "$work"/logs/*.log >&2 || true
    return 1
  fi
  for n in $(seq "$nodes"); do start_node "$n" || return 1; done
  # The imports hash and unpack the same layers into each node's store: side by side, they take one node's time.
  local imports=() pid
  for n in $(seq "$nodes"); do import_images "$n" & imports+=("$!"); done
  for pid in "${imports[@]}"; do wait "$pid" || { log "importing the images failed"; return 1; }; done
  for n in $(seq "$nodes"); do node_ready "$n" || return 1; done
  # The controller manager makes each namespace's service account and CA bundle; pods cannot be created before.
  # (`kubectl wait` gives up at once on an object that does not exist yet, so this polls.)
  if ! wait_for "the service accounts and CA bundles of default and kube-system" 90 in_netns 1 sh -c \
      "$(printf 'kubectl --kubeconfig %q get -n %s serviceaccount/default configmap/kube-root-ca.crt && ' \
        "$work/admin.kubeconfig" default "$work/admin.kubeconfig" kube-system) true"; then
    tail -n 20 "$work/logs/kube-controller-manager.log" >&2 || true
    return 1
  fi
  # The add-ons start side by side, then each is waited for.
  cluster_dns_start && metrics_server_start || return 1
  cluster_dns_ready && metrics_server_ready || return 1
  local all_netns="" all_ips="" all_names=""
  for n in $(seq "$nodes"); do
    all_netns+="$(netns_file "$n") "; all_ips+="$(node_ip "$n") "; all_names+="$(node_name "$n") "
  done
  cat <<EOF
export KUBECONFIG=$work/admin.kubeconfig
export GUIDE_E2E_NODE_NETNS=$(netns_file 1)
export GUIDE_E2E_NODE_IP=$(node_ip 1)
export GUIDE_E2E_NODE_NETNSES="${all_netns% }"
export GUIDE_E2E_NODE_IPS="${all_ips% }"
export GUIDE_E2E_NODE_NAMES="${all_names% }"
export GUIDE_E2E_VEGETA=$vegeta_bin/vegeta
export GUIDE_E2E_CLIENT_NETNS=/run/netns/$netns_prefix-client
export GUIDE_E2E_LOADBALANCER_CIDR=$loadbalancer_cidr
EOF
}

down() {
  local pids left=0 file ns
  for file in "$work"/inside-cp.pid "$work"/nodes/*/inside.pid; do
    if [ -f "$file" ]; then kill -9 "$(cat "$file")" 2>/dev/null || true; fi
  done
  for _ in 1 2 3; do
    pids=$(node_pids)
    [ -z "$pids" ] && break
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 1
  done
  release_cpu_cgroups
  local dir
  for dir in $(cgroup_dirs); do
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  for ns in $(run_netns); do ip netns delete "$ns"; done
  restore_run_netns || left=1
  rm -rf "$work"
  # What must be gone, and what must be as it was.
  if [ -n "$(node_pids)" ]; then log "processes left: $(node_pids | tr '\n' ' ')"; left=1; fi
  if [ -n "$(cgroup_dirs)" ]; then log "cgroups left: $(cgroup_dirs | tr '\n' ' ')"; left=1; fi
  if [ -n "$(run_netns)" ]; then log "network namespaces left: $(run_netns | tr '\n' ' ')"; left=1; fi
  if [ -f "$host_before" ]; then
    if ! diff -u "$host_before" <(host_state) >&2; then log "the machine's state changed (diff above)"; left=1; fi
    rm -f "$host_before"
  fi
  return "$left"
}

# `--nodes N` before the command: sets count (default 2) and took (how many arguments it used).
nodes_arg() {
  count=2 took=0
  if [ "${1:-}" = --nodes ]; then
    if ! [[ "${2:-}" =~ ^[1-9]$ ]]; then echo "node.sh: --nodes takes a count from 1 to 9, got \"${2:-}\"" >&2; exit 2; fi
    count=$2 took=2
  fi
}

case ${1:-} in
  up) shift; nodes_arg "$@"; up "$count" ;;
  down) down ;;
  check) prerequisites; log "prerequisites present" ;;
  lose) lose_node "${2:?usage: e2e/node.sh lose N}" ;;
  _inside_cp) inside_control_plane ;;
  _inside_node) inside_node "$2" ;;
  run)
    shift
    nodes_arg "$@"
    shift "$took"
    [ "$#" -gt 0 ] || { echo "usage: e2e/node.sh run [--nodes N] CMD..." >&2; exit 2; }
    # What a run killed hard (SIGKILL, a CI timeout's TERM then KILL) left behind is cleaned first; a cluster that is
    # in use (a live run, or one started with `up`) is not touched.
    if leftovers; then
      owner=$(cat "$work/run-owner" 2>/dev/null || true)
      if [ -n "$owner" ] && ! running "$owner"; then
        log "cleaning up what a killed run (pid $owner) left behind"
        down || exit 1
      else
        log "a cluster is in use ($([ -n "$owner" ] && echo "by run $owner" || echo "started with e2e/node.sh up")): e2e/node.sh down stops it"
        exit 1
      fi
    fi
    # The Pulumi engine, for the stack whose `up` waits for the https check.
    engine_env=$("$here/build.sh" engine-env) || exit 1
    eval "$engine_env"
    run_owner=$$
    # down checks that nothing is left and the machine is as it was; a failed check fails the run.
    # shellcheck disable=SC2154 # rc is assigned by the trap itself, when it runs
    trap 'rc=$?; trap - EXIT; down || rc=1; exit "$rc"' EXIT
    trap 'exit 130' INT TERM
    # Called as a plain command (not in `$(...) || ...`, which would switch errexit off inside it): any failing step
    # of up ends the run, and the trap cleans up.
    env_file=$(mktemp)
    up "$count" >"$env_file"
    eval "$(cat "$env_file")"
    rm -f "$env_file"
    export GUIDE_E2E_NODE_WORK=$work
    # The machine's own network namespace (this script's), for the test that proves the dial helper refuses it.
    export GUIDE_E2E_MACHINE_NETNS=/proc/$$/ns/net
    # The command runs in the driver's CPU cgroup, so its loads and tools weigh as one machine, not one per thread.
    (join_cpu_cgroup driver && exec nsenter --net="$GUIDE_E2E_NODE_NETNS" -- "$@")
    ;;
  *) echo "usage: e2e/node.sh up [--nodes N] | down | check | lose N | run [--nodes N] CMD..." >&2; exit 2 ;;
esac
