// Pod Security "restricted" judged by the API server itself: the hardened final state and the prod stack's objects
// are admitted into namespaces that enforce it without a warning; the guide's own manifests are not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, Yaml } from 'cdk8s';
import { SecureNginxChart, SecureNginxChartProps } from '../../lib/secure-nginx-chart';
import { readStackFile, stackSettingsOf } from '../../pulumi/stack-file';
import { chartPropsFor } from '../../pulumi/stack-settings';
import { apiServer, eventually, getJson, kubectl, ok } from './kubectl';

const LABELS = ['enforce', 'warn', 'audit'].map((mode) => `pod-security.kubernetes.io/${mode}=restricted`);
const PSA_WARNING = /would violate PodSecurity/;

function restrictedNamespace(ns: string): void {
  ok(['create', 'namespace', ns]);
  ok(['label', 'namespace', ns, ...LABELS]);
}

const manifestOf = (props: SecureNginxChartProps) => Yaml.stringify(...new SecureNginxChart(Testing.app(), 'c', props).toJson());

beforeAll(() => {
  expect(apiServer().hostname).toBe('127.0.0.1');
});

afterAll(() => {
  for (const ns of ['guide-restricted', 'guide-restricted-prod', 'guide-restricted-guide']) {
    ok(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true', '--timeout=90s']);
  }
});

test.each([
  ['the hardened final state', 'guide-restricted', () => manifestOf({ hardening: true, namespace: 'guide-restricted' })],
  ['the prod stack\'s objects', 'guide-restricted-prod', () => {
    return manifestOf(chartPropsFor({ ...stackSettingsOf(readStackFile('prod')), namespace: 'guide-restricted-prod' }));
  }],
])('%s: admitted with no PodSecurity warning, and its pods are created', async (_what, ns, manifest) => {
  restrictedNamespace(ns);
  const dryRun = kubectl(['apply', '--dry-run=server', '-f', '-'], manifest());
  expect(dryRun.stderr).not.toMatch(PSA_WARNING);
  expect(dryRun.status).toBe(0);
  const r = kubectl(['apply', '-f', '-'], manifest());
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  ok(['-n', ns, 'wait', '--for=condition=Available', 'deployment/my-nginx', 'deployment/curl-deployment', '--timeout=90s']);
  // The Job's pod too: admission would refuse it as it refuses any pod of the namespace.
  await eventually('the check Job\'s pod', () => {
    const pods = getJson(['-n', ns, 'pods', '-l', 'app=curlpod-check']).items;
    return pods.length > 0 ? pods : undefined;
  });
}, 120_000);

test('the guide\'s own nginx is warned about and its pods are refused in such a namespace', async () => {
  const ns = 'guide-restricted-guide';
  restrictedNamespace(ns);
  const guide = readFileSync(join(__dirname, '..', 'fixtures', 'run-my-nginx.yaml'), 'utf8');
  const r = kubectl(['-n', ns, 'apply', '-f', '-'], guide);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  const events = await eventually('the ReplicaSet\'s refusal', () => {
    const text = ok(['-n', ns, 'get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}']);
    return /violates PodSecurity "restricted:latest"/.test(text) ? text : undefined;
  });
  expect(events).toContain('forbidden');
  expect(getJson(['-n', ns, 'pods']).items).toEqual([]);
});
