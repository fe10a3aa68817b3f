# shellcheck shell=bash
# The cluster's add-ons, run as pods as real clusters run them: CoreDNS (e2e/cluster-dns.yaml) and metrics-server
# (the release's own manifests, from its Go module, with the node images' build of it). Each has a start, which applies
# it, and a ready, which waits until it serves.
# Sourced by e2e/node.sh, whose variables (work, here, ...) and helpers (kubectl_node, wait_for, log) it uses.

cluster_dns_start() {
  kubectl_node apply -f "$here/cluster-dns.yaml" >/dev/null || { log "applying e2e/cluster-dns.yaml failed"; return 1; }
}

cluster_dns_ready() {
  if ! kubectl_node -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null; then
    log "CoreDNS did not become ready"
    kubectl_node -n kube-system describe deployment,replicaset,pods -l k8s-app=kube-dns >&2 || true
    return 1
  fi
}

# metrics-server's manifests/base of the release e2e/metrics-server pins (ServiceAccount, RBAC, Service, Deployment,
# APIService v1beta1.metrics.k8s.io), as a kustomization over it: the image built here (never pulled), and its flags
# for these kubelets: their serving certificates are self-signed (no CSR approver signs kubelet serving certificates
# here), so metrics-server does not verify them; it asks for their InternalIP, the only address they have; and it
# reads them every 10 s (the release's manifest says 15 s), so the HPA sees a surge sooner, with a 5 s timeout (it must
# be shorter than the interval; these kubelets answer in milliseconds).
metrics_server_start() {
  local dir=$work/metrics-server base
  base=$(go -C "$here/metrics-server" list -m -f '{{.Dir}}' sigs.k8s.io/metrics-server)/manifests/base
  [ -f "$base/kustomization.yaml" ] || { log "metrics-server's manifests are not at $base: run e2e/build.sh metrics"; return 1; }
  mkdir -p "$dir"
  # kustomize takes a base by a relative path only.
  cat > "$dir/kustomization.yaml" <<YAML
resources:
  - $(realpath --relative-to="$dir" "$base")
images:
  - name: gcr.io/k8s-staging-metrics-server/metrics-server
    newName: guide.local/metrics-server
    newTag: 0.8.0
patches:
  - target: {kind: Deployment, name: metrics-server}
    patch: |
      - op: replace
        path: /spec/template/spec/containers/0/args
        value: [--cert-dir=/tmp, --secure-port=10250, --kubelet-preferred-address-types=InternalIP, --kubelet-use-node-status-port,
                --metric-resolution=10s, --kubelet-request-timeout=5s, --kubelet-insecure-tls]
      - op: replace
        path: /spec/template/spec/containers/0/imagePullPolicy
        value: Never
YAML
  # kustomize warns on stderr that the release's kustomization uses commonLabels; the objects are as the release has them.
  kubectl_node apply -k "$dir" >/dev/null 2>"$dir/apply.log" || { cat "$dir/apply.log" >&2; log "applying metrics-server failed"; return 1; }
}

# Ready once the aggregated API is Available and answers for every node: what the HPA controller reads.
metrics_server_ready() {
  if ! kubectl_node -n kube-system rollout status deployment/metrics-server --timeout=120s >/dev/null \
      || ! kubectl_node wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=60s >/dev/null \
      || ! wait_for "the resource metrics of every node" 60 sh -c "[ \"\$(nsenter --net=$(netns_file 1) kubectl --kubeconfig $work/admin.kubeconfig top nodes --no-headers | wc -l)\" = $(node_count) ]"; then
    log "metrics-server did not serve the nodes' metrics"
    kubectl_node -n kube-system describe deployment,pods -l k8s-app=metrics-server >&2 || true
    kubectl_node get apiservice v1beta1.metrics.k8s.io -o yaml >&2 || true
    kubectl_node -n kube-system logs -l k8s-app=metrics-server --tail=30 >&2 || true
    return 1
  fi
  log "metrics-server serves the resource metrics of $(node_count) nodes"
}
