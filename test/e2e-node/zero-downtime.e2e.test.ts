// What a user of the production preset feels while the product changes something: a constant https load through the
// Service (test/e2e-node/load.ts: vegeta from node 1's namespace, one run with keep-alive and one without, side by
// side) during a new certificate, a new image, a scale and drains of both nodes (a real `pulumi up` under the same load
// is in pulumi.e2e.test.ts). Every change must drop nothing. The guide's manifest without the preset is measured the
// same way, to show that the measurement can fail.
import { join } from 'node:path';
import { kubectl, ok } from '../e2e/kubectl';
import { expectNothingDropped, nginxPods, settled, underLoad } from './load';
import { assertInsideNode, clusterNodes, NGINX_IMAGE, newKeys, synthesize } from './node';

const nodes = clusterNodes();

const keysFor = (ns: string) => newKeys(['--namespace', ns]);
/** The final state synthesized with these settings (the key material from GUIDE_TLS_KEYS, so a new key is a change). */
const finalState = (settings: Record<string, string>) => synthesize(settings)('guide-final-state.k8s.yaml');

beforeAll(() => { assertInsideNode(); expect(nodes.length).toBeGreaterThanOrEqual(2); });
afterAll(() => {
  for (const node of nodes) kubectl(['uncordon', node.name]);
});

describe('the production preset, applied with kubectl', () => {
  const ns = 'guide-load';
  const first = keysFor(ns);
  const second = keysFor(ns);
  const trust = [join(first, 'tls.crt'), join(second, 'tls.crt')];
  const settings: Record<string, string> = {
    GUIDE_NAMESPACE: ns, GUIDE_HARDENING: 'true', GUIDE_REPLICAS: '2', GUIDE_NGINX_IMAGE: NGINX_IMAGE, GUIDE_TLS_KEYS: first,
  };
  const apply = async (change: Record<string, string>, replicas: number) => {
    Object.assign(settings, change);
    ok(['apply', '-f', finalState(settings)]);
    await settled(ns, replicas);
  };

  beforeAll(async () => {
    ok(['create', 'namespace', ns]);
    await apply({}, 2);
  }, 300_000);
  afterAll(() => { kubectl(['delete', 'namespace', ns, '--wait=false']); });

  test('a new certificate (the fingerprint rollout) drops nothing', async () => {
    expectNothingDropped(await underLoad(ns, 'new certificate', trust, () => apply({ GUIDE_TLS_KEYS: second }, 2)));
  }, 300_000);

  test('a new image drops nothing', async () => {
    expectNothingDropped(await underLoad(ns, 'new image', trust, () => apply({ GUIDE_NGINX_IMAGE: 'guide.local/nginx:next' }, 2)));
    expect(nginxPods(ns).map((p) => p.spec.containers[0].image)).toEqual(['guide.local/nginx:next', 'guide.local/nginx:next']);
  }, 300_000);

  test('a scale 2 -> 4 -> 2 drops nothing', async () => {
    expectNothingDropped(await underLoad(ns, 'scale 2 -> 4 -> 2', trust, async () => {
      await apply({ GUIDE_REPLICAS: '4' }, 4);
      await apply({ GUIDE_REPLICAS: '2' }, 2);
    }));
  }, 300_000);

  test('draining the node of an nginx pod, then the other (both pods on it, the PDB lets one go at a time), drops nothing', async () => {
    const holder = nginxPods(ns)[0].spec.nodeName as string;
    const other = nodes.find((n) => n.name !== holder)!.name;
    let secondDrain = '';
    expectNothingDropped(await underLoad(ns, `kubectl drain ${holder}`, trust, async () => {
      ok(['drain', holder, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=180s']);
      await settled(ns, 2);
    }));
    expect(nginxPods(ns).map((p) => p.spec.nodeName)).toEqual([other, other]);
    ok(['uncordon', holder]);
    expectNothingDropped(await underLoad(ns, `kubectl drain ${other} (both pods on it)`, trust, async () => {
      const r = kubectl(['drain', other, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=180s']);
      expect(r.status).toBe(0);
      secondDrain = r.stdout + r.stderr;
      await settled(ns, 2);
    }));
    ok(['uncordon', other]);
    // The eviction API refused the second pod while the first one's replacement was not ready.
    expect(secondDrain).toContain('disruption budget');
    expect(nginxPods(ns).map((p) => p.spec.nodeName)).toEqual([holder, holder]);
  }, 600_000);
});

describe('the guide\'s manifest without the preset (the measurement can fail)', () => {
  const ns = 'guide-load-plain';
  const first = keysFor(ns);
  const second = keysFor(ns);

  beforeAll(async () => {
    ok(['create', 'namespace', ns]);
    ok(['apply', '-f', finalState({ GUIDE_NAMESPACE: ns, GUIDE_REPLICAS: '2', GUIDE_NGINX_IMAGE: NGINX_IMAGE, GUIDE_TLS_KEYS: first })]);
    await settled(ns, 2);
  }, 300_000);
  afterAll(() => { kubectl(['delete', 'namespace', ns, '--wait=false']); });

  test('guide manifest, new certificate: requests are dropped', async () => {
    const m = await underLoad(ns, 'guide manifest, new certificate', [join(first, 'tls.crt'), join(second, 'tls.crt')], async () => {
      ok(['apply', '-f', finalState({ GUIDE_NAMESPACE: ns, GUIDE_REPLICAS: '2', GUIDE_NGINX_IMAGE: NGINX_IMAGE, GUIDE_TLS_KEYS: second })]);
      await settled(ns, 2);
    });
    const failed = m.runs.reduce((sum, [, r]) => sum + r.failed, 0);
    expect(failed).toBeGreaterThan(0);
  }, 300_000);
});
