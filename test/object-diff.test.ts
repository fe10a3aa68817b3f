// The core of `npm run diff`: objects keyed by source and kind/namespace/name, compared as YAML.
import { diffObjects, formatChanges, objectId, RenderedObject, summaryOf } from '../scripts/review/object-diff';
import { redact } from '../scripts/review/redact';

const deployment = (replicas: number): RenderedObject => ({
  source: 'dist/guide-final-state.k8s.yaml',
  id: 'Deployment/default/my-nginx',
  body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'my-nginx' }, spec: { replicas, selector: { matchLabels: { run: 'my-nginx' } } } },
});
const service: RenderedObject = { source: 'dist/guide-final-state.k8s.yaml', id: 'Service/default/my-nginx', body: { kind: 'Service', spec: { type: 'LoadBalancer' } } };

test('a replicas change is one changed object, showing that line', () => {
  const changes = diffObjects([deployment(1), service], [deployment(3), service]);
  expect(summaryOf(changes)).toBe('1 changed, 0 added, 0 removed');
  const text = formatChanges(changes);
  expect(text).toContain('~ changed Deployment/default/my-nginx (dist/guide-final-state.k8s.yaml)\n@@ ');
  expect(text).toContain('\n-  replicas: 1\n+  replicas: 3\n');
  expect(text.trimEnd().split('\n').pop()).toBe('1 changed, 0 added, 0 removed');
});

test('nothing changed: no object, a zero summary', () => {
  expect(formatChanges(diffObjects([deployment(2), service], [deployment(2), service]))).toBe('0 changed, 0 added, 0 removed\n');
});

test('a removed object and an added one', () => {
  const changes = diffObjects([deployment(2), service], [deployment(2), { ...service, source: 'stack dev' }]);
  expect(changes.map((c) => `${c.kind} ${c.object.source}`)).toEqual(['added stack dev', 'removed dist/guide-final-state.k8s.yaml']);
  expect(formatChanges(changes)).toContain('- removed Service/default/my-nginx (dist/guide-final-state.k8s.yaml)\n-kind: Service\n');
});

test('the same object in two files is two objects', () => {
  const step = { ...deployment(2), source: 'dist/steps/1-run-my-nginx.k8s.yaml' };
  expect(diffObjects([deployment(2), step], [deployment(2), { ...step, body: deployment(1).body }]).map((c) => c.object.source))
    .toEqual(['dist/steps/1-run-my-nginx.k8s.yaml']);
});

test('ids: kind/namespace/name, or the fallback for what is not a Kubernetes object', () => {
  expect(objectId({ kind: 'Job', metadata: { name: 'j', namespace: 'ns' } }, 'x')).toBe('Job/ns/j');
  expect(objectId({ kind: 'Job', metadata: { name: 'j' } }, 'x')).toBe('Job/-/j');
  expect(objectId({ algorithm: 'RSA' }, 'tls:index/privateKey:PrivateKey guide-key')).toBe('tls:index/privateKey:PrivateKey guide-key');
});

test('redaction: Secret values, Pulumi secrets and the certificate fingerprint', () => {
  expect(redact({ kind: 'Secret', data: { 'tls.key': 'c2VjcmV0' } })).toEqual({ kind: 'Secret', data: { 'tls.key': '<redacted tls.key>' } });
  expect(redact({ data: { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value: { 'tls.key': 'x' } } }))
    .toEqual({ data: '<secret>' });
  // A Secret whose data is a Pulumi secret as a whole stays one marker, not a map of its wrapper's keys.
  expect(redact({ kind: 'Secret', data: { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value: { 'tls.key': 'x' } } }))
    .toEqual({ kind: 'Secret', data: '<secret>' });
  expect(redact({ metadata: { annotations: { 'guide-as-code/certificate-sha256': 'AB:CD' } } }))
    .toEqual({ metadata: { annotations: { 'guide-as-code/certificate-sha256': '<SHA-256 fingerprint of the certificate>' } } });
});
