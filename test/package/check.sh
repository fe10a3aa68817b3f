#!/usr/bin/env bash
# Proves the construct library works as a package: `npm pack`, install the tarball into a new TypeScript project
# beside cdk8s and constructs of other (older, compatible) patch versions than the project's own, compile the README's
# example with `strict`, synthesize it, and check that no Pulumi package came with it.
# Run by .ci/run (npm run test:package).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/guide-package-XXXXXX")
trap 'rm -rf "$work"' EXIT

# What `npm publish` would send, with no warning about the package itself (only logging in is left to the publisher).
publish=$(cd "$root" && npm publish --dry-run 2>&1) || { echo "$publish" >&2; echo "check-package: npm publish --dry-run failed" >&2; exit 1; }
if warnings=$(echo "$publish" | grep -i 'warn' | grep -v 'requires you to be logged in'); then
  echo "$warnings" >&2
  echo "check-package: npm publish --dry-run warned about the package (above)" >&2
  exit 1
fi

tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball: $(tar -tzf "$work/$tarball" | grep -c '') files" >&2
# The package ships the compiled library only: no sources, tests, keys or the synth app.
if tar -tzf "$work/$tarball" | grep -v -E '^package/(build/(lib|pulumi)/[a-z-]+\.(js|d\.ts)|package\.json|README\.md|LICENSE)$'; then
  echo "check-package: the tarball holds files beyond build/lib/ and build/pulumi/ (above)" >&2
  exit 1
fi
if tar -tzf "$work/$tarball" | grep -E '^package/build/pulumi/(index|program|stack-file)\.'; then
  echo "check-package: the tarball holds the Pulumi program (above); the package ships the component only" >&2
  exit 1
fi

mkdir -p "$work/consumer"
cd "$work/consumer"
cat > package.json <<'JSON'
{ "name": "consumer", "version": "1.0.0", "private": true }
JSON
# The user's own cdk8s and constructs, one patch behind the project's: the library's peer ranges must accept them and
# npm must not nest copies of its own (two copies of Construct make the user's Chart fail to type-check as a scope).
user_cdk8s=2.70.104 user_constructs=10.8.0
npm install --silent --no-audit --no-fund --prefer-offline "$work/$tarball" "cdk8s@$user_cdk8s" "constructs@$user_constructs" \
  "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" \
  "@types/node@$(node -p "require('$root/node_modules/@types/node/package.json').version")"
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "outDir": "out", "types": ["node"] } }
JSON
for pkg in cdk8s constructs; do
  copies=$(find node_modules \( -path "node_modules/$pkg/package.json" -o -path "*/node_modules/$pkg/package.json" \) | wc -l)
  if [ "$copies" -ne 1 ]; then
    echo "check-package: $copies copies of $pkg installed (npm nested one under guide-as-code): widen its peer range" >&2
    exit 1
  fi
done
[ "$(node -p "require('cdk8s/package.json').version")" = "$user_cdk8s" ] || { echo "check-package: the user's cdk8s was replaced" >&2; exit 1; }
if [ -e node_modules/@pulumi ] || find node_modules -type d -path '*/node_modules/@pulumi' | grep -q .; then
  echo "check-package: installing the construct library installed Pulumi packages: $(ls node_modules/@pulumi)" >&2
  exit 1
fi
# The Pulumi component is a subpath of its own, resolvable but loaded only by those who install its optional peers.
node -e "require.resolve('guide-as-code/pulumi')"
size=$(du -sm node_modules | cut -f1) packages=$(npm ls --all --parseable 2>/dev/null | tail -n +2 | sort -u | wc -l)
echo "package: the library with cdk8s $user_cdk8s, constructs $user_constructs, cdk8s-plus-27, typescript and @types/node installed $packages packages, $size MB" >&2
# The README's example, exactly as a newcomer copies it: its first TypeScript block.
awk '/^```ts$/ { on = 1; next } on && /^```$/ { exit } on' "$root/README.md" > chart.ts
grep -q "from 'guide-as-code'" chart.ts || { echo "check-package: README.md has no TypeScript example importing 'guide-as-code'" >&2; exit 1; }
npx tsc -p .
node out/chart.js
kinds=$(node -e "
  const { parseAllDocuments } = require('$root/node_modules/yaml');
  const docs = parseAllDocuments(require('fs').readFileSync('dist/shop.k8s.yaml', 'utf8')).map((d) => d.toJS());
  console.log(docs.map((o) => o.kind + '/' + o.metadata.namespace + '/' + o.metadata.name.replace(/-[0-9a-f]{8}\$/, '-<hash>')).join(' '));")
expected="Service/shop/my-nginx ConfigMap/shop/my-nginx-conf Deployment/shop/my-nginx PodDisruptionBudget/shop/my-nginx Deployment/shop/curl-deployment Job/shop/my-nginx-https-check-<hash>"
if [ "$kinds" != "$expected" ]; then
  echo "check-package: the consumer's chart synthesized '$kinds', expected '$expected'" >&2
  exit 1
fi
echo "package ok: a TypeScript project installed $tarball, compiled the README's example and synthesized: $kinds"
