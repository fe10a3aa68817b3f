#!/usr/bin/env bash
# Builds the e2e toolchain from the Go module proxy into a cache outside the repo.
#
#   e2e/build.sh [cluster|pulumi|k8sprovider|tlsprovider|all]    (default: all)
#
# Each wrapper module under e2e/ is built into
#   $GUIDE_E2E_CACHE/<module>-<hash of go.mod, go.sum, main.go and this script>/
# and skipped when that folder is already complete, so a second run takes seconds.
# Prints the folder of each module's binaries on stdout as `<module>=<dir>`; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GUIDE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guide-as-code/e2e}
mkdir -p "$cache"

export CGO_ENABLED=0 GOFLAGS=-mod=readonly GOTOOLCHAIN=local

# k8s.io/kubernetes reports v0.0.0 unless stamped; pulumi-kubernetes and kwokctl both read this version.
k8s_version() { go -C "$here/cluster" list -m -f '{{.Version}}' k8s.io/kubernetes; }

key_of() {
  local dir=$1
  (cd "$dir" && git ls-files -co --exclude-standard -- . | LC_ALL=C sort | xargs cat) | cat - "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16
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
  echo "cluster=$out"
}

targets=${1:-all}
case $targets in
  cluster) build_cluster ;;
  all) build_cluster ;;
  *) echo "e2e/build.sh: unknown target '$targets' (use cluster or all)" >&2; exit 2 ;;
esac
