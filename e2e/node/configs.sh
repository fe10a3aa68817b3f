# shellcheck shell=bash
# Each node's configuration: its containerd, CNI, kubelet, kube-proxy and kube-router files.
# Sourced by e2e/node.sh, whose variables (work, here, netns_prefix, ...) and naming helpers it uses.

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
