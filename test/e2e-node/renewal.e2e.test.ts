// A certificate renewed behind the IaC tool (the guide's `kubectl create secret tls ... --dry-run=client -o yaml |
// kubectl apply -f -`, what cert-manager does too) while the production preset serves a constant load: the preset's
// nginx reads the certificate at each TLS handshake (NginxConfig certificateLoading 'per-handshake'), so every pod
// serves the new one once the kubelet has updated its Secret volume, with no restart and nothing dropped.
import { join } from 'node:path';
import { kubectl, ok } from '../e2e/kubectl';
import { expectNothingDropped, nginxPods, settled, underLoad } from './load';
import { assertInsideNode, clusterNodes, curl, NGINX_IMAGE, newKeys, synthesize, WELCOME } from './node';

/** The kubelet syncs a pod's Secret volumes about once a minute (its sync period plus the cache's); room for both. */
const RENEWAL_BOUND_SECONDS = 120;

const ns = 'guide-renewal';
const first = newKeys(['--namespace', ns]);
const second = newKeys(['--namespace', ns]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Pod = any;

/** Whether `pod` serves the certificate of `keys` on its https port: curl trusts that certificate alone. */
function serves(pod: Pod, keys: string): boolean {
  // The https port comes first, as the preset's Deployment lists it.
  const port = pod.spec.containers[0].ports[0].containerPort;
  const r = curl(['--cacert', join(keys, 'tls.crt'), '--resolve', `my-nginx:${port}:${pod.status.podIP}`, `https://my-nginx:${port}/`]);
  return r.status === 0 && r.body.includes(WELCOME);
}

const restarts = (pods: Pod[]) => pods.map((p) => `${p.metadata.uid} ${p.status.containerStatuses[0].restartCount}`).sort();

beforeAll(async () => {
  assertInsideNode();
  expect(clusterNodes().length).toBeGreaterThanOrEqual(2);
  ok(['create', 'namespace', ns]);
  ok(['apply', '-f', synthesize({
    GUIDE_NAMESPACE: ns, GUIDE_HARDENING: 'true', GUIDE_REPLICAS: '2', GUIDE_NGINX_IMAGE: NGINX_IMAGE, GUIDE_TLS_KEYS: first,
  })('guide-final-state.k8s.yaml')]);
  await settled(ns, 2);
}, 300_000);
afterAll(() => { kubectl(['delete', 'namespace', ns, '--wait=false']); });

test('a Secret renewed with kubectl is served by every pod within the kubelet\'s sync, with no restart and nothing dropped', async () => {
  // GIVEN: both pods serve the first certificate and not the second (so the check below can fail)
  const before = nginxPods(ns);
  expect(before.map((p) => [serves(p, first), serves(p, second)])).toEqual([[true, false], [true, false]]);
  let servedAfter = NaN;

  // WHEN: the guide's renewal, under the zero-downtime suite's load
  const m = await underLoad(ns, 'certificate renewed with kubectl, no deploy', [join(first, 'tls.crt'), join(second, 'tls.crt')], async () => {
    const renewed = ok(['create', 'secret', 'tls', 'nginxsecret', '-n', ns, '--cert', join(second, 'tls.crt'), '--key', join(second, 'tls.key'),
      '--dry-run=client', '-o', 'yaml']);
    ok(['apply', '-f', '-'], renewed);
    const started = Date.now();
    for (;;) {
      if (nginxPods(ns).every((p: Pod) => serves(p, second))) break;
      const waited = (Date.now() - started) / 1000;
      if (waited > RENEWAL_BOUND_SECONDS) {
        throw new Error(`after ${waited.toFixed(0)} s, pods still serve the old certificate: ${nginxPods(ns).filter((p: Pod) => !serves(p, second))
          .map((p: Pod) => p.metadata.name).join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    servedAfter = (Date.now() - started) / 1000;
  });

  // THEN
  const requests = m.runs.reduce((sum, [, r]) => sum + r.requests, 0);
  const failed = m.runs.reduce((sum, [, r]) => sum + r.failed, 0);
  console.log(`renewal: ${requests} requests, ${failed} failed, served after ${servedAfter.toFixed(1)} s`);
  expectNothingDropped(m);
  expect(servedAfter).toBeLessThanOrEqual(RENEWAL_BOUND_SECONDS);
  // The same pods, none restarted: nginx read the new files itself.
  expect(restarts(nginxPods(ns))).toEqual(restarts(before));
}, 400_000);
