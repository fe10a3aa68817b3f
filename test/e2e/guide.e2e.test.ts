// The guide's steps against a real kube-apiserver, controller manager and scheduler (kwok nodes), applying the
// files `npm run synth` writes to dist/ with kubectl, as the guide does (synthesized in a folder of the suite's own:
// test/e2e/scratch.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { envWithoutSynthSettings } from '../support/helpers';
import { apiServer, eventually, getJson, kubectl, LOADBALANCER_ADDRESS, ok } from './kubectl';
import { keysInScratch, synthInScratch } from './scratch';

const root = join(__dirname, '..', '..');
let out: string;
const dist = (file: string) => join(out, file);
let keys: string;

/** What the test creates in the namespace shows up here; what the cluster starts with does not. */
const listOurs = () => ok(['get', 'deployments,replicasets,pods,services,endpoints,configmaps,secrets,jobs', '-o', 'name'])
  .split('\n').filter((l) => l && !['service/kubernetes', 'endpoints/kubernetes', 'configmap/kube-root-ca.crt'].includes(l));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const podsOf = (selector: string): any[] => getJson(['pods', '-l', selector]).items;

function serverDryRunThenApply(file: string): void {
  expect(ok(['apply', '--dry-run=server', '-f', file])).toMatch(/\(server dry run\)/);
  ok(['apply', '-f', file]);
}

/** The addresses and ports of the Endpoints object of a Service, once every ready pod is listed. */
function endpointsOf(service: string): { ips: string[]; ports: number[] } {
  const subsets = getJson(['endpoints', service]).subsets ?? [];
  return {
    ips: subsets.flatMap((s: { addresses?: { ip: string }[] }) => (s.addresses ?? []).map((a) => a.ip)).sort(),
    ports: subsets.flatMap((s: { ports?: { port: number }[] }) => (s.ports ?? []).map((p) => p.port)).sort((a: number, b: number) => a - b),
  };
}

async function endpointsFollowPods(service: string, selector: string, ports: number[]): Promise<string[]> {
  return eventually(`Endpoints of ${service} to list the pods of ${selector}`, () => {
    const podIps = podsOf(selector).filter((p) => p.status.phase === 'Running' && p.status.podIP).map((p) => p.status.podIP).sort();
    const endpoints = endpointsOf(service);
    const wanted = podsOf(selector).filter((p) => !p.metadata.deletionTimestamp).length;
    return podIps.length === wanted && wanted > 0 && JSON.stringify(endpoints.ips) === JSON.stringify(podIps)
      && JSON.stringify(endpoints.ports) === JSON.stringify(ports) ? podIps : undefined;
  });
}

let baseline: string[];

beforeAll(() => {
  // The suite dials only the API server on loopback; pod IPs that kwok invents are data, never dialed.
  expect(apiServer().hostname).toBe('127.0.0.1');
  out = synthInScratch({});
  keys = keysInScratch([]);
  baseline = listOurs();
  expect(baseline).toEqual([]);
});

describe('step 1: run-my-nginx.k8s.yaml', () => {
  test('is accepted by a server-side dry-run, then applied', () => {
    serverDryRunThenApply(dist('steps/1-run-my-nginx.k8s.yaml'));
  });

  test('the Deployment becomes Available with its 2 replicas, each pod Running with an IP', async () => {
    ok(['wait', '--for=condition=Available', 'deployment/my-nginx', '--timeout=90s']);
    expect(getJson(['deployment', 'my-nginx']).status.availableReplicas).toBe(2);
    await eventually('2 running pods with IPs', () => {
      const pods = podsOf('run=my-nginx');
      return pods.length === 2 && pods.every((p) => p.status.phase === 'Running' && p.status.podIP) ? pods : undefined;
    });
  });
});

describe('step 2: nginx-svc.k8s.yaml (kubectl expose)', () => {
  test('is accepted and gets a cluster IP', () => {
    serverDryRunThenApply(dist('steps/2-nginx-svc.k8s.yaml'));
    expect(getJson(['service', 'my-nginx']).spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  test('its Endpoints list one address per pod, on port 80', async () => {
    const ips = await endpointsFollowPods('my-nginx', 'run=my-nginx', [80]);
    expect(ips).toHaveLength(2);
  });

  test('scaling to 0 and back to 2 gives new pods, and the Endpoints follow', async () => {
    const before = podsOf('run=my-nginx').map((p) => p.metadata.name).sort();
    ok(['scale', 'deployment', 'my-nginx', '--replicas=0']);
    await eventually('no pods and no endpoint addresses', () =>
      (podsOf('run=my-nginx').length === 0 && endpointsOf('my-nginx').ips.length === 0 ? true : undefined));
    ok(['scale', 'deployment', 'my-nginx', '--replicas=2']);
    ok(['wait', '--for=condition=Available', 'deployment/my-nginx', '--timeout=90s']);
    const ips = await endpointsFollowPods('my-nginx', 'run=my-nginx', [80]);
    expect(ips).toHaveLength(2);
    const after = podsOf('run=my-nginx').map((p) => p.metadata.name).sort();
    expect(after.filter((n) => before.includes(n))).toEqual([]);
  });
});

describe('step 3: securing the Service', () => {
  test('the Secret that synth writes with GUIDE_TLS_KEYS passes a server-side dry-run', () => {
    const out = mkdtempSync(join(tmpdir(), 'guide-e2e-dist-'));
    execFileSync('npx', ['cdk8s', 'synth', '--no-check-upgrade', '-o', out], {
      cwd: root, stdio: 'ignore', env: { ...envWithoutSynthSettings(), GUIDE_TLS_KEYS: keys },
    });
    // The cdk8s CLI runs the same app as `npm run synth`, so the steps land in <out>/steps/ there too.
    const file = join(out, 'steps', '3-nginxsecret.k8s.yaml');
    const secret = parseAllDocuments(readFileSync(file, 'utf8'))[0].toJS();
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(ok(['create', '--dry-run=server', '-f', file, '-o', 'name']).trim()).toBe('secret/nginxsecret');
  });

  test('`kubectl create secret tls` makes a kubernetes.io/tls Secret the server accepts, with tls.crt and tls.key', () => {
    ok(['create', 'secret', 'tls', 'nginxsecret', '--cert', join(keys, 'tls.crt'), '--key', join(keys, 'tls.key')]);
    const secret = getJson(['secret', 'nginxsecret']);
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Object.keys(secret.data).sort()).toEqual(['tls.crt', 'tls.key']);
    expect(Buffer.from(secret.data['tls.crt'], 'base64').toString()).toBe(readFileSync(join(keys, 'tls.crt'), 'utf8'));
  });

  test('nginxconfigmap.k8s.yaml is accepted', () => {
    serverDryRunThenApply(dist('steps/4-nginxconfigmap.k8s.yaml'));
    expect(Object.keys(getJson(['configmap', 'nginxconfigmap']).data)).toEqual(['default.conf']);
  });

  test('after `kubectl delete deployments,svc my-nginx`, nginx-secure-app.k8s.yaml is accepted', async () => {
    ok(['delete', 'deployments,svc', 'my-nginx', '--wait=true']);
    await eventually('the old pods to go', () => (podsOf('run=my-nginx').length === 0 ? true : undefined));
    serverDryRunThenApply(dist('steps/5-nginx-secure-app.k8s.yaml'));
    ok(['wait', '--for=condition=Available', 'deployment/my-nginx', '--timeout=90s']);
  });

  test('the NodePort Service gets a node port in 30000-32767 for http and https', () => {
    const ports = getJson(['service', 'my-nginx']).spec.ports;
    expect(ports.map((p: { name: string }) => p.name)).toEqual(['http', 'https']);
    for (const p of ports) {
      expect(p.nodePort).toBeGreaterThanOrEqual(30000);
      expect(p.nodePort).toBeLessThanOrEqual(32767);
    }
  });

  test('its Endpoints list the pod on 80 and 443', async () => {
    expect(await endpointsFollowPods('my-nginx', 'run=my-nginx', [80, 443])).toHaveLength(1);
  });

  test('the pod mounts the Secret and the ConfigMap', () => {
    const volumes = podsOf('run=my-nginx')[0].spec.volumes;
    expect(volumes).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'secret-volume', secret: expect.objectContaining({ secretName: 'nginxsecret' }) }),
      expect.objectContaining({ name: 'configmap-volume', configMap: expect.objectContaining({ name: 'nginxconfigmap' }) }),
    ]));
  });

  test('curlpod.k8s.yaml is accepted and its Deployment becomes Available', () => {
    serverDryRunThenApply(dist('steps/6-curlpod.k8s.yaml'));
    ok(['wait', '--for=condition=Available', 'deployment/curl-deployment', '--timeout=90s']);
  });
});

describe('step 4: `kubectl apply -f dist/` applies the final state (LoadBalancer)', () => {
  const checkJobs = () => getJson(['jobs', '-l', 'app=curlpod-check']).items.map((j: { metadata: { name: string } }) => j.metadata.name);

  test('the folder is accepted, turning the Service into a LoadBalancer', () => {
    // Only guide-final-state.k8s.yaml is at the top of dist/; the steps are in dist/steps/, which -f without -R skips.
    serverDryRunThenApply(dist(''));
    expect(getJson(['service', 'my-nginx']).spec.type).toBe('LoadBalancer');
    const [job] = checkJobs();
    expect(job).toMatch(/^my-nginx-https-check-[0-9a-f]{8}$/);
    expect(getJson(['job', job]).spec.backoffLimit).toBe(6);
  });

  test('a changed check Job (other images) applies again without the immutable-template error: it is a new Job', () => {
    const before = checkJobs();
    const otherImages = synthInScratch({ GUIDE_IMAGES: 'guide' });
    const r = kubectl(['apply', '-f', join(otherImages, 'guide-final-state.k8s.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const after = checkJobs();
    expect(after).toHaveLength(2);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.filter((j: string) => !before.includes(j))[0]).toMatch(/^my-nginx-https-check-[0-9a-f]{8}$/);
    // Back to the pinned images: the first Job's name again, so apply changes nothing there.
    ok(['apply', '-f', dist('guide-final-state.k8s.yaml')]);
    expect(checkJobs()).toEqual(expect.arrayContaining(before));
  });

  test('once the load-balancer controller writes its status, `kubectl get svc my-nginx` shows the address', async () => {
    // kube-router's allocator, which e2e/cluster.sh runs beside kwok, gives the address.
    const address = await eventually('the allocator\'s address', () => getJson(['service', 'my-nginx']).status.loadBalancer.ingress?.[0]?.ip);
    expect(address).toMatch(LOADBALANCER_ADDRESS);
    const table = ok(['get', 'svc', 'my-nginx']);
    expect(table).toMatch(new RegExp(`my-nginx\\s+LoadBalancer\\s+\\S+\\s+${address.replace(/\./g, '\\.')}\\s+8080:3\\d{4}/TCP,443:3\\d{4}/TCP`));
  });
});

describe('what the server refuses, with the error a user sees', () => {
  const deployment = () => parseAllDocuments(readFileSync(dist('steps/1-run-my-nginx.k8s.yaml'), 'utf8'))[0].toJS();

  test('changing the selector of an existing Deployment', () => {
    const changed = deployment();
    changed.spec.selector.matchLabels = { run: 'my-nginx-v2' };
    changed.spec.template.metadata.labels = { run: 'my-nginx-v2' };
    const r = kubectl(['apply', '-f', '-'], JSON.stringify(changed));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/The Deployment "my-nginx" is invalid: spec.selector: Invalid value: .*: field is immutable/);
  });

  test('a Deployment whose selector does not match its pod labels', () => {
    const mismatched = deployment();
    mismatched.metadata.name = 'mismatched';
    mismatched.spec.template.metadata.labels = { run: 'something-else' };
    const r = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(mismatched));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('`selector` does not match template `labels`');
  });

  test('a kubernetes.io/tls Secret without tls.key', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'half' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Zm9v' } };
    const r = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(secret));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/data\[tls\.key\]: Required value/);
  });

  test('changing the cluster IP of an existing Service', () => {
    const service = getJson(['service', 'my-nginx']);
    const patch = { spec: { clusterIP: service.spec.clusterIP === '10.0.0.250' ? '10.0.0.251' : '10.0.0.250' } };
    const r = kubectl(['patch', 'service', 'my-nginx', '--type=merge', '-p', JSON.stringify(patch)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/The Service "my-nginx" is invalid: spec.clusterIPs\[0\]: Invalid value: .*: may not change once set/);
  });

  test('a node port another Service already holds', () => {
    const taken = getJson(['service', 'my-nginx']).spec.ports[0].nodePort;
    const other = {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'other' },
      spec: { type: 'NodePort', selector: { run: 'other' }, ports: [{ port: 80, nodePort: taken }] },
    };
    const r = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(other));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`provided port is already allocated`);
  });
});

describe('cleaning up', () => {
  test('deleting every file of dist/ and the Secret leaves no object behind', async () => {
    for (const file of ['guide-final-state', 'steps/6-curlpod', 'steps/5-nginx-secure-app', 'steps/4-nginxconfigmap', 'steps/2-nginx-svc',
      'steps/1-run-my-nginx']) {
      ok(['delete', '--ignore-not-found', '--wait=true', '-f', dist(`${file}.k8s.yaml`)]);
    }
    // Earlier versions of the check Job, which the current file no longer names.
    ok(['delete', 'jobs', '-l', 'app=curlpod-check', '--ignore-not-found', '--wait=true']);
    ok(['delete', 'secret', 'nginxsecret', '--wait=true']);
    // Pods of the Job and Deployments go through graceful deletion; wait for the garbage collector.
    const left = await eventually('the namespace to be as it was', () => {
      const now = listOurs();
      return now.length === 0 ? now : undefined;
    }, 90_000);
    expect(left).toEqual(baseline);
  });
});
