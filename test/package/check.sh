#!/usr/bin/env bash
# Proves the construct library works as a package: `npm pack`, install the tarball into a new TypeScript project,
# compile a chart that imports 'guide-as-code' and synthesize it. Run by .ci/run (npm run test:package).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/guide-package-XXXXXX")
trap 'rm -rf "$work"' EXIT

tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball: $(tar -tzf "$work/$tarball" | grep -c '') files" >&2
# The package ships the compiled library only: no sources, tests, keys or the synth app.
if tar -tzf "$work/$tarball" | grep -v -E '^package/(build/lib/[a-z-]+\.(js|d\.ts)|package\.json|README\.md|LICENSE)$'; then
  echo "check-package: the tarball holds files beyond build/lib/ (above)" >&2
  exit 1
fi

mkdir -p "$work/consumer"
cd "$work/consumer"
cat > package.json <<'JSON'
{ "name": "consumer", "version": "1.0.0", "private": true }
JSON
# The dependencies are in npm's cache after the project's own `npm ci`, so this needs no new downloads.
npm install --silent --no-audit --no-fund --prefer-offline "$work/$tarball" \
  "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" \
  "@types/node@$(node -p "require('$root/node_modules/@types/node/package.json').version")"
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "outDir": "out", "types": ["node"] } }
JSON
cat > chart.ts <<'TS'
import { App, Chart } from 'cdk8s';
import { CurlProbe, ExposedService, NginxApp, ServiceType, TlsSecret } from 'guide-as-code';

const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'shop', { namespace: 'shop' });
const tls = TlsSecret.fromExisting(chart, 'tls');
const web = new NginxApp(chart, 'web', { tls });
const svc = new ExposedService(chart, 'svc', { app: web, type: ServiceType.NODE_PORT });
new CurlProbe(chart, 'curl', { service: svc }).addCheck();
app.synth();
TS
npx tsc -p .
node out/chart.js
kinds=$(node -e "
  const { parseAllDocuments } = require('$root/node_modules/yaml');
  const docs = parseAllDocuments(require('fs').readFileSync('dist/shop.k8s.yaml', 'utf8')).map((d) => d.toJS());
  console.log(docs.map((o) => o.kind + '/' + o.metadata.namespace + '/' + o.metadata.name.replace(/-[0-9a-f]{8}\$/, '-<hash>')).join(' '));")
expected="Service/shop/my-nginx ConfigMap/shop/my-nginx-conf Deployment/shop/my-nginx Deployment/shop/curl-deployment Job/shop/my-nginx-https-check-<hash>"
if [ "$kinds" != "$expected" ]; then
  echo "check-package: the consumer's chart synthesized '$kinds', expected '$expected'" >&2
  exit 1
fi
echo "package ok: a TypeScript project installed $tarball, compiled a chart importing 'guide-as-code' and synthesized: $kinds"
