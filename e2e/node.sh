#!/usr/bin/env bash
# A real Kubernetes cluster that runs containers on two nodes (or N), built from Go modules and Debian packages. The
# control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) has a network namespace of its own, and
# so has each node, with a private mount namespace too: its containerd (with Debian's runc), kubelet, kube-proxy
# (iptables), the CNI bridge, and kube-router's firewall as the NetworkPolicy enforcer (iptables and ipset rules that
# exist only in that node's network namespace). CoreDNS runs as pods in kube-system behind the kube-dns Service
# (e2e/cluster-dns.yaml).
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
# 10.96.0.0/24, load balancers 10.200.0.100-120. Each mount namespace has its own /run, /var/lib and /var/log, so the
# fixed paths the node's software writes never reach the machine's. State lives in $GUIDE_E2E_NODE_WORK (default
# /tmp/guide-as-code-node-$UID). Needs root, and Debian's runc, iptables, ipset and conntrack (checked first).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${GUIDE_E2E_NODE_WORK:-/tmp/guide-as-code-node-$(id -u)}
# Every namespace of a run is named guide-node-<uid>-<part>: -cp for the control plane, -1, -2, ... for the nodes.
netns_prefix=guide-node-$(id -u)
cgroup_root=guide-node-$(id -u)
cp_ip=10.200.0.1
pod_range=10.244.0.0/16
service_cidr=10.96.0.0/24
# The kube-dns Service's address (e2e/cluster-dns.yaml), the kubelet's clusterDNS.
cluster_dns=10.96.0.10

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

# Every process of the run, or of node N alone: the ones whose command line names its folder (daemons, shims), every
# process in its cgroups (containers), and, for a node, every process in its network namespace (kube-router, the
# script that started them).
node_pids() {
  local dir=$work/ cg=$cgroup_root ino="" p
  if [ -n "${1:-}" ]; then
    dir=$(node_dir "$1")/; cg=$cgroup_root/node-$1
    ino=$(stat -L -c %i "$(netns_file "$1")" 2>/dev/null || true)
  fi
  {
    pgrep -f -- "$dir" || true
    find /sys/fs/cgroup/pids/"$cg" -name cgroup.procs -exec cat {} + 2>/dev/null || true
    if [ -n "$ino" ]; then
      for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/net" 2>/dev/null)" = "net:[$ino]" ] && echo "${p#/proc/}"
      done
    fi
  } | sort -un | grep -v -x "$$" || true
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
  coredns_bin=$(sed -n 's/^coredns=//p' <<<"$node")
  kube_router_bin=$("$here/build.sh" netpol | sed -n 's/^kube-router=//p')
  vegeta_bin=$("$here/build.sh" load | sed -n 's/^vegeta=//p')
  images=$("$here/images.sh" "$coredns_bin/coredns" | sed -n 's/^images=//p')
}

certificates() {
  local pki=$work/pki nodes=$1 n
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 -subj /CN=guide-node-ca 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" -subj /CN=kube-apiserver 2>/dev/null
  printf 'subjectAltName=IP:%s,IP:10.96.0.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' \
    "$cp_ip" > "$pki/apiserver.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  # Static tokens: the admin (controller manager, scheduler, kube-router, tests), kube-proxy, and one per node.
  local admin proxy token
  admin=$(openssl rand -hex 16); proxy=$(openssl rand -hex 16)
  printf '%s,admin,admin,system:masters\n%s,system:kube-proxy,kube-proxy\n' "$admin" "$proxy" > "$pki/tokens.csv"
  kubeconfig "$work/admin.kubeconfig" admin "$admin"; kubeconfig "$work/proxy.kubeconfig" proxy "$proxy"
  for n in $(seq "$nodes"); do
    token=$(openssl rand -hex 16)
    printf '%s,system:node:%s,node-%s,system:nodes\n' "$token" "$(node_name "$n")" "$n" >> "$pki/tokens.csv"
    mkdir -p "$(node_dir "$n")"
    kubeconfig "$(node_dir "$n")/node.kubeconfig" "node-$n" "$token"
  done
  chmod 600 "$pki"/*.key "$pki/tokens.csv"
}

kubeconfig() {
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: guide-node, cluster: {server: "https://$cp_ip:6443", certificate-authority: "$work/pki/ca.crt"}}]
users: [{name: $2, user: {token: "$3"}}]
contexts: [{name: guide-node, context: {cluster: guide-node, user: $2}}]
current-context: guide-node
EOF
  chmod 600 "$1"
}

# Node N's containerd, CNI, kubelet and kube-proxy configuration, in its own folder.
node_configs() {
  local n=$1 dir name ip cidr
  dir=$(node_dir "$n"); name=$(node_name "$n"); ip=$(node_ip "$n"); cidr=$(pod_cidr "$n")
  mkdir -p "$dir/containerd" "$dir/cni/net.d" "$dir/kubelet" "$dir/sysctl" "$dir/pod-logs"
  # root is inside the node's mount namespace, where /var/lib is a tmpfs: the images' content and snapshots (about
  # 500 MB a node) go to memory rather than being written and synced to disk, and go with the namespace.
  cat > "$dir/containerd/config.toml" <<EOF
version = 3
root = "/var/lib/containerd"
state = "$dir/containerd/state"
[grpc]
  address = "$dir/containerd/containerd.sock"
[ttrpc]
  address = "$dir/containerd/containerd.sock.ttrpc"
[plugins]
  [plugins.'io.containerd.internal.v1.opt']
    path = "$dir/containerd/opt"
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
      Root = "$dir/runc"
      SystemdCgroup = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ["$cni_bin"]
      conf_dir = "$dir/cni/net.d"
  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = '127.0.0.1'
EOF
  # No masquerade: a pod's packets reach pods on the other node with its own address, as Kubernetes' network model
  # says (routes between the nodes' pod subnets carry them).
  cat > "$dir/cni/net.d/10-guide.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "guide-pods", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$cidr"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$dir/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
  echo "nameserver $cluster_dns" > "$dir/resolv.conf"
  cat > "$dir/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
# Only the API server reaches this port, inside the namespaces.
authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupRoot: /$cgroup_root/node-$n
# This machine has cgroup v1 only.
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$dir/containerd/containerd.sock
clusterDomain: cluster.local
clusterDNS: [$cluster_dns]
resolvConf: $dir/resolv.conf
podLogsDir: $dir/pod-logs
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
protectKernelDefaults: false
serializeImagePulls: false
maxPods: 30
EOF
  cat > "$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $work/proxy.kubeconfig}
mode: iptables
bindAddress: $ip
# The whole pod range: Service traffic from any pod keeps its source address; only traffic from outside is masqueraded.
clusterCIDR: $pod_range
detectLocalMode: ClusterCIDR
hostnameOverride: $name
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Nothing to tune in a namespace: the conntrack table is the machine's.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  # The kernel-wide values the kubelet wants; inside the mount namespace they shadow /proc/sys, so it never writes
  # the machine's own.
  printf '1\n' > "$dir/sysctl/vm.overcommit_memory"; printf '0\n' > "$dir/sysctl/vm.panic_on_oom"
  printf '10\n' > "$dir/sysctl/kernel.panic"; printf '1\n' > "$dir/sysctl/kernel.panic_on_oops"
  cat /proc/sys/kernel/keys/root_maxkeys > "$dir/sysctl/kernel.keys.root_maxkeys"
  cat /proc/sys/kernel/keys/root_maxbytes > "$dir/sysctl/kernel.keys.root_maxbytes"
}

# The control plane's namespace, with the bridge the nodes join; it forwards nothing, so nothing leaves the nodes.
control_plane_network() {
  # `ip netns add` makes /run/netns a mount point (and the folder) the first time; down puts it back as it was.
  { [ -d /run/netns ] && echo dir; mountpoint -q /run/netns && echo mount; } > "$work/run-netns-before" || true
  ip netns add "$netns_prefix-cp"
  ip -n "$netns_prefix-cp" link set lo up
  ip -n "$netns_prefix-cp" link add gbr0 type bridge
  ip -n "$netns_prefix-cp" addr add "$cp_ip/24" dev gbr0
  ip -n "$netns_prefix-cp" link set gbr0 up
}

# Node N's namespace, joined to the bridge by a veth pair; both ends stay inside the namespaces.
node_network() {
  local n=$1 ns=$netns_prefix-$1
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add eth0 type veth peer name "gn$n" netns "$netns_prefix-cp"
  ip -n "$netns_prefix-cp" link set "gn$n" master gbr0 up
  ip -n "$ns" addr add "$(node_ip "$n")/24" dev eth0
  ip -n "$ns" link set eth0 up
  # Every destination is routable, so Service and load-balancer addresses reach kube-proxy's rules; the control
  # plane's namespace has no link to the machine, so nothing goes further.
  ip -n "$ns" route add default via "$cp_ip" dev eth0
  nsenter --net="$(netns_file "$n")" sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.all.route_localnet=1 \
    net.bridge.bridge-nf-call-iptables=1
  # The control plane reaches pods (a Service's endpoints answering the API server) through their node.
  ip -n "$netns_prefix-cp" route add "$(pod_cidr "$n")" via "$(node_ip "$n")"
}

# Routes from node N to every other node's pod subnet, via that node: direct routing, no overlay.
node_routes() {
  local n=$1 nodes=$2 m
  for m in $(seq "$nodes"); do
    [ "$m" = "$n" ] && continue
    ip -n "$netns_prefix-$n" route add "$(pod_cidr "$m")" via "$(node_ip "$m")" dev eth0
  done
}

cgroups() {
  local controller dir n
  for controller in /sys/fs/cgroup/*/; do
    [ -f "$controller/cgroup.procs" ] || continue
    for dir in "${controller%/}/$cgroup_root" $(for n in $(seq "$1"); do echo "${controller%/}/$cgroup_root/node-$n"; done); do
      mkdir -p "$dir"
      if [ -f "$dir/cpuset.cpus" ]; then
        cat "$(dirname "$dir")/cpuset.cpus" > "$dir/cpuset.cpus"
        cat "$(dirname "$dir")/cpuset.mems" > "$dir/cpuset.mems"
      fi
    done
  done
}

# Runs inside the control plane's network namespace: etcd, the API server, the controller manager and the scheduler.
inside_control_plane() {
  local logs=$work/logs
  mkdir -p "$logs"
  "$cluster_bin/etcd" --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:2379 \
    --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380 \
    --initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster "default=http://127.0.0.1:2380" \
    >"$logs/etcd.log" 2>&1 &
  "$cluster_bin/kube-apiserver" --etcd-servers http://127.0.0.1:2379 --bind-address "$cp_ip" \
    --advertise-address "$cp_ip" --secure-port 6443 --cert-dir "$work/apiserver" \
    --tls-cert-file "$work/pki/apiserver.crt" --tls-private-key-file "$work/pki/apiserver.key" \
    --client-ca-file "$work/pki/ca.crt" --token-auth-file "$work/pki/tokens.csv" --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction --service-cluster-ip-range "$service_cidr" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$work/pki/sa.pub" \
    --service-account-signing-key-file "$work/pki/sa.key" --kubelet-preferred-address-types InternalIP \
    >"$logs/kube-apiserver.log" 2>&1 &
  # The controller manager and the scheduler read the API server's settings once, at start, and exit if it does not
  # answer yet (a kubelet or systemd would restart them; nothing does here): they start once it is ready.
  wait_for "the API server" 120 kubectl --kubeconfig "$work/admin.kubeconfig" get --raw /readyz || true
  "$cluster_bin/kube-controller-manager" --kubeconfig "$work/admin.kubeconfig" \
    --authentication-kubeconfig "$work/admin.kubeconfig" --authorization-kubeconfig "$work/admin.kubeconfig" \
    --bind-address 127.0.0.1 --root-ca-file "$work/pki/ca.crt" --service-account-private-key-file "$work/pki/sa.key" \
    --leader-elect=false --service-cluster-ip-range "$service_cidr" >"$logs/kube-controller-manager.log" 2>&1 &
  "$cluster_bin/kube-scheduler" --kubeconfig "$work/admin.kubeconfig" \
    --authentication-kubeconfig "$work/admin.kubeconfig" --authorization-kubeconfig "$work/admin.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false >"$logs/kube-scheduler.log" 2>&1 &
  wait
}

# Runs inside node N's network namespace and a private mount namespace: mounts what the daemons would otherwise
# write on the machine, starts them, and waits. Everything it mounts goes with the namespace.
inside_node() {
  local n=$1 dir name ip
  dir=$(node_dir "$n"); name=$(node_name "$n"); ip=$(node_ip "$n")
  mount -t tmpfs tmpfs /run
  mount -t tmpfs tmpfs /var/lib
  # The kubelet links container logs into /var/log/containers, whatever podLogsDir says.
  mount -t tmpfs tmpfs /var/log
  mkdir -p /run/netns
  local s
  for s in vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes; do
    mount --bind "$dir/sysctl/$s" "/proc/sys/${s//.//}"
  done
  export PATH="$containerd_bin:$PATH"
  local logs=$dir/logs
  mkdir -p "$logs"
  "$containerd_bin/containerd" --config "$dir/containerd/config.toml" >"$logs/containerd.log" 2>&1 &
  # The kubelet checks the runtime once, at start, and exits if it does not answer yet; systemd would restart it
  # (Restart=always), nothing does here, so it starts only once containerd serves.
  wait_for "containerd" 60 "$containerd_bin/ctr" --address "$dir/containerd/containerd.sock" version || true
  "$cluster_bin/kubelet" --config "$dir/kubelet/config.yaml" --kubeconfig "$dir/node.kubeconfig" \
    --root-dir "$dir/kubelet" --cert-dir "$dir/kubelet/pki" --hostname-override "$name" --node-ip "$ip" \
    >"$logs/kubelet.log" 2>&1 &
  "$cluster_bin/kube-proxy" --config "$dir/kube-proxy.yaml" >"$logs/kube-proxy.log" 2>&1 &
  # The NetworkPolicy enforcer: kube-router's firewall alone (no routing, no service proxy), once this node's Node
  # object exists (kube-router exits if it cannot find it).
  (until kubectl --kubeconfig "$work/admin.kubeconfig" get node "$name" >/dev/null 2>&1; do sleep 1; done
   exec "$kube_router_bin/kube-router" --kubeconfig="$work/admin.kubeconfig" --run-firewall=true --run-router=false \
     --run-service-proxy=false --hostname-override="$name" --metrics-port=0 --health-port=0) >"$logs/kube-router.log" 2>&1 &
  wait
}

# Whether a process runs: a killed one nobody has reaped yet is a zombie, and kill -0 would still find it.
running() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]; }

in_netns() { local n=$1; shift; nsenter --net="$(netns_file "$n")" -- "$@"; }
kubectl_node() { in_netns 1 kubectl --kubeconfig "$work/admin.kubeconfig" "$@"; }

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
  # traffic), cgroup v1 hierarchies with the pids controller, and network namespaces.
  local kernel=()
  grep -qw overlay /proc/filesystems || kernel+=("the overlay filesystem (modprobe overlay)")
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || kernel+=("bridge netfilter (modprobe br_netfilter)")
  [ -d /sys/fs/cgroup/pids ] || kernel+=("the cgroup v1 pids hierarchy at /sys/fs/cgroup/pids")
  [ -e /proc/self/ns/net ] || kernel+=("network namespaces (CONFIG_NET_NS)")
  if [ "${#kernel[@]}" -gt 0 ]; then
    log "this kernel lacks: $(IFS=';'; echo "${kernel[*]}")"
    exit 1
  fi
}

# Starts node N's daemons in its namespaces and waits until its containerd serves.
start_node() {
  local n=$1 dir
  dir=$(node_dir "$n")
  nsenter --net="$(netns_file "$n")" -- unshare --mount --propagation private -- bash "$here/node.sh" _inside_node "$n" \
    </dev/null >"$dir/inside.log" 2>&1 &
  echo $! > "$dir/inside.pid"
  if ! wait_for "containerd on $(node_name "$n")" 30 test -S "$dir/containerd/containerd.sock"; then
    tail -n 20 "$dir"/logs/*.log >&2 || true
    return 1
  fi
}

# No registry: the images are imported into node N's containerd, and the pod sandbox's pause image is pinned.
import_images() {
  local n=$1
  in_netns "$n" "$containerd_bin/ctr" --address "$(node_dir "$n")/containerd/containerd.sock" -n k8s.io images import \
    --all-platforms "$images" >/dev/null
}

node_ready() {
  local n=$1
  if ! wait_for "node $(node_name "$n") to be Ready" 90 kubectl_node wait --for=condition=Ready "node/$(node_name "$n")" --timeout=1s; then
    tail -n 30 "$(node_dir "$n")/logs/kubelet.log" >&2 || true
    return 1
  fi
  # A node whose enforcer is not running would let every connection through: its chains must be in place.
  if ! wait_for "kube-router's firewall on $(node_name "$n")" 60 in_netns "$n" iptables -S KUBE-ROUTER-FORWARD; then
    tail -n 20 "$(node_dir "$n")/logs/kube-router.log" >&2 || true
    return 1
  fi
  log "node $(node_name "$n") Ready at $(node_ip "$n"), pods $(pod_cidr "$n"): $(kubectl_node get node "$(node_name "$n")" \
    -o jsonpath='{.status.nodeInfo.kubeletVersion}, {.status.nodeInfo.containerRuntimeVersion}')"
}

up() {
  local nodes=$1 n
  prerequisites
  if leftovers; then
    log "a cluster is already up or was left behind by a killed run ($(run_netns | tr '\n' ' ')$work): run e2e/node.sh down first"
    exit 1
  fi
  binaries
  host_state > "/tmp/guide-node-host-before-$(id -u)"
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
  if ! kubectl_node apply -f "$here/cluster-dns.yaml" >/dev/null \
      || ! kubectl_node -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null; then
    log "CoreDNS did not become ready"
    kubectl_node -n kube-system describe deployment,replicaset,pods -l k8s-app=kube-dns >&2 || true
    return 1
  fi
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
EOF
}

# Stops node N abruptly, as a power loss would: every process of it (daemons, shims, containers) killed at once. Its
# namespaces and cgroups stay for down to remove.
lose_node() {
  local n=$1 pids
  for _ in 1 2 3; do
    pids=$(node_pids "$n")
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 0.2
  done
  [ -z "$(node_pids "$n")" ] || { log "node $n still has processes: $(node_pids "$n" | tr '\n' ' ')"; return 1; }
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
  local dir
  for dir in $(cgroup_dirs); do
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  for ns in $(run_netns); do ip netns delete "$ns"; done
  if [ -f "$work/run-netns-before" ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
    grep -q mount "$work/run-netns-before" || umount /run/netns 2>/dev/null || true
    grep -q dir "$work/run-netns-before" || rmdir /run/netns 2>/dev/null || true
  fi
  rm -rf "$work"
  # What must be gone, and what must be as it was.
  if [ -n "$(node_pids)" ]; then log "processes left: $(node_pids | tr '\n' ' ')"; left=1; fi
  if [ -n "$(cgroup_dirs)" ]; then log "cgroups left: $(cgroup_dirs | tr '\n' ' ')"; left=1; fi
  if [ -n "$(run_netns)" ]; then log "network namespaces left: $(run_netns | tr '\n' ' ')"; left=1; fi
  local before
  before=/tmp/guide-node-host-before-$(id -u)
  if [ -f "$before" ]; then
    if ! diff -u "$before" <(host_state) >&2; then log "the machine's state changed (diff above)"; left=1; fi
    rm -f "$before"
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
    nsenter --net="$GUIDE_E2E_NODE_NETNS" -- "$@"
    ;;
  *) echo "usage: e2e/node.sh up [--nodes N] | down | check | lose N | run [--nodes N] CMD..." >&2; exit 2 ;;
esac
