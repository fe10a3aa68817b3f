// `pulumi up` of the dev stack on the real node with the https check on: the provider waits for the check Job, so a
// green `up` means nginx answered `curl --cacert` over https inside the cluster. Same engine and program as
// test/e2e/pulumi.e2e.test.ts; here pods really run.
import { readFileSync } from 'node:fs';
import { generateSelfSigned } from '../../lib/self-signed';
import { readStackFile } from '../../pulumi/stack-file';
import { stackOf, startEngine } from '../e2e/engine';
import { getJson, kubeconfigPath, kubectl } from '../e2e/kubectl';
import { assertInsideNode, CURL_IMAGE, NGINX_IMAGE } from './node';

test('up of the dev stack returns only once the https check Job succeeded; destroy removes it all', async () => {
  assertInsideNode();
  const ns = 'guide-dev';
  const pem = await generateSelfSigned({ namespace: ns, days: 30 });
  const stack = await stackOf(await startEngine(), 'dev-on-node', {
    ...readStackFile('dev'),
    // The node's cluster instead of the example's, named as the README shows.
    'guide-as-code:kubeconfig': { value: readFileSync(kubeconfigPath(), 'utf8'), secret: true },
    'guide-as-code:context': { value: 'guide-node', secret: false },
    // No registry: the Debian-built images already on the node.
    'guide-as-code:nginxImage': { value: NGINX_IMAGE, secret: false },
    'guide-as-code:curlImage': { value: CURL_IMAGE, secret: false },
    // No TLS provider can be built here: the certificate comes from config, the key as a secret.
    'guide-as-code:certificateSource': { value: 'config', secret: false },
    'guide-as-code:certificatePem': { value: pem.certificatePem, secret: false },
    'guide-as-code:privateKeyPem': { value: pem.privateKeyPem, secret: true },
  });
  const result = await stack.up();
  expect(result.summary.result).toBe('succeeded');
  // Read at once: the check had already succeeded when `up` returned.
  const jobs = getJson(['-n', ns, 'jobs', '-l', 'app=curlpod-check']).items;
  expect(jobs).toHaveLength(1);
  expect(jobs[0].status.succeeded).toBe(1);
  expect(jobs[0].status.conditions.find((c: { type: string }) => c.type === 'Complete').status).toBe('True');
  await stack.destroy();
  expect(kubectl(['get', 'namespace', ns]).status === 0
    ? getJson(['namespace', ns]).status.phase : 'gone').toMatch(/^(Terminating|gone)$/);
}, 300_000);
