#!/usr/bin/env bash
# Builds the e2e toolchain from the Go module proxy into a cache outside the repo.
#
#   e2e/build.sh [cluster]    (the only target: the Pulumi CLI and providers cannot be built from this proxy)
#
# Each wrapper module under e2e/ is built into
#   $GUIDE_E2E_CACHE/<module>-<hash of its go.mod, go.sum, *.go, the Go version and the build recipe>/
# and skipped when that folder is already complete, so a second run takes seconds.
# Prints the folder of each module's binaries on stdout as `<module>=<dir>`; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GUIDE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guide-as-code/e2e}
mkdir -p "$cache"

export CGO_ENABLED=0 GOFLAGS=-mod=readonly GOTOOLCHAIN=local

# k8s.io/kubernetes reports v0.0.0 unless stamped; pulumi-kubernetes and kwokctl both read this version.
k8s_version() { go -C "$here/cluster" list -m -f '{{.Version}}' k8s.io/kubernetes; }

# Bump when the way binaries are built changes (flags, stamping), so cached builds are not reused.
recipe=1

# The cache key: the wrapper module's own files and the recipe, so edits elsewhere never force a rebuild.
key_of() {
  local dir=$1
  { echo "recipe $recipe $(go env GOVERSION GOOS GOARCH)"; find "$dir" -maxdepth 1 -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs cat; } \
    | sha256sum | cut -c1-16
}

build_cluster() {
  local src=$here/cluster out kv minor ld
  out=$cache/cluster-$(key_of "$src")
  if [ -f "$out/.complete" ]; then echo "cluster=$out"; return; fi
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  kv=$(k8s_version); minor=${kv#v1.}; minor=${minor%%.*}
  ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=$kv -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "building kube-apiserver, kube-controller-manager, kube-scheduler $kv, etcd, kwok into $out" >&2
  (cd "$src" && go build -trimpath -ldflags "$ld" -o "$out.tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3)
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$out.tmp/" sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl)
  touch "$out.tmp/.complete"
  rm -rf "$out"; mv "$out.tmp" "$out"
  # Older builds of this module are only disk now (~400 MB each).
  find "$cache" -maxdepth 1 -name 'cluster-*' ! -name "$(basename "$out")" -exec rm -rf {} +
  echo "cluster=$out"
}

case ${1:-cluster} in
  cluster) build_cluster ;;
  *) echo "e2e/build.sh: unknown target '$1' (use cluster)" >&2; exit 2 ;;
esac
