#!/usr/bin/env bash
# `npm run test:package` (in .ci/run): the construct library as its users get it.
#   1. `npm publish --dry-run` warns about nothing; `npm pack` ships the compiled library and the Pulumi component only,
#      and nothing in it loads a cdk8s-plus.
#   2. The README's install line, exactly as printed, in a fresh project (the tarball where the line expects it); the
#      README's example compiles under `strict` and synthesizes, and no Pulumi package came with the library.
#   3. For each supported cdk8s-plus (27, 32, 33, 34): a project with that cdk8s-plus alone installs the tarball, has
#      one copy of it and of cdk8s and constructs and no other cdk8s-plus, and compiles and synthesizes docs/constructs.md's
#      composing example against it (its workload behind ExposedService, NginxApp as that version's NetworkPolicy
#      selector and allowTo peer). Each output goes to $GUIDE_E2E_PACKAGE_OUTPUTS (default build/package-outputs/), which the
#      API-server matrix applies on every supported Kubernetes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/guide-package-XXXXXX")
trap 'rm -rf "$work"' EXIT
outputs=${GUIDE_E2E_PACKAGE_OUTPUTS:-$root/build/package-outputs}
rm -rf "$outputs"
mkdir -p "$outputs"

# The cdk8s-plus versions the library supports, at the releases proved here.
plus_versions=("27=2.9.5" "32=2.5.92" "33=2.5.57" "34=2.0.54")
# The user's own cdk8s and constructs, one patch behind the project's: the peer ranges must take them and npm must not
# nest copies of its own (two copies of Construct make the user's Chart fail to type-check as a scope).
user_cdk8s=2.70.104 user_constructs=10.8.0
typescript=$(node -p "require('$root/node_modules/typescript/package.json').version")
types_node=$(node -p "require('$root/node_modules/@types/node/package.json').version")

fail() { echo "check-package: $*" >&2; exit 1; }

# docs/constructs.md's TypeScript block after the marker `<!-- example: <name> -->`; fails when there is none.
docs_example() {
  local text
  text=$(awk -v marker="<!-- example: $1 -->" '$0 == marker { found = 1; next } found && /^```ts$/ { on = 1; next } on && /^```$/ { exit } on' \
    "$root/docs/constructs.md")
  [ -n "$text" ] || fail "docs/constructs.md has no '<!-- example: $1 -->' TypeScript block"
  printf '%s\n' "$text"
}

# --- 1. the package -------------------------------------------------------------------------------------------------
publish=$(cd "$root" && npm publish --dry-run 2>&1) || { echo "$publish" >&2; fail "npm publish --dry-run failed"; }
if warnings=$(echo "$publish" | grep -i 'warn' | grep -v 'requires you to be logged in'); then
  echo "$warnings" >&2
  fail "npm publish --dry-run warned about the package (above)"
fi
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball: $(tar -tzf "$work/$tarball" | grep -c '') files" >&2
if tar -tzf "$work/$tarball" | grep -v -E '^package/(build/(lib|pulumi)/[a-z.-]+\.(js|d\.ts)|build/lib/imports/(k8s|monitoring\.coreos\.com)\.(js|d\.ts)|package\.json|README\.md|LICENSE)$'; then
  fail "the tarball holds files beyond build/lib/ and build/pulumi/ (above)"
fi
if tar -tzf "$work/$tarball" | grep -E '^package/build/pulumi/(index|program|stack-file)\.'; then
  fail "the tarball holds the Pulumi program (above); the package ships the component only"
fi
mkdir -p "$work/unpacked" && tar -xzf "$work/$tarball" -C "$work/unpacked"
if grep -rlE "(require\(|from )[\"']cdk8s-plus-" "$work/unpacked/package/build"; then
  fail "the files above load a cdk8s-plus: the library must work with whichever version its user has"
fi

# A new TypeScript project in $1, strict.
new_project() {
  mkdir -p "$1"
  echo '{ "name": "consumer", "version": "1.0.0", "private": true }' > "$1/package.json"
  echo '{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "outDir": "out", "types": ["node"] } }' > "$1/tsconfig.json"
}

# Each of the packages $2... is installed once in the project $1, and no cdk8s-plus but $3 (or none) and no Pulumi package.
check_tree() {
  local dir=$1 plus=$2 pkg copies others
  shift 2
  for pkg in "$@"; do
    copies=$(cd "$dir" && find node_modules \( -path "node_modules/$pkg/package.json" -o -path "*/node_modules/$pkg/package.json" \) | wc -l)
    [ "$copies" -eq 1 ] || fail "$dir: $copies copies of $pkg installed (npm nested one under guide-as-code): widen its peer range"
  done
  others=$(find "$dir/node_modules" -maxdepth 3 -type d -name 'cdk8s-plus-*' | grep -v "/node_modules/$plus\$" || true)
  [ -z "$others" ] || fail "$dir: installing the library brought another cdk8s-plus: $others"
  if [ -e "$dir/node_modules/@pulumi" ] || (cd "$dir" && find node_modules -type d -path '*/node_modules/@pulumi' | grep -q .); then
    fail "$dir: installing the construct library installed Pulumi packages"
  fi
}

# The objects of a synthesized file, as kind/namespace/name (Job names without their content hash).
objects_of() {
  node -e "
    const { parseAllDocuments } = require('$root/node_modules/yaml');
    const docs = parseAllDocuments(require('fs').readFileSync(process.argv[1], 'utf8')).map((d) => d.toJS());
    console.log(docs.map((o) => o.kind + '/' + o.metadata.namespace + '/' + o.metadata.name.replace(/-[0-9a-f]{8}\$/, '-<hash>')).join(' '));" "$1"
}

# --- 2. the README's install line, exactly as printed ---------------------------------------------------------------
install_line=$(grep -E '^npm install \./guide-as-code/' "$root/README.md") || fail "README.md has no line 'npm install ./guide-as-code/...'"
readme_tarball=$(echo "$install_line" | sed -E 's#^npm install \./guide-as-code/([^ ]+) .*#\1#')
[ "$readme_tarball" = "$tarball" ] || fail "README.md installs ./guide-as-code/$readme_tarball, but npm pack makes $tarball"
readme=$work/readme
new_project "$readme"
mkdir -p "$readme/guide-as-code" && cp "$work/$tarball" "$readme/guide-as-code/"
(cd "$readme" && bash -euc "$install_line --no-audit --no-fund --silent")
(cd "$readme" && npm install --silent --no-audit --no-fund "typescript@$typescript" "@types/node@$types_node")
check_tree "$readme" cdk8s-plus-34 cdk8s constructs cdk8s-plus-34
node -e "require.resolve('guide-as-code/pulumi', { paths: ['$readme'] })"
awk '/^```ts$/ { on = 1; next } on && /^```$/ { exit } on' "$root/README.md" > "$readme/chart.ts"
grep -q "from 'guide-as-code'" "$readme/chart.ts" || fail "README.md has no TypeScript example importing 'guide-as-code'"
(cd "$readme" && npx tsc -p . && node out/chart.js)
kinds=$(objects_of "$readme/dist/shop.k8s.yaml")
expected="Service/shop/my-nginx ConfigMap/shop/my-nginx-conf Deployment/shop/my-nginx PodDisruptionBudget/shop/my-nginx Deployment/shop/curl-deployment Job/shop/my-nginx-https-check-<hash>"
[ "$kinds" = "$expected" ] || fail "the README's example synthesized '$kinds', expected '$expected'"
size=$(du -sm "$readme/node_modules" | cut -f1) packages=$(cd "$readme" && npm ls --all --parseable 2>/dev/null | tail -n +2 | sort -u | wc -l)
echo "package: the README's line installed $packages packages, $size MB; its example synthesized: $kinds" >&2
# docs/constructs.md's autoscaling example, in the same project.
docs_example autoscaling > "$readme/scaled.ts"
(cd "$readme" && npx tsc -p . && node out/scaled.js)
kinds=$(objects_of "$readme/dist/scaled.k8s.yaml")
expected="Service/shop/my-nginx ConfigMap/shop/my-nginx-conf Deployment/shop/my-nginx HorizontalPodAutoscaler/shop/my-nginx PodMonitor/shop/my-nginx PodDisruptionBudget/shop/my-nginx NetworkPolicy/shop/default-deny NetworkPolicy/shop/my-nginx-ingress NetworkPolicy/shop/my-nginx-metrics"
[ "$kinds" = "$expected" ] || fail "docs/constructs.md's autoscaling example synthesized '$kinds', expected '$expected'"
echo "package: docs/constructs.md's autoscaling example compiled under strict and synthesized: $kinds" >&2

# --- 3. every supported cdk8s-plus --------------------------------------------------------------------------------
example=$(docs_example compose)
for entry in "${plus_versions[@]}"; do
  minor=${entry%%=*} version=${entry#*=}
  started=$SECONDS
  dir=$work/plus-$minor
  new_project "$dir"
  (cd "$dir" && npm install --silent --no-audit --no-fund --prefer-offline "$work/$tarball" "cdk8s@$user_cdk8s" "constructs@$user_constructs" \
    "cdk8s-plus-$minor@$version" "typescript@$typescript" "@types/node@$types_node")
  check_tree "$dir" "cdk8s-plus-$minor" cdk8s constructs "cdk8s-plus-$minor"
  # The example as its reader adapts it: their cdk8s-plus; a namespace per version, so the matrix applies each apart.
  echo "$example" | sed -e "s/'cdk8s-plus-34'/'cdk8s-plus-$minor'/" -e "s/namespace: 'compose'/namespace: 'compose-plus-$minor'/" > "$dir/compose.ts"
  (cd "$dir" && npx tsc -p . && node out/compose.js)
  file=$dir/dist/compose.k8s.yaml
  node -e "
    const { parseAllDocuments } = require('$root/node_modules/yaml');
    const objects = parseAllDocuments(require('fs').readFileSync('$file', 'utf8')).map((d) => d.toJS());
    const problems = [];
    const shopService = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'shop');
    const shop = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop');
    if (!shopService || !shop) problems.push('no Service and Deployment named shop');
    else if (JSON.stringify(shopService.spec.selector) !== JSON.stringify(shop.spec.selector.matchLabels)) problems.push('Service shop does not select the pods of Deployment shop');
    else if (JSON.stringify(shopService.spec.ports) !== JSON.stringify([{ port: 8080, protocol: 'TCP' }])) problems.push('Service shop has ports ' + JSON.stringify(shopService.spec.ports));
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const selectsWeb = policies.filter((p) => JSON.stringify(p.spec.podSelector) === JSON.stringify({ matchLabels: { run: 'my-nginx' } }));
    if (!selectsWeb.some((p) => p.metadata.name.includes('web-from-shop'))) problems.push('no NetworkPolicy web-from-shop selecting run=my-nginx');
    const ports = selectsWeb.flatMap((p) => (p.spec.ingress ?? []).flatMap((r) => (r.ports ?? []).map((x) => x.port))).sort();
    if (!ports.includes(8443) || !ports.includes(8080)) problems.push('allowTo(web) did not open nginx\'s ports 8443 and 8080, but ' + JSON.stringify(ports));
    if (problems.length > 0) { console.error(problems.join('\n')); process.exit(1); }"
  cp "$file" "$outputs/compose-plus-$minor.k8s.yaml"
  echo "package: cdk8s-plus-$minor $version: one copy, the composing example compiled under strict and synthesized $(objects_of "$file" | wc -w) objects in $((SECONDS - started)) s" >&2
done
echo "package ok: $tarball installs by the README's line and with cdk8s-plus-27, -32, -33 and -34; outputs in $outputs"
