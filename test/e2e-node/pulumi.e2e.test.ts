// A real `pulumi up` of the prod stack on the real nodes, with the https check on: the provider waits for the check
// Job, so a green `up` means nginx answered `curl --cacert` over https inside the cluster. Then a second `up` that
// changes the image, under the same https load as test/e2e-node/zero-downtime.e2e.test.ts: it must drop nothing. Same
// engine and program as test/e2e/pulumi.e2e.test.ts; here pods really run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStackFile } from '../../pulumi/stack-file';
import { stackOf, startEngine } from '../e2e/engine';
import { getJson, kubeconfigPath, kubectl } from '../e2e/kubectl';
import { expectNothingDropped, settled, underLoad } from './load';
import { assertInsideNode, CURL_IMAGE, NGINX_IMAGE, newKeys } from './node';

test('up of the prod stack returns only once the https check Job succeeded; an up with a new image drops nothing; destroy removes it all', async () => {
  assertInsideNode();
  const ns = 'guide-prod';
  const keys = newKeys(['--namespace', ns, '--days', '30']);
  // prod as it is, on these nodes: its cluster, images and certificate from here, a cluster IP for the load (no
  // controller gives a LoadBalancer an address here).
  const prod = Object.fromEntries(Object.entries(readStackFile('prod'))
    .filter(([key]) => !['guide-as-code:existingSecretName', 'guide-as-code:waitForLoadBalancer'].includes(key)));
  const stack = await stackOf(await startEngine(), 'prod-on-nodes', {
    ...prod,
    // The nodes' cluster instead of the example's, named as the README shows.
    'guide-as-code:kubeconfig': { value: readFileSync(kubeconfigPath(), 'utf8'), secret: true },
    'guide-as-code:context': { value: 'guide-node', secret: false },
    // No registry: the Debian-built images already on the nodes.
    'guide-as-code:nginxImage': { value: NGINX_IMAGE, secret: false },
    'guide-as-code:curlImage': { value: CURL_IMAGE, secret: false },
    'guide-as-code:serviceType': { value: 'ClusterIP', secret: false },
    // No TLS provider can be built here: the certificate comes from config, the key as a secret.
    'guide-as-code:certificateSource': { value: 'config', secret: false },
    'guide-as-code:certificatePem': { value: readFileSync(join(keys, 'tls.crt'), 'utf8'), secret: false },
    'guide-as-code:privateKeyPem': { value: readFileSync(join(keys, 'tls.key'), 'utf8'), secret: true },
  });
  try {
    expect((await stack.up()).summary.result).toBe('succeeded');
    // Read at once: the check had already succeeded when `up` returned.
    const jobs = getJson(['-n', ns, 'jobs', '-l', 'app=curlpod-check']).items;
    expect(jobs).toHaveLength(1);
    expect(jobs[0].status.succeeded).toBe(1);
    expect(jobs[0].status.conditions.find((c: { type: string }) => c.type === 'Complete').status).toBe('True');

    const replicas = getJson(['-n', ns, 'deployment', 'my-nginx']).spec.replicas as number;
    expect(replicas).toBe(2);
    await settled(ns, replicas);
    await stack.setConfig('guide-as-code:nginxImage', { value: 'guide.local/nginx:next' });
    expectNothingDropped(await underLoad(ns, 'pulumi up of the prod stack, new image', [join(keys, 'tls.crt')], async () => {
      expect((await stack.up()).summary.result).toBe('succeeded');
      await settled(ns, replicas);
    }));
    expect(getJson(['-n', ns, 'deployment', 'my-nginx']).spec.template.spec.containers[0].image).toBe('guide.local/nginx:next');
  } finally {
    await stack.destroy();
  }
  expect(kubectl(['get', 'namespace', ns]).status === 0
    ? getJson(['namespace', ns]).status.phase : 'gone').toMatch(/^(Terminating|gone)$/);
}, 600_000);
