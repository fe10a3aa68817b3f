// `npm run import:k8s`: regenerates lib/imports/, the typed Kubernetes objects the constructs emit.
//   - lib/imports/k8s.ts, as `cdk8s import k8s@1.34.4` would make it, but offline and for the kinds the library makes
//     only: cdk8s' own import downloads its schema from GitHub; this reads the same OpenAPI definitions from the
//     k8s.io/kubernetes module of the Go module proxy (api/openapi-spec/swagger.json) and hands them to the cdk8s CLI's
//     generator. 1.34 is the oldest Kubernetes of the support window, so no emitted field is newer than a supported
//     API server.
//   - lib/imports/monitoring.coreos.com.ts: the Prometheus Operator's PodMonitor, `cdk8s import` of its CRD as the
//     github.com/prometheus-operator/prometheus-operator module of the same proxy holds it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const KUBERNETES = 'v1.34.4';
/** The Prometheus Operator release whose CRDs the library's monitoring objects follow. */
export const PROMETHEUS_OPERATOR = 'v0.85.0';
/** The CRDs of that release the library emits objects of. */
export const MONITORING_CRDS = ['monitoring.coreos.com_podmonitors.yaml'];

/** Where a Go module of the proxy is, downloaded (cached) first. */
export function goModule(path: string, version: string): string {
  return JSON.parse(execFileSync('go', ['mod', 'download', '-json', `${path}@${version}`], { cwd: '/', encoding: 'utf8' })).Dir;
}

/** The CRD files of {@link MONITORING_CRDS}, from the Prometheus Operator's module. */
export function monitoringCrds(): string[] {
  const dir = join(goModule('github.com/prometheus-operator/prometheus-operator', PROMETHEUS_OPERATOR), 'example', 'prometheus-operator-crd');
  return MONITORING_CRDS.map((file) => join(dir, file));
}
/** The kinds the constructs emit, by the OpenAPI definition of each. */
const KINDS = [
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  'io.k8s.api.batch.v1.Job',
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.Namespace',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.networking.v1.NetworkPolicy',
  'io.k8s.api.policy.v1.PodDisruptionBudget',
];
const GVK = 'x-kubernetes-group-version-kind';

function swagger(): { definitions: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(join(goModule('k8s.io/kubernetes', KUBERNETES), 'api/openapi-spec/swagger.json'), 'utf8'));
}

async function main(): Promise<void> {
  const spec = swagger();
  for (const [name, definition] of Object.entries(spec.definitions)) {
    if (GVK in definition && !KINDS.includes(name)) delete definition[GVK];
  }
  const missing = KINDS.filter((k) => !(spec.definitions[k] && GVK in spec.definitions[k]));
  if (missing.length > 0) throw new Error(`${KUBERNETES} has no ${missing.join(', ')}`);
  // As cdk8s' published schemas write them (openapi2jsonschema): the two union types as unions, so the generator makes
  // IntOrString and Quantity classes (fromNumber/fromString) instead of plain strings that would quote a port number.
  spec.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  spec.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  const text = JSON.stringify({ definitions: spec.definitions });
  // The CLI's generator, given these definitions where it would have downloaded cdk8s' copy.
  // cdk8s-cli exports no subpath: its files are loaded by path.
  const cli = join(require.resolve('cdk8s-cli/package.json'), '..', 'lib');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const util = require(join(cli, 'util'));
  util.download = async () => text;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ImportKubernetesApi } = require(join(cli, 'import', 'k8s'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Language } = require(join(cli, 'import', 'base'));
  const importer = new ImportKubernetesApi({ apiVersion: KUBERNETES.slice(1) });
  await importer.import({ outdir: join(__dirname, '..', 'lib', 'imports'), targetLanguage: Language.TYPESCRIPT });
  // A CRD file is imported as the CLI does it, with no network.
  for (const crd of monitoringCrds()) {
    execFileSync(process.execPath, [join(__dirname, 'cdk8s.js'), 'import', crd, '--output', join(__dirname, '..', 'lib', 'imports')], { stdio: 'inherit' });
  }
}

if (require.main === module) main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
