# shellcheck shell=bash
# The network: the control plane's namespace with the bridge, each node's namespace joined to it, the routes between
# the nodes' pod subnets, and a client outside the nodes with a route to the load-balancer addresses.
# Sourced by e2e/node.sh, whose variables (work, here, netns_prefix, ...) and naming helpers it uses.

# The control plane's namespace, with the bridge the nodes join; it forwards nothing, so nothing leaves the nodes.
control_plane_network() {
  # `ip netns add` makes /run/netns a mount point (and the folder) the first time; the last cluster of this harness to
  # go puts it back as it was before the first came (the first records it; noclobber keeps a later one from doing so).
  (set -C; run_netns_state > "$run_netns_record") 2>/dev/null || true
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

# A client outside the nodes: a namespace of its own on the bridge, with only the route to the load-balancer range,
# one next hop per node, as a router that learnt the range from the nodes by BGP has it. kube-proxy on whichever node
# a packet reaches sends it on to an nginx pod.
client_network() {
  local nodes=$1 ns=$netns_prefix-client n hops=()
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add eth0 type veth peer name gclient netns "$netns_prefix-cp"
  ip -n "$netns_prefix-cp" link set gclient master gbr0 up
  ip -n "$ns" addr add "$client_ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  for n in $(seq "$nodes"); do hops+=(nexthop via "$(node_ip "$n")" dev eth0); done
  ip -n "$ns" route add "$loadbalancer_cidr" "${hops[@]}"
}

# Whether /run/netns is a folder and a mount point: `dir`, `mount`, one per line.
run_netns_state() { [ -d /run/netns ] && echo dir; mountpoint -q /run/netns && echo mount; true; }

# Once no cluster of this harness has a namespace left: /run/netns as the record says it was, and the record gone.
restore_run_netns() {
  [ -f "$run_netns_record" ] || return 0
  ip netns list 2>/dev/null | grep -q "^guide-node-$(id -u)-" && return 0
  [ -z "$(ls -A /run/netns 2>/dev/null)" ] || return 0
  grep -q mount "$run_netns_record" || umount /run/netns 2>/dev/null || true
  grep -q dir "$run_netns_record" || rmdir /run/netns 2>/dev/null || true
  if [ "$(run_netns_state)" != "$(cat "$run_netns_record")" ]; then
    log "/run/netns is not as it was before the first cluster ($(run_netns_state | paste -sd' ') now, $(paste -sd' ' "$run_netns_record") before)"
    return 1
  fi
  rm -f "$run_netns_record"
}

