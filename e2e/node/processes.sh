# shellcheck shell=bash
# The processes: the cgroups, what runs inside the control plane's and each node's namespaces, and how a node is
# started, made ready, found and lost.
# Sourced by e2e/node.sh, whose variables (work, here, netns_prefix, ...) and naming helpers it uses.

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
  # The CPU, shared as separate machines would have it: the control plane, each node and the driver (the command of
  # `run`: jest, its loads and its kubectl and Pulumi processes) are one cgroup each, of equal weight, and a node's
  # daemons (containerd and its shims, kubelet, kube-proxy, kube-router) sit beside its pods as system.slice does. In
  # cgroup v1, every thread left in the root cgroup weighs as much as a whole cgroup: with the daemons and the loads
  # there, all pods of both nodes shared one thread's weight, and nginx workers waited seconds to run while a drain
  # started pods, long enough to miss the readiness probes that keep them in rotation.
  local cpu
  cpu=$(cpu_hierarchy)/$cgroup_root
  mkdir -p "$cpu/control-plane" "$cpu/driver"
  for n in $(seq "$1"); do mkdir -p "$cpu/node-$n/system"; done
}

# The cgroup v1 hierarchy with the cpu controller (cpu, or cpu,cpuacct where they are mounted together).
cpu_hierarchy() {
  local controller
  for controller in /sys/fs/cgroup/*/; do
    if [ -f "$controller/cpu.shares" ]; then echo "${controller%/}"; return 0; fi
  done
  return 1
}

# Moves the calling shell (and so what it starts) into the run's CPU cgroup $1 (see cgroups).
join_cpu_cgroup() { echo "$BASHPID" > "$(cpu_hierarchy)/$cgroup_root/$1/cgroup.procs"; }

# The CPU cgroups of the run are only in the cpu hierarchy, where down finds no process by cgroup: whatever is still in
# one after the kills (a test's own stray child) goes back to the hierarchy's root, so the cgroup can be removed.
release_cpu_cgroups() {
  local cpu procs pid
  cpu=$(cpu_hierarchy) || return 0
  [ -d "$cpu/$cgroup_root" ] || return 0
  for procs in $(find "$cpu/$cgroup_root" -name cgroup.procs); do
    while read -r pid; do echo "$pid" > "$cpu/cgroup.procs" 2>/dev/null || true; done < "$procs"
  done
}

# Runs inside the control plane's network namespace: etcd, the API server (with the aggregation layer, which serves
# metrics-server's API; aggregator routing sends to its pod's address, as no kube-proxy runs here), the controller
# manager and the scheduler.
inside_control_plane() {
  local logs=$work/logs
  join_cpu_cgroup control-plane
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
    --requestheader-client-ca-file "$work/pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- --proxy-client-cert-file "$work/pki/front-proxy-client.crt" \
    --proxy-client-key-file "$work/pki/front-proxy-client.key" --enable-aggregator-routing=true \
    >"$logs/kube-apiserver.log" 2>&1 &
  # The controller manager and the scheduler read the API server's settings once, at start, and exit if it does not
  # answer yet (a kubelet or systemd would restart them; nothing does here): they start once it is ready.
  wait_for "the API server" 120 kubectl --kubeconfig "$work/admin.kubeconfig" get --raw /readyz || true
  "$cluster_bin/kube-controller-manager" --kubeconfig "$work/admin.kubeconfig" \
    --authentication-kubeconfig "$work/admin.kubeconfig" --authorization-kubeconfig "$work/admin.kubeconfig" \
    --bind-address 127.0.0.1 --root-ca-file "$work/pki/ca.crt" --service-account-private-key-file "$work/pki/sa.key" \
    --leader-elect=false --service-cluster-ip-range "$service_cidr" \
    --horizontal-pod-autoscaler-sync-period "$hpa_sync_period" >"$logs/kube-controller-manager.log" 2>&1 &
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
  join_cpu_cgroup "node-$n/system"
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
  # kube-router's firewall, the NetworkPolicy enforcer, and its load-balancer allocator (no routing, no service proxy),
  # once this node's Node object exists (kube-router exits if it cannot find it). The allocators of all nodes elect one
  # leader through a Lease in kube-system, each named by its node, as the DaemonSet's pods would be.
  (until kubectl --kubeconfig "$work/admin.kubeconfig" get node "$name" >/dev/null 2>&1; do sleep 1; done
   POD_NAMESPACE=kube-system POD_NAME=kube-router-$name exec "$kube_router_bin/kube-router" \
     --kubeconfig="$work/admin.kubeconfig" --run-firewall=true --run-loadbalancer=true \
     --loadbalancer-ip-range="$loadbalancer_cidr" --run-router=false --run-service-proxy=false \
     --hostname-override="$name" --metrics-port=0 --health-port=0) >"$logs/kube-router.log" 2>&1 &
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
