// The API-server matrix: every output `npm run synth` writes, both Pulumi stacks' objects and what a cdk8s-plus user's
// project emits with the library (test/package/check.sh's outputs), applied server-side and
// read back on a kube-apiserver of each supported minor, and a pod made from each workload's template judged by Pod
// Security admission. The API servers run without controllers (e2e/cluster.sh matrix): the minors differ in what the
// API server serves and admits, and this suite stays at that level; the rest of the e2e runs on 1.36.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { createHash } from 'node:crypto';
import { MONITORING_CRDS, monitoringCrds } from '../../scripts/import-k8s';
import { generateSelfSigned } from '../../scripts/self-signed';
import { eventually, kubectlWith } from '../e2e/kubectl';
import { synthInScratch } from '../e2e/scratch';
import { Json, readBackDifferences } from './read-back';

/** The support window (docs/testing.md): the three newest minors and the one before, each served by the matrix. */
const SUPPORTED_MINORS = ['1.34', '1.35', '1.36', '1.37'];

const ROOT = join(__dirname, '..', '..');
const PSA_WARNING = /would violate PodSecurity/;

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; [key: string]: Json }; [key: string]: Json };
type Level = 'baseline' | 'restricted';

/** One set of objects as a user applies it: into its namespace, by one field manager, under one Pod Security level. */
interface Output {
  readonly what: string;
  readonly namespace: string;
  /** The level the namespace enforces: restricted where the output claims it (the production preset), else baseline. */
  readonly level: Level;
  /** The field manager: kubectl's for synth, the Pulumi provider's for the stacks. */
  readonly manager: string;
  /** A namespace the output labels itself (the prod stack's NamespacePatch): then only created here, not labelled. */
  readonly labelsOwnNamespace: boolean;
  readonly objects: Manifest[];
}

function servers(): [version: string, kubeconfig: string][] {
  const list = process.env.GUIDE_E2E_APISERVERS;
  if (!list) {
    throw new Error('GUIDE_E2E_APISERVERS is not set: run the matrix with '
      + '`bash e2e/cluster.sh matrix npx jest -c test/e2e-apiservers/jest.config.js` (npm run e2e does), which starts them');
  }
  return list.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]);
}

const manifestsOf = (text: string): Manifest[] => parseAllDocuments(text).map((d) => d.toJSON() as Manifest).filter((m) => m !== null);

/** `npm run synth` with only `settings` (no GUIDE_* of the caller's, no .keys/ of the working tree), into a new folder. */
const synth = synthInScratch;

const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).sort();

/** Pulumi's secret marker around a mocked output: the value it wraps is what the provider sends. */
const PULUMI_SECRET = '4dabf18193072939515e22adb298388d';
function unwrapSecrets(value: Json): Json {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== 'object') return value;
  if (PULUMI_SECRET in value) return unwrapSecrets(value.value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** The Kubernetes objects the dev and prod stacks register, from the Pulumi program under mocks. */
function stackObjects(): Record<string, Manifest[]> {
  const r = spawnSync(process.execPath, ['--require', 'sucrase/register/ts', join(ROOT, 'scripts', 'stack-objects.ts'), 'dev', 'prod'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`scripts/stack-objects.ts failed:\n${r.stderr}`);
  const stacks = JSON.parse(r.stdout) as Record<string, { type: string; inputs: Json }[]>;
  return Object.fromEntries(Object.entries(stacks).map(([stack, resources]) => [stack,
    resources.filter((res) => res.type.startsWith('kubernetes:') && !res.type.startsWith('kubernetes:helm'))
      .map((res) => unwrapSecrets(res.inputs) as Manifest)]));
}

/**
 * docs/constructs.md's composing example as `npm run test:package` synthesized it against each supported cdk8s-plus
 * (a namespace each): what a cdk8s-plus user's project emits with the library.
 */
function packageOutputs(): Output[] {
  const dir = process.env.GUIDE_E2E_PACKAGE_OUTPUTS ?? join(ROOT, 'build', 'package-outputs');
  const files = existsSync(dir) ? yamlFiles(dir) : [];
  if (files.length === 0) {
    throw new Error(`${dir} holds no output of npm run test:package: run it first (.ci/run does), so the matrix applies what each cdk8s-plus emits`);
  }
  return files.map((file) => {
    const objects = manifestsOf(readFileSync(join(dir, file), 'utf8'));
    const namespace = String(objects[0].metadata.namespace);
    // Applied into the namespace -n names: the objects' own is the same one.
    return { what: `the composing example with ${file.replace(/^compose-plus-(\d+)\.k8s\.yaml$/, 'cdk8s-plus-$1')}`, namespace, level: 'baseline' as Level,
      manager: 'kubectl', labelsOwnNamespace: false, objects };
  });
}

function outputs(): Output[] {
  const guide = synth({});
  const preset = synth({ GUIDE_HARDENING: 'true', GUIDE_REPLICAS: '2' });
  const scaled = synth({ GUIDE_HARDENING: 'true', GUIDE_AUTOSCALING: 'true', GUIDE_METRICS: 'true', GUIDE_POD_MONITOR: 'true' });
  const synthOutput = (what: string, namespace: string, level: Level, file: string): Output =>
    ({ what, namespace, level, manager: 'kubectl', labelsOwnNamespace: false, objects: manifestsOf(readFileSync(file, 'utf8')) });
  const stacks = stackObjects();
  return [
    ...yamlFiles(join(guide, 'steps')).map((file, i) =>
      synthOutput(`the guide's step ${file.replace('.k8s.yaml', '')}`, `guide-step-${i + 1}`, 'baseline', join(guide, 'steps', file))),
    synthOutput('the final state', 'guide-final', 'baseline', join(guide, yamlFiles(guide)[0])),
    synthOutput('the production preset\'s final state (2 replicas)', 'guide-preset', 'restricted', join(preset, yamlFiles(preset)[0])),
    synthOutput('the preset with autoscaling, metrics and a PodMonitor', 'guide-scaled', 'restricted', join(scaled, yamlFiles(scaled)[0])),
    { what: 'the dev stack\'s objects', namespace: 'guide-dev', level: 'baseline', manager: 'pulumi-kubernetes', labelsOwnNamespace: false, objects: stacks.dev },
    { what: 'the prod stack\'s objects', namespace: 'guide-prod', level: 'restricted', manager: 'pulumi-kubernetes', labelsOwnNamespace: true, objects: stacks.prod },
    ...packageOutputs(),
  ];
}

const OUTPUTS = outputs();

// The mocked tls provider's key is a placeholder the API server warns about ("failed to find any PEM data"): the dev
// stack's Secret gets a real pair, as @pulumi/tls makes it.
beforeAll(async () => {
  const pem = await generateSelfSigned({ namespace: 'guide-dev', modulusLength: 2048 });
  const secret = OUTPUTS.find((o) => o.namespace === 'guide-dev')!.objects.find((m) => m.kind === 'Secret')!;
  secret.data = { 'tls.crt': Buffer.from(pem.certificatePem).toString('base64'), 'tls.key': Buffer.from(pem.privateKeyPem).toString('base64') };
});

/** A Secret's values as digests, so that a difference names the key without printing what it holds. */
function withoutSecretValues(m: Manifest | undefined): Manifest | undefined {
  if (m?.kind !== 'Secret' || m.data === undefined) return m;
  const digest = (v: Json) => createHash('sha256').update(String(v)).digest('hex');
  return { ...m, data: Object.fromEntries(Object.entries(m.data as Record<string, Json>).map(([k, v]) => [k, `sha256:${digest(v)}`])) };
}

const yamlOf = (objects: Manifest[]) => objects.map((o) => stringify(o)).join('---\n');

const key = (m: { kind: string; metadata: { name: string } }) => `${m.kind}/${m.metadata.name}`;

/** The pod a workload's controller would create, named after it: the matrix runs no controllers. */
function podsOf(objects: Manifest[]): Manifest[] {
  return objects.filter((m) => m.kind === 'Deployment' || m.kind === 'Job').map((m) => {
    const template = (m.spec as { template: { metadata?: { labels?: Json }; spec: Json } }).template;
    return {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `${m.kind.toLowerCase()}-${m.metadata.name}`.slice(0, 63), labels: template.metadata?.labels ?? {} },
      spec: template.spec,
    };
  });
}

/** The namespace's Pod Security labels: enforced and warned at `level`. */
const levelLabels = (level: Level) => ['enforce', 'warn', 'audit'].map((mode) => `pod-security.kubernetes.io/${mode}=${level}`);

test('the read-back finds a field the server dropped or changed, and allows what it adds', () => {
  const sent: Json = { spec: { replicas: 2, lifecycle: { preStop: { sleep: { seconds: 10 } } }, volumes: [{ name: 'a' }], ports: [] } };
  expect(readBackDifferences(sent, { spec: { replicas: 2, lifecycle: { preStop: { sleep: { seconds: 10 } } }, volumes: [{ name: 'a' }, { name: 'token' }], extra: 1 } })).toEqual([]);
  // A quantity reads back in its canonical form: the same amount passes, another does not.
  const resources: Json = { resources: { limits: { memory: '2048Mi', cpu: '1000m' } } };
  expect(readBackDifferences(resources, { resources: { limits: { memory: '2Gi', cpu: '1' } } })).toEqual([]);
  expect(readBackDifferences(resources, { resources: { limits: { memory: '2Mi', cpu: '1' } } }))
    .toEqual(['$.resources.limits.memory: sent "2048Mi", read back "2Mi"']);
  expect(readBackDifferences(sent, { spec: { replicas: 3, lifecycle: {}, volumes: [] } })).toEqual([
    '$.spec.replicas: sent 2, read back 3',
    '$.spec.lifecycle.preStop: sent {"sleep":{"seconds":10}}, read back nothing',
    '$.spec.volumes: sent 1 items, read back 0',
  ]);
});

describe.each(servers())('kube-apiserver %s', (version, kubeconfig) => {
  const run = (args: string[], input?: string) => kubectlWith(kubeconfig, args, input);
  // What passed, printed for the results page: objects applied and read back, pods admitted.
  const passed = { objects: 0, pods: 0 };
  afterAll(() => {
    process.stdout.write(`api-server matrix: kube-apiserver ${version}: ${passed.objects} objects applied server-side and read back as sent, `
      + `${passed.pods} pods admitted\n`);
  });
  const ok = (args: string[], input?: string) => {
    const r = run(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  /** Every object of `objects` as the server holds it, by kind/name. */
  const readBack = (objects: Manifest[], namespace: string): Map<string, Manifest> => {
    const got = JSON.parse(ok(['get', '--show-managed-fields', '-n', namespace, '-o', 'json', '-f', '-'], yamlOf(objects))) as Manifest & { items?: Manifest[] };
    return new Map((got.items ?? [got]).map((m) => [key(m), m]));
  };

  // The Prometheus Operator's CRDs the library emits objects of, from the release its types were imported from, as a
  // cluster that runs the operator has them.
  beforeAll(async () => {
    for (const crd of monitoringCrds()) ok(['apply', '--server-side', '--field-manager=prometheus-operator', '-f', crd]);
    // Polled: `kubectl wait --for=condition` fails at once on a CRD whose status has no conditions yet.
    for (const name of MONITORING_CRDS.map((file) => file.replace(/^monitoring\.coreos\.com_(\w+)\.yaml$/, '$1.monitoring.coreos.com'))) {
      await eventually(`the CRD ${name} to be Established`, () => (JSON.parse(ok(['get', 'crd', name, '-o', 'json'])).status?.conditions ?? [])
        .some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True') || undefined);
    }
  });

  test(`serves ${version}`, () => {
    const server = JSON.parse(ok(['version', '-o', 'json'])).serverVersion;
    expect(`v${version}`).toBe(server.gitVersion);
  });

  describe.each(OUTPUTS.map((o) => [o.what, o] as const))('%s', (_what, output) => {
    const namespaced = output.objects.filter((m) => m.kind !== 'Namespace' && m.kind !== 'NamespacePatch');
    // The prod stack patches the labels of a namespace the operator made; the dev stack creates its own.
    const namespaceObjects = output.objects.filter((m) => m.kind === 'Namespace' || m.kind === 'NamespacePatch')
      .map((m) => ({ ...m, kind: 'Namespace' }));

    beforeAll(() => {
      if (namespaceObjects.length === 0 || output.labelsOwnNamespace) ok(['create', 'namespace', output.namespace]);
      if (namespaceObjects.length > 0) {
        ok(['apply', '--server-side', `--field-manager=${output.manager}`, '-f', '-'], yamlOf(namespaceObjects));
      }
      if (!output.labelsOwnNamespace) ok(['label', 'namespace', output.namespace, ...levelLabels(output.level)]);
      // The controller manager would create it; admission refuses a pod whose service account is missing.
      ok(['-n', output.namespace, 'create', 'serviceaccount', 'default']);
    });

    test('is applied server-side without a warning and read back as sent', () => {
      const r = run(['apply', '--server-side', `--field-manager=${output.manager}`, '-n', output.namespace, '-f', '-'],
        yamlOf(namespaced));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const live = readBack([...namespaceObjects, ...namespaced], output.namespace);
      const differences = [...namespaceObjects, ...namespaced].flatMap((sent) =>
        readBackDifferences(withoutSecretValues(sent) as unknown as Json, withoutSecretValues(live.get(key(sent))) as unknown as Json)
          .map((d) => `${key(sent)}: ${d}`));
      expect(differences).toEqual([]);
      for (const sent of namespaced) {
        const managers = (live.get(key(sent))!.metadata.managedFields as { manager: string; operation: string }[]);
        expect(managers).toContainEqual(expect.objectContaining({ manager: output.manager, operation: 'Apply' }));
      }
      passed.objects += namespaceObjects.length + namespaced.length;
    });

    const pods = podsOf(namespaced);
    // Steps without a workload (a Service, a ConfigMap) have no pod to admit.
    if (pods.length > 0) test(`its workloads' pods are admitted where Pod Security "${output.level}" is enforced`, () => {
      const live = run(['get', 'namespace', output.namespace, '-o', 'jsonpath={.metadata.labels}']);
      expect(JSON.parse(live.stdout)).toMatchObject({ 'pod-security.kubernetes.io/enforce': output.level });
      const r = run(['apply', '--server-side', '--field-manager=kubectl', '-n', output.namespace, '-f', '-'], yamlOf(pods));
      expect(r.stderr).not.toMatch(PSA_WARNING);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const readBackPods = readBack(pods, output.namespace);
      expect(pods.flatMap((sent) => readBackDifferences(sent.spec, readBackPods.get(key(sent))!.spec as Json).map((d) => `${key(sent)}: ${d}`))).toEqual([]);
      passed.pods += pods.length;
    });
  });

  test('the preset\'s fields that need a newer API server are kept: preStop sleep, unhealthyPodEvictionPolicy', () => {
    const nginx = JSON.parse(ok(['-n', 'guide-prod', 'get', 'deployment', 'my-nginx', '-o', 'json']));
    expect(nginx.spec.template.spec.containers[0].lifecycle.preStop).toEqual({ sleep: { seconds: 10 } });
    const budget = JSON.parse(ok(['-n', 'guide-prod', 'get', 'poddisruptionbudget', 'my-nginx', '-o', 'json']));
    expect(budget.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });

  test('the guide\'s own nginx pod is refused where restricted is enforced', () => {
    const guideNginx = { ...podsOf(OUTPUTS[0].objects)[0], metadata: { name: 'the-guides-nginx' } };
    const r = run(['apply', '--server-side', '-n', 'guide-preset', '-f', '-'], stringify(guideNginx));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });
});

test('the matrix serves every supported minor, one API server each', () => {
  expect(servers().map(([version]) => version.split('.').slice(0, 2).join('.'))).toEqual(SUPPORTED_MINORS);
});
