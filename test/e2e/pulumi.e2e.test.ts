// The dev and prod stacks deployed by a real Pulumi engine (CLI v3.248.0, pulumi-resource-kubernetes 4.25.0, both
// built here) to the local control plane, through the same program `pulumi up` runs. The TLS provider cannot be built
// here, so dev takes its certificate from stack config and prod from an existing Secret; the generated certificate is
// covered under mocks (test/pulumi.test.ts).
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigMap, EngineEvent, Stack } from '@pulumi/pulumi/automation';
import { CERTIFICATE_FINGERPRINT_ANNOTATION } from '../../lib/nginx-app';
import { generateSelfSigned, SelfSignedPem, writePemFiles } from '../../scripts/self-signed';
import { Engine, stackOf, startEngine } from './engine';
import { readStackFile } from '../../pulumi/stack-file';
import { clusterOverrides, expectDeployedAsSynthesized, objectsIn } from './deployed';
import { apiServer, eventually, getJson, kubectl, LOADBALANCER_ADDRESS, ok } from './kubectl';

const run = promisify(execFile);
let engine: Engine;
/** Everything the CLI printed, to search for key material. */
let printed = '';
const log = (text: string) => { printed += text; };

/** All files under `dir`, as text. */
function filesUnder(dir: string): string {
  return readdirSync(dir).map((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : readFileSync(path, 'latin1');
  }).join('\n');
}

function expectNoKey(pem: SelfSignedPem): void {
  const body = pem.privateKeyPem.split('\n').slice(1, -2).join('');
  const everything = filesUnder(engine.backend) + filesUnder(engine.pulumiHome) + printed;
  for (const needle of [body.slice(0, 64), Buffer.from(pem.privateKeyPem).toString('base64').slice(0, 64)]) {
    expect(everything.includes(needle)).toBe(false);
  }
}

beforeAll(async () => {
  expect(apiServer().hostname).toBe('127.0.0.1');
  engine = await startEngine();
}, 120_000);

test('`pulumi version` is the lockfile\'s @pulumi/pulumi version, stamped in the build', async () => {
  const lock = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package-lock.json'), 'utf8'));
  const { stdout } = await run(join(process.env.GUIDE_E2E_PULUMI_ROOT!, 'bin', 'pulumi'), ['version']);
  expect(stdout.trim()).toBe(`v${lock.packages['node_modules/@pulumi/pulumi'].version}`);
});

describe('the dev stack, certificate from stack config', () => {
  let stack: Stack;
  let config: ConfigMap;
  let pem: SelfSignedPem;
  const ns = 'guide-dev';

  beforeAll(async () => {
    pem = await generateSelfSigned({ namespace: ns, days: 30 });
    config = {
      ...readStackFile('dev'),
      ...clusterOverrides(),
      // No TLS provider can be built here: the certificate comes from config, the key as a secret.
      'guide-as-code:certificateSource': { value: 'config', secret: false },
      'guide-as-code:certificatePem': { value: pem.certificatePem, secret: false },
      'guide-as-code:privateKeyPem': { value: pem.privateKeyPem, secret: true },
    };
    stack = await stackOf(engine, 'dev', config);
  }, 60_000);

  test('a bad stack setting fails under the real engine before any resource is created, naming the key', async () => {
    const message = 'stack config: guide-as-code:replicas "two" is not a whole number of at least 0 in decimal digits: set it with `pulumi config set guide-as-code:replicas 2`';
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(__dirname, 'up-with-config.ts'), 'dev-bad',
      JSON.stringify({ ...config, 'guide-as-code:replicas': { value: 'two', secret: false } })], { cwd: join(__dirname, '..', '..') });
    const outcome = JSON.parse(stdout) as { ok: boolean; message: string };
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain(message);
    printed += outcome.message;
    expect(kubectl(['get', 'namespace', ns]).status).not.toBe(0);
  }, 120_000);

  test('up creates the namespace and every object with the spec cdk8s synthesizes', async () => {
    const result = await stack.up({ onOutput: log });
    expect(result.summary.result).toBe('succeeded');
    expectDeployedAsSynthesized(config);
    const secret = getJson(['-n', ns, 'secret', 'nginxsecret']);
    expect(Buffer.from(secret.data['tls.crt'], 'base64').toString()).toBe(pem.certificatePem);
    expect(result.outputs.nodePorts.value).toEqual({ http: 30080, https: 30443 });
  }, 180_000);

  test('a second up changes nothing', async () => {
    const result = await stack.up({ onOutput: log });
    expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(['same']);
  }, 120_000);

  test('preview after a replicas change shows one update, on the Deployment; up applies it', async () => {
    await stack.setConfig('guide-as-code:replicas', { value: '3' });
    const updates: string[] = [];
    const onEvent = (e: EngineEvent) => {
      const m = e.resourcePreEvent?.metadata;
      if (m && m.op !== 'same') updates.push(`${m.op} ${m.type}`);
    };
    const preview = await stack.preview({ onOutput: log, onEvent });
    expect(preview.changeSummary.update).toBe(1);
    expect(updates).toEqual(['update kubernetes:apps/v1:Deployment']);
    await stack.up({ onOutput: log });
    expect(getJson(['-n', ns, 'deployment', 'my-nginx']).spec.replicas).toBe(3);
  }, 180_000);

  test('a new certificate in config rolls the nginx pods: new pods carry its fingerprint', async () => {
    const next = await generateSelfSigned({ namespace: ns, days: 60 });
    const fingerprint = new X509Certificate(next.certificatePem).fingerprint256;
    await stack.setConfig('guide-as-code:certificatePem', { value: next.certificatePem });
    await stack.setConfig('guide-as-code:privateKeyPem', { value: next.privateKeyPem, secret: true });
    await stack.up({ onOutput: log });
    expect(getJson(['-n', ns, 'deployment', 'my-nginx']).spec.template.metadata.annotations)
      .toEqual({ [CERTIFICATE_FINGERPRINT_ANNOTATION]: fingerprint });
    await eventually('pods of the new template', () => {
      const pods = getJson(['-n', ns, 'pods', '-l', 'run=my-nginx']).items.filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp);
      return pods.length === 3 && pods.every((p: { metadata: { annotations?: Record<string, string> } }) =>
        p.metadata.annotations?.[CERTIFICATE_FINGERPRINT_ANNOTATION] === fingerprint) ? pods : undefined;
    });
    expectNoKey(next);
  }, 180_000);

  test('no private key in the state, backups, history, logs or CLI output', () => {
    expectNoKey(pem);
  });

  test('destroy leaves nothing in the namespace and removes the namespace the stack created', async () => {
    await stack.destroy({ onOutput: log });
    await eventually('the namespace to be gone', () => (kubectl(['get', 'namespace', ns]).status !== 0 ? true : undefined), 90_000);
  }, 180_000);
});

describe('the prod stack, the certificate of an existing Secret, behind a load balancer', () => {
  const ns = 'guide-prod';
  let pem: SelfSignedPem;

  beforeAll(async () => {
    // As cert-manager or `kubectl create secret tls` would have left it.
    ok(['create', 'namespace', ns]);
    pem = await generateSelfSigned({ namespace: ns });
    const files = writePemFiles(join(engine.backend, '..', 'prod-keys'), pem);
    ok(['-n', ns, 'create', 'secret', 'tls', 'nginxsecret', '--cert', files.certificateFile, '--key', files.privateKeyFile]);
  }, 60_000);

  afterAll(() => {
    ok(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true', '--timeout=90s']);
  });

  test('up waits for the load balancer; the output is the address kube-router\'s allocator gave', async () => {
    const config = { ...readStackFile('prod'), ...clusterOverrides() };
    const stack = await stackOf(engine, 'prod', config);
    const result = await stack.up({ onOutput: log });
    const address = getJson(['-n', ns, 'service', 'my-nginx']).status.loadBalancer.ingress[0].ip;
    expect(address).toMatch(LOADBALANCER_ADDRESS);
    expect(result.outputs.loadBalancerAddress.value).toBe(address);
    expectDeployedAsSynthesized(config);
    expect(getJson(['-n', ns, 'deployment', 'my-nginx']).spec.template.spec.volumes[0].secret.secretName).toBe('nginxsecret');
    // prod is hardened: the stack labelled the existing namespace, and its pods were admitted under "restricted".
    expect(getJson(['namespace', ns]).metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(getJson(['-n', ns, 'pods', '-l', 'run=my-nginx']).items).toHaveLength(2);
    // The production preset's objects, deployed by the real engine: the disruption budget and the policies.
    expect(getJson(['-n', ns, 'poddisruptionbudget', 'my-nginx']).spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(getJson(['-n', ns, 'networkpolicies']).items.map((p: { metadata: { name: string } }) => p.metadata.name).sort())
      .toEqual(['curl-deployment-egress', 'default-deny', 'my-nginx-ingress']);
    expectNoKey(pem);

    await stack.destroy({ onOutput: log });
    // The namespace was there before the stack: it stays, holding only what was there before, its labels taken back.
    expect(getJson(['namespace', ns]).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBeUndefined();
    expect(objectsIn(ns)).toEqual(['secret/nginxsecret']);
  }, 240_000);

  test('with waitForLoadBalancer false, up returns without an address', async () => {
    const config = { ...readStackFile('prod'), ...clusterOverrides(), 'guide-as-code:waitForLoadBalancer': { value: 'false', secret: false } };
    const stack = await stackOf(engine, 'prod-nowait', config);
    const result = await stack.up({ onOutput: log });
    expect(result.summary.result).toBe('succeeded');
    // up did not wait: the allocator's address comes after it, and the output stays empty.
    expect(result.outputs.loadBalancerAddress?.value).toBeUndefined();
    await stack.destroy({ onOutput: log });
  }, 240_000);
});
