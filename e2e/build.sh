#!/usr/bin/env bash
# Builds the e2e toolchain from the Go module proxy into a cache outside the repo.
#
#   e2e/build.sh [cluster|engine|all]
#
#   cluster  etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok (e2e/cluster/)
#   engine   the Pulumi CLI (e2e/pulumi-cli/) and pulumi-resource-kubernetes (e2e/pulumi-kubernetes/), at the
#            versions of @pulumi/pulumi and @pulumi/kubernetes in package-lock.json (checked: a mismatch fails);
#            `engine-env` builds the same and prints GUIDE_E2E_PULUMI_ROOT/_KUBERNETES as export lines
#   actionlint  the GitHub Actions workflow linter .ci/run checks .github/workflows/ with (e2e/actionlint/)
#   node     the real node: containerd, ctr and the runc shim (e2e/containerd/), the CNI plugins (e2e/cni-plugins/) and
#            CoreDNS with only the plugins its Corefile names (e2e/coredns/); kubelet and kube-proxy come with `cluster`
#            (same k8s.io/kubernetes)
#   netpol   kube-router built with its firewall alone (e2e/kube-router/), the NetworkPolicy enforcer (a test fixture)
#   load     vegeta (e2e/vegeta/), the bounded load generator
#   metrics  metrics-server (e2e/metrics-server/), which serves the kubelets' resource metrics to the HPA controller, and
#            nginx-prometheus-exporter (e2e/nginx-exporter/), the metrics sidecar of the node images
#   helm     Helm (e2e/helm/), which lints and renders the chart `cdk8s synth --format helm` makes
#   apiservers  kube-apiserver of each other supported minor (e2e/apiservers/<minor>/), for the API-server matrix
#            (`e2e/cluster.sh matrix`); the newest-but-one's comes with `cluster`
#   images   `node` and `metrics`, then the node's images (e2e/images.sh; root, mmdebstrap)
#   all      every one of them, one after the other (images only as root)
#
# Each wrapper module under e2e/ is built into
#   $GUIDE_E2E_CACHE/<module>-<hash of its go.mod, go.sum, *.go, the Go version and the build recipe>/
# and skipped when that folder is already complete, so a second run takes seconds. A module is built under a lock
# ($GUIDE_E2E_CACHE/.lock-<module>), so runs started side by side build each module once: the second waits, then
# reuses it. Builds run one at a time: go commands side by side each compile the dependencies they share and contend
# for the two cores (side by side on a cold machine, the control plane alone took longer than every module the
# control-plane suites need, one after the other).
# Prints the folder of each module's binaries on stdout as `<module>=<dir>`; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GUIDE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guide-as-code/e2e}
mkdir -p "$cache"

# Runs a build function holding its module's lock (flock, util-linux): `locked <module> <function>`.
locked() {
  local name=$1
  shift
  ( flock 9; "$@" ) 9>"$cache/.lock-$name"
}

# -dwarf=false: the compiler skips the debug information the links' -w drops anyway (about 8% of the Pulumi CLI's build
# time). The code is the same as before it (only the Go build ID differs), so cached builds stay valid: the recipe stays.
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -gcflags=all=-dwarf=false" GOTOOLCHAIN=local

# k8s.io/kubernetes reports v0.0.0 unless stamped; pulumi-kubernetes and kwokctl both read this version.
k8s_version() { go -C "$here/cluster" list -m -f '{{.Version}}' k8s.io/kubernetes; }

# The link flags of a Kubernetes binary of <version> (v1.X.Y): stripped, and stamped with the version it reports.
k8s_ldflags() {
  local kv=$1 minor pkg ld="-s -w"
  minor=${kv#v1.}; minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=$kv -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$ld"
}

# Bump when the way binaries are built changes (flags, stamping), so cached builds are not reused.
recipe=1

# The cache key: the wrapper module's own files and the recipe, so edits elsewhere never force a rebuild.
key_of() {
  local dir=$1
  { echo "recipe $recipe $(go env GOVERSION GOOS GOARCH)"; find "$dir" -maxdepth 1 -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs cat; } \
    | sha256sum | cut -c1-16
}

build_cluster() {
  local started src=$here/cluster out kv ld
  out=$cache/cluster-$(key_of "$src")
  if [ -f "$out/.complete" ]; then echo "cluster=$out"; return; fi
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  kv=$(k8s_version)
  ld=$(k8s_ldflags "$kv")
  started=$SECONDS
  echo "building kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy $kv, etcd, kwok into $out" >&2
  (cd "$src" && go build -trimpath -ldflags "$ld" -o "$out.tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
      k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
  # etcd's binary needs a name of its own, and kwok no Kubernetes stamp; both reuse what the first command compiled.
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3)
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$out.tmp/" sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl)
  finish cluster "$out" "$started"
}

# The npm package's version in package-lock.json: what users' `npm ci` installs.
locked_version() {
  node -e 'const l = require(process.argv[1]); process.stdout.write(l.packages["node_modules/" + process.argv[2]].version)' \
    "$here/../package-lock.json" "$1"
}

# The e2e must prove the versions users get, so a wrapper that drifts from the lockfile is an error, not a warning.
require_same_version() {
  local what=$1 npm_pkg=$2 built=$3 locked
  locked=$(locked_version "$npm_pkg")
  if [ "$locked" != "$built" ]; then
    echo "e2e/build.sh: $what builds $built but package-lock.json has $npm_pkg $locked: move one of them so both agree" >&2
    exit 1
  fi
}

# Removes the builds of a module other than $1: they are only disk now.
prune_older() {
  local keep=$1 prefix=${1%-*}
  find "$cache" -maxdepth 1 -name "$(basename "$prefix")-*" ! -name "$(basename "$keep")" -exec rm -rf {} +
}

# Ends a build of <module> in <out>.tmp, begun at <SECONDS then>: marks it complete, says how long it took (the
# README's cost figures come from that line), moves it in place, removes older builds and prints `<module>=<out>`.
finish() {
  local name=$1 out=$2 started=$3
  touch "$out.tmp/.complete"
  echo "e2e/build.sh: built $name in $((SECONDS - started)) s" >&2
  rm -rf "$out"; mv "$out.tmp" "$out"
  prune_older "$out"
  echo "$name=$out"
}

build_pulumi_cli() {
  local started src=$here/pulumi-cli out version
  version=$(go -C "$src" list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
  require_same_version "e2e/pulumi-cli" @pulumi/pulumi "${version#v}"
  out=$cache/pulumi-cli-$(key_of "$src")
  if [ -f "$out/.complete" ]; then echo "pulumi-cli=$out"; return; fi
  rm -rf "$out.tmp"; mkdir -p "$out.tmp/bin"
  started=$SECONDS
  echo "building pulumi $version into $out" >&2
  # The version stamp is what `pulumi version` prints and what the Automation API checks against @pulumi/pulumi.
  (cd "$src" && go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      -o "$out.tmp/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  finish pulumi-cli "$out" "$started"
}

# Release 4.25.0 is the commit of this pseudo-version; the module carries no release tag to read it from.
provider_release=4.25.0

build_pulumi_kubernetes() {
  local started src=$here/pulumi-kubernetes out mod build
  require_same_version "e2e/pulumi-kubernetes" @pulumi/kubernetes "$provider_release"
  out=$cache/pulumi-kubernetes-$(key_of "$src")
  if [ -f "$out/.complete" ]; then echo "pulumi-kubernetes=$out"; return; fi
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  started=$SECONDS
  echo "building pulumi-resource-kubernetes $provider_release into $out" >&2
  # Upstream's main embeds files its `go generate` writes (schema with the release version, compact mapping) and
  # git ignores, so the module lacks them: write them as its generate.go does, in a copy of the wrapper.
  (cd "$src" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4)
  mod=$(go -C "$src" list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)
  build=$out.tmp/src
  mkdir -p "$build"
  cp "$src/go.mod" "$src/go.sum" "$src/main.go" "$build/"
  node -e '
    const fs = require("fs");
    const [schema, mapping, version, dir] = process.argv.slice(1);
    const spec = JSON.parse(fs.readFileSync(schema, "utf8"));
    spec.version = version;
    fs.writeFileSync(dir + "/schema-embed.json", JSON.stringify(spec));
    fs.writeFileSync(dir + "/terraform-mapping-embed.json", JSON.stringify(JSON.parse(fs.readFileSync(mapping, "utf8"))));
  ' "$mod/cmd/pulumi-resource-kubernetes/schema.json" "$mod/cmd/pulumi-resource-kubernetes/terraform-mapping.json" \
    "$provider_release" "$build"
  (cd "$build" && go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$provider_release" \
      -o "$out.tmp/pulumi-resource-kubernetes" .)
  rm -rf "$build"
  echo "$provider_release" > "$out.tmp/VERSION"
  finish pulumi-kubernetes "$out" "$started"
}

build_actionlint() {
  local started src=$here/actionlint out
  out=$cache/actionlint-$(key_of "$src")
  if [ -f "$out/.complete" ]; then echo "actionlint=$out"; return; fi
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  started=$SECONDS
  echo "building actionlint $(go -C "$src" list -m -f '{{.Version}}' github.com/rhysd/actionlint) into $out" >&2
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$out.tmp/actionlint" github.com/rhysd/actionlint/cmd/actionlint)
  finish actionlint "$out" "$started"
}

# Builds the packages of one wrapper module into its cached folder: build_wrapper <module> <go build flags...> -- <pkg>...
build_wrapper() {
  local started name=$1 src=$here/$1 out label flags=() pkgs=()
  shift
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
  pkgs=("$@")
  out=$cache/$name-$(key_of "$src")
  if [ -f "$out/.complete" ]; then echo "$name=$out"; return; fi
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  started=$SECONDS
  # Each package by its command's name: the last path element, or the one before a major-version suffix (vegeta/v12).
  label=$(printf '%s\n' "${pkgs[@]}" | sed -E 's#/v[0-9]+$##; s#.*/##' | paste -sd' ')
  [ "$label" = . ] && label="$name (e2e/$name/main.go)"
  echo "building $label into $out" >&2
  (cd "$src" && go build -trimpath "${flags[@]}" -o "$out.tmp/" "${pkgs[@]}")
  finish "$name" "$out" "$started"
}

build_node() {
  local cv
  cv=$(go -C "$here/containerd" list -m -f '{{.Version}}' github.com/containerd/containerd/v2)
  build_wrapper containerd -tags no_btrfs,no_devmapper,no_zfs,no_aufs \
    -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$cv" -- \
    github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/ctr \
    github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2
  build_wrapper cni-plugins -ldflags "-s -w" -- \
    github.com/containernetworking/plugins/plugins/main/bridge github.com/containernetworking/plugins/plugins/ipam/host-local \
    github.com/containernetworking/plugins/plugins/main/loopback github.com/containernetworking/plugins/plugins/meta/portmap
  build_wrapper coredns -ldflags "-s -w" -- .
}

build_netpol() {
  build_wrapper kube-router -ldflags "-s -w" -- .
}

build_load() {
  build_wrapper vegeta -ldflags "-s -w" -- github.com/tsenart/vegeta/v12
}

build_metrics() {
  build_wrapper metrics-server -ldflags "-s -w" -- sigs.k8s.io/metrics-server/cmd/metrics-server
  build_wrapper nginx-exporter -ldflags "-s -w" -- github.com/nginxinc/nginx-prometheus-exporter
}

build_helm() {
  # Stamped with its release, which `helm version` reports (the module itself says only its minor).
  build_wrapper helm -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$(go -C "$here/helm" list -m -f '{{.Version}}' helm.sh/helm/v4)" -- \
    helm.sh/helm/v4/cmd/helm
}

# kube-apiserver <minor> alone (etcd is the cluster's: one etcd 3.6 serves every supported minor).
build_apiserver() {
  local started minor=$1 src=$here/apiservers/$1 out kv ld
  out=$cache/apiserver-$minor-$(key_of "$src")
  if [ -f "$out/.complete" ]; then echo "apiserver-$minor=$out"; return; fi
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  kv=$(go -C "$src" list -m -f '{{.Version}}' k8s.io/kubernetes)
  ld=$(k8s_ldflags "$kv")
  started=$SECONDS
  echo "building kube-apiserver $kv into $out" >&2
  (cd "$src" && go build -trimpath -ldflags "$ld" -o "$out.tmp/" k8s.io/kubernetes/cmd/kube-apiserver)
  finish "apiserver-$minor" "$out" "$started"
}

# The minors of the API-server matrix besides the cluster's own, oldest first.
apiserver_minors() { find "$here/apiservers" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V; }

build_apiservers() {
  local minor
  for minor in $(apiserver_minors); do locked "apiserver-$minor" build_apiserver "$minor"; done
}

# Everything, in the order the suites need it; the node's images only as root (images.sh needs it).
build_all() {
  locked cluster build_cluster; locked pulumi-cli build_pulumi_cli; locked pulumi-kubernetes build_pulumi_kubernetes
  locked actionlint build_actionlint; locked node build_node; locked netpol build_netpol; locked load build_load
  locked metrics build_metrics; locked helm build_helm
  build_apiservers
  if [ "$(id -u)" -eq 0 ]; then build_images; else echo "e2e/build.sh: not root: the node's images are left to e2e/node.sh" >&2; fi
}

build_images() {
  local coredns metrics
  coredns=$(locked node build_node | sed -n 's/^coredns=//p')
  metrics=$(locked metrics build_metrics)
  "$here/images.sh" "$coredns/coredns" "$(sed -n 's/^metrics-server=//p' <<<"$metrics")/metrics-server" \
    "$(sed -n 's/^nginx-exporter=//p' <<<"$metrics")/nginx-prometheus-exporter"
}

case ${1:-cluster} in
  cluster) locked cluster build_cluster ;;
  engine) locked pulumi-cli build_pulumi_cli; locked pulumi-kubernetes build_pulumi_kubernetes ;;
  # What the e2e suites need to find the engine: export lines for eval.
  engine-env)
    cli=$(locked pulumi-cli build_pulumi_cli | sed -n 's/^pulumi-cli=//p')
    provider=$(locked pulumi-kubernetes build_pulumi_kubernetes | sed -n 's/^pulumi-kubernetes=//p')
    printf 'export GUIDE_E2E_PULUMI_ROOT=%q\nexport GUIDE_E2E_PULUMI_KUBERNETES=%q\n' "$cli" "$provider" ;;
  actionlint) locked actionlint build_actionlint ;;
  node) locked node build_node ;;
  netpol) locked netpol build_netpol ;;
  load) locked load build_load ;;
  metrics) locked metrics build_metrics ;;
  helm) locked helm build_helm ;;
  apiservers) build_apiservers ;;
  images) build_images ;;
  all) build_all ;;
  *) echo "e2e/build.sh: unknown target '$1' (use cluster, engine, actionlint, node, netpol, load, metrics, helm, apiservers, images or all)" >&2; exit 2 ;;
esac
