# shellcheck shell=bash
# The cluster's PKI: its CA, the serving and client certificates, the aggregation layer's front-proxy CA and client, and
# the kubeconfigs made from them.
# Sourced by e2e/node.sh, whose variables (work, here, netns_prefix, ...) and naming helpers it uses.

certificates() {
  local pki=$work/pki nodes=$1 n
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 -subj /CN=guide-node-ca 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" -subj /CN=kube-apiserver 2>/dev/null
  printf 'subjectAltName=IP:%s,IP:10.96.0.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' \
    "$cp_ip" > "$pki/apiserver.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
  # The aggregation layer's: the API server proxies to metrics-server as front-proxy-client, a certificate of a CA of
  # its own, which metrics-server trusts for the user it names (extension-apiserver-authentication in kube-system).
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/front-proxy-ca.key" -out "$pki/front-proxy-ca.crt" -days 2 \
    -subj /CN=guide-node-front-proxy-ca 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$pki/front-proxy-client.key" -out "$pki/front-proxy-client.csr" \
    -subj /CN=front-proxy-client 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > "$pki/front-proxy-client.ext"
  openssl x509 -req -in "$pki/front-proxy-client.csr" -CA "$pki/front-proxy-ca.crt" -CAkey "$pki/front-proxy-ca.key" \
    -CAcreateserial -days 2 -extfile "$pki/front-proxy-client.ext" -out "$pki/front-proxy-client.crt" 2>/dev/null
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
