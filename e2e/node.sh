#!/usr/bin/env bash
# A real single-node Kubernetes cluster that runs containers, built from Go modules and Debian packages and contained
# in a network namespace and a private mount namespace of its own: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, containerd (with Debian's runc), kubelet, kube-proxy (iptables), the CNI bridge, CoreDNS as pods
# in kube-system behind the kube-dns Service (e2e/cluster-dns.yaml), and kube-router's firewall as the NetworkPolicy
# enforcer (iptables and ipset rules that exist only in the node's network namespace).
#
#   e2e/node.sh up          build (cached) and start; prints the variables a command needs to reach it
#   e2e/node.sh down        stop everything, remove the namespaces, cgroups and state, and check nothing is left
#   e2e/node.sh run CMD...  up, run CMD inside the network namespace, then down (also on failure and Ctrl-C)
#
# Every address (node 10.200.0.2, pods 10.88.0.0/24, Services 10.96.0.0/24, load balancers 10.200.0.100-120) exists
# only inside the namespace; nothing is routed to the machine's interfaces. The mount namespace has its own /run,
# /var/lib and /var/log, so the fixed paths the node's software writes never reach the machine's. State lives in
# $GUIDE_E2E_NODE_WORK (default /tmp/guide-as-code-node-$UID). Needs root, and Debian's runc, iptables, ipset and
# conntrack (.ci/run installs them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${GUIDE_E2E_NODE_WORK:-/tmp/guide-as-code-node-$(id -u)}
netns=guide-node-$(id -u)
netns_file=/run/netns/$netns
cgroup_root=guide-node-$(id -u)
node_name=guide-node
node_ip=10.200.0.2
peer_ip=10.200.0.1
pod_cidr=10.88.0.0/24
service_cidr=10.96.0.0/24
# The kube-dns Service's address (e2e/cluster-dns.yaml), the kubelet's clusterDNS.
cluster_dns=10.96.0.10

# The machine's own settings that the node's processes would change if they were not contained; compared after down.
host_sysctls=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables)

log() { echo "node.sh: $*" >&2; }

host_state() {
  local s
  for s in "${host_sysctls[@]}"; do echo "$s=$(sysctl -n "$s" 2>/dev/null || echo unset)"; done
  echo "--- iptables"; iptables-save 2>/dev/null | grep -v '^#' || true
  echo "--- links"; ip -o link show | awk -F': ' '{print $2}' | sort
  echo "--- mounts"; awk '{print $5}' /proc/self/mountinfo | sort
  echo "--- netns"; ip netns list 2>/dev/null | sort
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

# Every process of this node: the ones whose command line names its folder (daemons, shims) and every process in
# its cgroups (containers).
node_pids() {
  {
    pgrep -f -- "$work/" || true
    find /sys/fs/cgroup/pids/"$cgroup_root" -name cgroup.procs -exec cat {} + 2>/dev/null || true
  } | sort -un | grep -v -x "$$" || true
}

cgroup_dirs() { find /sys/fs/cgroup/*/"$cgroup_root" -maxdepth 0 -type d 2>/dev/null || true; }

binaries() {
  cluster_bin=$("$here/build.sh" cluster | sed -n 's/^cluster=//p')
  local node
  node=$("$here/build.sh" node)
  containerd_bin=$(sed -n 's/^containerd=//p' <<<"$node")
  cni_bin=$(sed -n 's/^cni-plugins=//p' <<<"$node")
  coredns_bin=$(sed -n 's/^coredns=//p' <<<"$node")
  kube_router_bin=$("$here/build.sh" netpol | sed -n 's/^kube-router=//p')
  images=$("$here/images.sh" "$coredns_bin/coredns" | sed -n 's/^images=//p')
}

certificates() {
  local pki=$work/pki
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 -subj /CN=guide-node-ca 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" -subj /CN=kube-apiserver 2>/dev/null
  printf 'subjectAltName=IP:%s,IP:10.96.0.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' \
    "$node_ip" > "$pki/apiserver.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  # Static tokens: the admin (controller manager, scheduler, CoreDNS, tests), the node, kube-proxy.
  local admin node proxy
  admin=$(openssl rand -hex 16); node=$(openssl rand -hex 16); proxy=$(openssl rand -hex 16)
  printf '%s,admin,admin,system:masters\n%s,system:node:%s,node,system:nodes\n%s,system:kube-proxy,kube-proxy\n' \
    "$admin" "$node" "$node_name" "$proxy" > "$pki/tokens.csv"
  chmod 600 "$pki"/*.key "$pki/tokens.csv"
  kubeconfig admin "$admin"; kubeconfig node "$node"; kubeconfig proxy "$proxy"
}

kubeconfig() {
  cat > "$work/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: guide-node, cluster: {server: "https://$node_ip:6443", certificate-authority: "$work/pki/ca.crt"}}]
users: [{name: $1, user: {token: "$2"}}]
contexts: [{name: guide-node, context: {cluster: guide-node, user: $1}}]
current-context: guide-node
EOF
  chmod 600 "$work/$1.kubeconfig"
}

configs() {
  mkdir -p "$work/containerd" "$work/cni/net.d" "$work/kubelet" "$work/sysctl" "$work/pod-logs"
  cat > "$work/containerd/config.toml" <<EOF
version = 3
root = "$work/containerd/root"
state = "$work/containerd/state"
[grpc]
  address = "$work/containerd/containerd.sock"
[ttrpc]
  address = "$work/containerd/containerd.sock.ttrpc"
[plugins]
  [plugins.'io.containerd.internal.v1.opt']
    path = "$work/containerd/opt"
  [plugins.'io.containerd.nri.v1.nri']
    disable = true
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = 'overlayfs'
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = 'guide.local/pause:1'
  [plugins.'io.containerd.cri.v1.runtime']
    # No CAP_SYS_RESOURCE here: a negative oom_score_adj is refused, so containerd must not ask for one.
    restrict_oom_score_adj = true
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
      Root = "$work/runc"
      SystemdCgroup = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ["$cni_bin"]
      conf_dir = "$work/cni/net.d"
  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = '127.0.0.1'
EOF
  cat > "$work/cni/net.d/10-guide.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "guide-pods", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$pod_cidr"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$work/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
  echo "nameserver $cluster_dns" > "$work/resolv.conf"
  cat > "$work/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
# Only the API server reaches this port, inside the namespace.
authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupRoot: /$cgroup_root
# This machine has cgroup v1 only.
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$work/containerd/containerd.sock
clusterDomain: cluster.local
clusterDNS: [$cluster_dns]
resolvConf: $work/resolv.conf
podLogsDir: $work/pod-logs
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
protectKernelDefaults: false
serializeImagePulls: false
maxPods: 30
EOF
  cat > "$work/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $work/proxy.kubeconfig}
mode: iptables
bindAddress: $node_ip
clusterCIDR: $pod_cidr
hostnameOverride: $node_name
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Nothing to tune in a namespace: the conntrack table is the machine's.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  # The kernel-wide values the kubelet wants; inside the mount namespace they shadow /proc/sys, so it never writes
  # the machine's own.
  printf '1\n' > "$work/sysctl/vm.overcommit_memory"; printf '0\n' > "$work/sysctl/vm.panic_on_oom"
  printf '10\n' > "$work/sysctl/kernel.panic"; printf '1\n' > "$work/sysctl/kernel.panic_on_oops"
  cat /proc/sys/kernel/keys/root_maxkeys > "$work/sysctl/kernel.keys.root_maxkeys"
  cat /proc/sys/kernel/keys/root_maxbytes > "$work/sysctl/kernel.keys.root_maxbytes"
}

network() {
  # `ip netns add` makes /run/netns a mount point (and the folder) the first time; down puts it back as it was.
  { [ -d /run/netns ] && echo dir; mountpoint -q /run/netns && echo mount; } > "$work/run-netns-before" || true
  ip netns add "$netns"
  ip -n "$netns" link set lo up
  ip -n "$netns" link add gn0 type veth peer name gn1
  ip -n "$netns" addr add "$node_ip/24" dev gn0
  ip -n "$netns" addr add "$peer_ip/24" dev gn1
  ip -n "$netns" link set gn0 up
  ip -n "$netns" link set gn1 up
  # Every destination is routable inside, so Service and load-balancer addresses reach kube-proxy's rules; the
  # namespace has no link to the machine, so nothing leaves it.
  ip -n "$netns" route add default dev gn0
  nsenter --net="$netns_file" sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.all.route_localnet=1 \
    net.bridge.bridge-nf-call-iptables=1
}

cgroups() {
  local controller dir
  for controller in /sys/fs/cgroup/*/; do
    [ -f "$controller/cgroup.procs" ] || continue
    dir=${controller%/}/$cgroup_root
    mkdir -p "$dir"
    if [ -f "$dir/cpuset.cpus" ]; then
      cat "${controller%/}/cpuset.cpus" > "$dir/cpuset.cpus"
      cat "${controller%/}/cpuset.mems" > "$dir/cpuset.mems"
    fi
  done
}

# Runs inside the node's network namespace and a private mount namespace: mounts what the daemons would otherwise
# write on the machine, starts them, and waits. Everything it mounts goes with the namespace.
inside() {
  mount -t tmpfs tmpfs /run
  mount -t tmpfs tmpfs /var/lib
  # The kubelet links container logs into /var/log/containers, whatever podLogsDir says.
  mount -t tmpfs tmpfs /var/log
  mkdir -p /run/netns
  local s
  for s in vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes; do
    mount --bind "$work/sysctl/$s" "/proc/sys/${s//.//}"
  done
  export PATH="$containerd_bin:$PATH"
  local logs=$work/logs
  mkdir -p "$logs"
  "$cluster_bin/etcd" --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:2379 \
    --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380 \
    --initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster "default=http://127.0.0.1:2380" \
    >"$logs/etcd.log" 2>&1 &
  "$cluster_bin/kube-apiserver" --etcd-servers http://127.0.0.1:2379 --bind-address "$node_ip" \
    --advertise-address "$node_ip" --secure-port 6443 --cert-dir "$work/apiserver" \
    --tls-cert-file "$work/pki/apiserver.crt" --tls-private-key-file "$work/pki/apiserver.key" \
    --client-ca-file "$work/pki/ca.crt" --token-auth-file "$work/pki/tokens.csv" --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction --service-cluster-ip-range "$service_cidr" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$work/pki/sa.pub" \
    --service-account-signing-key-file "$work/pki/sa.key" --kubelet-preferred-address-types InternalIP \
    >"$logs/kube-apiserver.log" 2>&1 &
  "$cluster_bin/kube-controller-manager" --kubeconfig "$work/admin.kubeconfig" \
    --authentication-kubeconfig "$work/admin.kubeconfig" --authorization-kubeconfig "$work/admin.kubeconfig" \
    --bind-address 127.0.0.1 --root-ca-file "$work/pki/ca.crt" --service-account-private-key-file "$work/pki/sa.key" \
    --leader-elect=false --service-cluster-ip-range "$service_cidr" >"$logs/kube-controller-manager.log" 2>&1 &
  "$cluster_bin/kube-scheduler" --kubeconfig "$work/admin.kubeconfig" \
    --authentication-kubeconfig "$work/admin.kubeconfig" --authorization-kubeconfig "$work/admin.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false >"$logs/kube-scheduler.log" 2>&1 &
  "$containerd_bin/containerd" --config "$work/containerd/config.toml" >"$logs/containerd.log" 2>&1 &
  "$cluster_bin/kubelet" --config "$work/kubelet/config.yaml" --kubeconfig "$work/node.kubeconfig" \
    --root-dir "$work/kubelet" --cert-dir "$work/kubelet/pki" --hostname-override "$node_name" --node-ip "$node_ip" \
    >"$logs/kubelet.log" 2>&1 &
  "$cluster_bin/kube-proxy" --config "$work/kube-proxy.yaml" >"$logs/kube-proxy.log" 2>&1 &
  # The NetworkPolicy enforcer: kube-router's firewall alone (no routing, no service proxy), once the API answers.
  (until kubectl --kubeconfig "$work/admin.kubeconfig" get --raw /readyz >/dev/null 2>&1; do sleep 1; done
   exec "$kube_router_bin/kube-router" --kubeconfig="$work/admin.kubeconfig" --run-firewall=true --run-router=false \
     --run-service-proxy=false --hostname-override="$node_name" --metrics-port=0 --health-port=0) >"$logs/kube-router.log" 2>&1 &
  touch "$work/started"
  wait
}

in_netns() { nsenter --net="$netns_file" -- "$@"; }
kubectl_node() { in_netns kubectl --kubeconfig "$work/admin.kubeconfig" "$@"; }

wait_for() {
  local what=$1 tries=$2
  shift 2
  for _ in $(seq "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "timed out waiting for $what"
  return 1
}

# What the node needs from the machine, checked before anything starts, each named with the Debian package to install.
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
}

up() {
  prerequisites
  if [ -e "$netns_file" ] || [ -d "$work" ]; then
    log "a node is already up or was left behind ($netns_file, $work): run e2e/node.sh down first"
    exit 1
  fi
  binaries
  host_state > "/tmp/guide-node-host-before-$(id -u)"
  mkdir -p "$work"
  chmod 700 "$work"
  certificates
  configs
  network
  cgroups
  export work cluster_bin containerd_bin cni_bin kube_router_bin
  nsenter --net="$netns_file" -- unshare --mount --propagation private -- bash "$here/node.sh" _inside \
    </dev/null >"$work/inside.log" 2>&1 &
  echo $! > "$work/inside.pid"
  if ! wait_for "the API server" 60 kubectl_node get --raw /readyz \
    || ! wait_for "containerd" 30 test -S "$work/containerd/containerd.sock"; then
    tail -n 20 "$work"/logs/*.log >&2 || true
    return 1
  fi
  # No registry: the images are imported, and the pod sandbox's pause image is pinned.
  in_netns "$containerd_bin/ctr" --address "$work/containerd/containerd.sock" -n k8s.io images import \
    --all-platforms "$images" >/dev/null
  if ! wait_for "node $node_name to be Ready" 90 kubectl_node wait --for=condition=Ready "node/$node_name" --timeout=1s; then
    tail -n 30 "$work/logs/kubelet.log" >&2 || true
    return 1
  fi
  kubectl_node wait --for=jsonpath='{.metadata.name}'=default serviceaccount/default --timeout=60s >/dev/null
  kubectl_node apply -f "$here/cluster-dns.yaml" >/dev/null
  if ! kubectl_node -n kube-system rollout status deployment/coredns --timeout=90s >/dev/null; then
    log "CoreDNS did not become ready"; kubectl_node -n kube-system describe pods -l k8s-app=kube-dns >&2 || true
    return 1
  fi
  log "node $node_name Ready: $(kubectl_node get node "$node_name" -o jsonpath='{.status.nodeInfo.kubeletVersion}, {.status.nodeInfo.containerRuntimeVersion}')"
  cat <<EOF
export KUBECONFIG=$work/admin.kubeconfig
export GUIDE_E2E_NODE_NETNS=$netns_file
export GUIDE_E2E_NODE_IP=$node_ip
EOF
}

down() {
  local pids left=0
  if [ -f "$work/inside.pid" ]; then kill -9 "$(cat "$work/inside.pid")" 2>/dev/null || true; fi
  for _ in 1 2 3; do
    pids=$(node_pids)
    [ -z "$pids" ] && break
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 1
  done
  local dir
  for dir in $(cgroup_dirs); do
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  [ -e "$netns_file" ] && ip netns delete "$netns"
  if [ -f "$work/run-netns-before" ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
    grep -q mount "$work/run-netns-before" || umount /run/netns 2>/dev/null || true
    grep -q dir "$work/run-netns-before" || rmdir /run/netns 2>/dev/null || true
  fi
  rm -rf "$work"
  # What must be gone, and what must be as it was.
  if [ -n "$(node_pids)" ]; then log "processes left: $(node_pids | tr '\n' ' ')"; left=1; fi
  if [ -n "$(cgroup_dirs)" ]; then log "cgroups left: $(cgroup_dirs | tr '\n' ' ')"; left=1; fi
  if [ -e "$netns_file" ]; then log "network namespace left: $netns"; left=1; fi
  local before
  before=/tmp/guide-node-host-before-$(id -u)
  if [ -f "$before" ]; then
    if ! diff -u "$before" <(host_state) >&2; then log "the machine's state changed (diff above)"; left=1; fi
    rm -f "$before"
  fi
  return "$left"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  _inside) inside ;;
  run)
    shift
    # The Pulumi engine, for the stack whose `up` waits for the https check.
    engine_env=$("$here/build.sh" engine-env) || exit 1
    eval "$engine_env"
    # down checks that nothing is left and the machine is as it was; a failed check fails the run.
    trap 'rc=$?; trap - EXIT; down || rc=1; exit "$rc"' EXIT
    trap 'exit 130' INT TERM
    env_out=$(up) || exit 1
    eval "$env_out"
    export GUIDE_E2E_NODE_WORK=$work
    # The machine's own network namespace (this script's), for the test that proves the dial helper refuses it.
    export GUIDE_E2E_MACHINE_NETNS=/proc/$$/ns/net
    nsenter --net="$GUIDE_E2E_NODE_NETNS" -- "$@"
    ;;
  *) echo "usage: e2e/node.sh up|down|run CMD..." >&2; exit 2 ;;
esac
