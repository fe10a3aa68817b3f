// A real `pulumi up` of the prod stack on the real nodes, with the https check on: the provider waits for the check
// Job, so a green `up` means nginx answered `curl --cacert` over https inside the cluster, and for the load balancer's
// address, which kube-router's allocator gives and the stack outputs. Then a second `up` that
// changes the image, under the same https load as test/e2e-node/zero-downtime.e2e.test.ts: it must drop nothing. Same
// engine and program as test/e2e/pulumi.e2e.test.ts; here pods really run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStackFile } from '../../pulumi/stack-file';
import { stackOf, startEngine } from '../e2e/engine';
import { getJson, kubeconfigPath, kubectl, ok } from '../e2e/kubectl';
import { expectNothingDropped, settled, underLoad } from './load';
import { assertInsideNode, curlFromClient, CURL_IMAGE, inLoadBalancerRange, NGINX_IMAGE, newKeys, WELCOME } from './node';

test('up of the prod stack returns only once the https check Job succeeded; an up with a new image drops nothing; destroy removes it all', async () => {
  assertInsideNode();
  const ns = 'guide-prod';
  const keys = newKeys(['--namespace', ns, '--days', '30']);
  // prod as it is, on these nodes: a LoadBalancer whose address kube-router's allocator gives, `up` waiting for it;
  // its cluster, images and certificate from here.
  const { 'guide-as-code:existingSecretName': _unread, ...prod } = readStackFile('prod');
  const stack = await stackOf(await startEngine(), 'prod-on-nodes', {
    ...prod,
    // The nodes' cluster instead of the example's, named as the README shows.
    'guide-as-code:kubeconfig': { value: readFileSync(kubeconfigPath(), 'utf8'), secret: true },
    'guide-as-code:context': { value: 'guide-node', secret: false },
    // No registry: the Debian-built images already on the nodes.
    'guide-as-code:nginxImage': { value: NGINX_IMAGE, secret: false },
    'guide-as-code:curlImage': { value: CURL_IMAGE, secret: false },
    // No TLS provider can be built here: the certificate comes from config, the key as a secret.
    'guide-as-code:certificateSource': { value: 'config', secret: false },
    'guide-as-code:certificatePem': { value: readFileSync(join(keys, 'tls.crt'), 'utf8'), secret: false },
    'guide-as-code:privateKeyPem': { value: readFileSync(join(keys, 'tls.key'), 'utf8'), secret: true },
  });
  try {
    const up = await stack.up();
    expect(up.summary.result).toBe('succeeded');
    // The address the controller chose, as `kubectl get svc -o wide` shows it, is what `up` waited for and outputs.
    const externalIp = ok(['-n', ns, 'get', 'svc', 'my-nginx', '-o', 'wide', '--no-headers']).trim().split(/\s+/)[3];
    expect(inLoadBalancerRange(externalIp)).toBe(true);
    expect(up.outputs.loadBalancerAddress.value).toBe(externalIp);
    const page = curlFromClient(['--fail', '--cacert', join(keys, 'tls.crt'), '--resolve', `my-nginx:443:${externalIp}`, 'https://my-nginx/']);
    expect(page.stderr).toBe('');
    expect(page.body).toContain(WELCOME);
    process.stdout.write(`load-balancer: pulumi up of prod output ${externalIp}, the address kube-router allocated; `
      + 'https from the client outside the nodes answered\n');
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
