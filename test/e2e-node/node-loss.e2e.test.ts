// A node lost under load: every process of node 2 (kubelet, containerd, kube-proxy, the pods) killed at once, as a
// power loss would. Kubernetes' own timeouts decide how long the Service keeps sending to the lost pod; this reports
// that time and the failed requests, then removes the lost Node (and force-deletes its pods) as a cloud's node
// controller and an operator would, and the app comes back to 2 ready replicas on the node that is left. It stops a
// node, so it runs last (test/e2e-node/sequencer.js).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { eventually, getJson, kubectl, ok } from '../e2e/kubectl';
import { formatLoad, fromChange, nginxPods, serviceLoads } from './load';
import { assertInsideNode, clusterNodes, newKeys, synthesize } from './node';

const root = join(__dirname, '..', '..');
const ns = 'guide-node-loss';
const nodes = clusterNodes();

/** The addresses the Service sends new connections to: its EndpointSlices' ready endpoints. */
const readyEndpoints = (): string[] => getJson(['-n', ns, 'endpointslices', '-l', 'kubernetes.io/service-name=my-nginx']).items
  .flatMap((s: { endpoints?: { addresses: string[]; conditions: { ready?: boolean } }[] }) => s.endpoints ?? [])
  .filter((e: { conditions: { ready?: boolean } }) => e.conditions.ready).flatMap((e: { addresses: string[] }) => e.addresses).sort();

test('node 2 lost under load: the failed requests and the time until the Service stopped sending to its pod; back to 2 replicas', async () => {
  assertInsideNode();
  expect(nodes.length).toBeGreaterThanOrEqual(2);
  const [survivor, lost] = nodes;
  const keys = newKeys(['--namespace', ns]);
  const dist = synthesize({ GUIDE_NAMESPACE: ns, GUIDE_HARDENING: 'true', GUIDE_REPLICAS: '2', GUIDE_TLS_KEYS: keys });
  ok(['create', 'namespace', ns]);
  ok(['apply', '-f', dist('guide-final-state.k8s.yaml')]);
  ok(['-n', ns, 'rollout', 'status', 'deployment/my-nginx', '--timeout=180s']);
  // The preset spreads the replicas over the nodes: one of them is on the node that will be lost.
  const onLost = await eventually('an nginx pod on each node', () => {
    const pods = nginxPods(ns);
    const lostPod = pods.find((p) => p.spec.nodeName === lost.name);
    return pods.length === 2 && pods.some((p) => p.spec.nodeName === survivor.name) && lostPod ? lostPod.status.podIP as string : undefined;
  });
  await eventually('both pods as ready endpoints', () => (readyEndpoints().length === 2 ? true : undefined));

  // From node 1, the survivor.
  const loads = await serviceLoads(ns, 'node lost', [join(keys, 'tls.crt')]);
  await new Promise((r) => setTimeout(r, 3000));
  const lostAt = Date.now();
  execFileSync('bash', [join(root, 'e2e', 'node.sh'), 'lose', '2'], { stdio: 'pipe' });
  const stoppedSending = await eventually(`the lost pod ${onLost} to leave the ready endpoints`, () =>
    (readyEndpoints().includes(onLost) ? undefined : (Date.now() - lostAt) / 1000), 300_000);
  // A few seconds for kube-proxy to act on it, then the count.
  await new Promise((r) => setTimeout(r, 5000));
  for (const [mode, load] of loads) {
    const report = fromChange(await load.stop(), lostAt);
    console.log(`${formatLoad(`node lost (${mode})`, report)}; the Service stopped sending to the lost pod ${stoppedSending.toFixed(1)} s after the loss`);
    const late = report.failures.filter((f) => f.at > lostAt + stoppedSending * 1000 + 5000);
    // Once the endpoint was gone, nothing failed any more.
    expect(late).toEqual([]);
  }
  expect(getJson(['node', lost.name]).status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('Unknown');

  // The machine is gone for good: its Node is removed, as a cloud's node controller does, and the pods bound to it are
  // force-deleted, as Kubernetes' documentation says to for a node that will not come back (pod garbage collection
  // would wait about 40 s more); the Deployment replaces them on the node that is left.
  ok(['delete', 'node', lost.name]);
  ok(['delete', 'pods', '--all-namespaces', '--field-selector', `spec.nodeName=${lost.name}`, '--force', '--grace-period=0']);
  await eventually('2 ready replicas on the node that is left', () => {
    const pods = nginxPods(ns).filter((p) => !p.metadata.deletionTimestamp);
    return pods.length === 2 && pods.every((p) => p.spec.nodeName === survivor.name
      && p.status.containerStatuses?.every((c: { ready: boolean }) => c.ready)) ? true : undefined;
  }, 180_000);
  console.log(`node lost: 2 ready replicas on ${survivor.name} ${((Date.now() - lostAt) / 1000).toFixed(1)} s after the loss`);
  kubectl(['delete', 'namespace', ns, '--wait=false']);
}, 600_000);
