#!/usr/bin/env bash
# `npm run test:helm` (in .ci/run, after e2e/build.sh builds Helm): the chart `npx cdk8s synth --format helm` makes is
# one a real Helm installs. In a folder of its own (no dist/ or .keys/ of the working tree is read or written):
#   1. `npx cdk8s synth --format helm --chart-version 0.1.0` (this project's offline CLI) makes a chart named after the
#      product whose templates hold the deployable state alone;
#   2. `helm lint --strict` passes it;
#   3. `helm template` renders exactly the objects of `npm run synth`'s final state.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
helm_dir=$(bash "$root/e2e/build.sh" helm | sed -n 's/^helm=//p')
helm=$helm_dir/helm
[ -x "$helm" ] || { echo "check-helm: no Helm at $helm: e2e/build.sh helm builds it from helm.sh/helm/v4" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/guide-helm-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "check-helm: $*" >&2; exit 1; }

# The project's cdk8s.yaml, its app run from here, with nothing of the caller's GUIDE_* settings.
sed "s#^app: node scripts/synth.js#app: node $root/scripts/synth.js#" "$root/cdk8s.yaml" > "$work/cdk8s.yaml"
clean_env=(env -u GUIDE_NAMESPACE -u GUIDE_HARDENING -u GUIDE_REPLICAS -u GUIDE_SERVICE_TYPE -u GUIDE_IMAGES -u GUIDE_TLS_KEYS -u GUIDE_CHECK
  HOME="$work" HELM_CACHE_HOME="$work/.helm/cache" HELM_CONFIG_HOME="$work/.helm/config" HELM_DATA_HOME="$work/.helm/data")
(cd "$work" && "${clean_env[@]}" "$root/node_modules/.bin/cdk8s" synth --format helm --chart-version 0.1.0 -o chart >/dev/null)
(cd "$work" && "${clean_env[@]}" node "$root/scripts/synth.js" --output plain)

name=$(sed -n 's/^name: //p' "$work/chart/Chart.yaml")
[ "$name" = guide-as-code ] || fail "the chart is named '$name', not guide-as-code"
templates=$(cd "$work/chart/templates" && find . -type f | sort | tr '\n' ' ')
[ "$templates" = "./guide-final-state.k8s.yaml " ] || fail "the chart's templates are '$templates', not the final state alone"

"${clean_env[@]}" "$helm" lint --strict "$work/chart" > "$work/lint.txt" 2>&1 || { cat "$work/lint.txt" >&2; fail "helm lint --strict refused the chart"; }
"${clean_env[@]}" "$helm" template guide "$work/chart" > "$work/rendered.yaml"

node -e "
  const { parseAllDocuments } = require('$root/node_modules/yaml');
  const read = (f) => parseAllDocuments(require('fs').readFileSync(f, 'utf8')).map((d) => d.toJS()).filter((o) => o !== null);
  const key = (o) => o.kind + '/' + o.metadata.name;
  const rendered = read('$work/rendered.yaml');
  const plain = read('$work/plain/guide-final-state.k8s.yaml');
  const byKey = (list) => Object.fromEntries(list.map((o) => [key(o), JSON.stringify(o)]));
  const a = byKey(rendered); const b = byKey(plain);
  const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
  if (differ.length > 0 || rendered.length !== plain.length) {
    console.error('check-helm: helm template differs from npm run synth in ' + (differ.join(', ') || 'the number of objects'));
    process.exit(1);
  }
  console.log('helm: ' + require('child_process').execFileSync('$helm', ['version', '--short']).toString().trim() + ' linted the chart guide-as-code '
    + '(--strict) and rendered ' + rendered.length + ' objects, each as npm run synth writes it: ' + rendered.map(key).join(' '));"
