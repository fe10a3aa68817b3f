// The guide "Connecting Applications with Services" on a real node (e2e/node.sh): containers run, and traffic really
// flows through pod IPs, the Service, CoreDNS, https, a node port and a load-balancer address. The manifests are what
// synth writes, with Debian-built images chosen through GUIDE_NGINX_IMAGE and GUIDE_CURL_IMAGE (nothing is pulled).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { NGINX_UID } from '../../lib/hardening';
import { apiServer, eventually, getJson, kubectl, ok } from '../e2e/kubectl';
import {
  assertInsideNode, CONTROL_PLANE_IP, curl, curlFromClient, CURL_IMAGE, inLoadBalancerRange, NGINX_IMAGE, newKeys, POD_IP, synthesize, WELCOME,
} from './node';

const root = join(__dirname, '..', '..');
const nodeIp = process.env.GUIDE_E2E_NODE_IP!;
let keys: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const podsOf = (selector: string, ns = 'default'): any[] => getJson(['-n', ns, 'pods', '-l', selector]).items
  .filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp);

async function runningPods(selector: string, count: number, ns = 'default'): Promise<string[]> {
  return eventually(`${count} running pods of ${selector}`, () => {
    const pods = podsOf(selector, ns);
    const running = pods.filter((p) => p.status.phase === 'Running' && p.status.containerStatuses?.every((c: { ready: boolean }) => c.ready));
    return pods.length === count && running.length === count ? running.map((p) => p.metadata.name as string) : undefined;
  }, 90_000);
}

const podName = (selector: string, ns = 'default') => podsOf(selector, ns)[0].metadata.name as string;
const exec = (pod: string, command: string[], ns = 'default') => kubectl(['-n', ns, 'exec', pod, '--', ...command]);
const clusterIp = (ns = 'default') => getJson(['-n', ns, 'service', 'my-nginx']).spec.clusterIP as string;

let dist: (file: string) => string;

beforeAll(() => {
  assertInsideNode();
  // The API server is the control plane's, inside the namespaces (e2e/node.sh).
  expect(apiServer().hostname).toBe(CONTROL_PLANE_IP);
  dist = synthesize({});
  keys = newKeys([]);
});

describe('step 1: run-my-nginx, pods that really run', () => {
  test('the pods run with IPs from the pod network, from the imported image (never pulled)', async () => {
    ok(['apply', '-f', dist('steps/1-run-my-nginx.k8s.yaml')]);
    await runningPods('run=my-nginx', 2);
    for (const pod of podsOf('run=my-nginx')) expect(pod.status.podIP).toMatch(POD_IP);
    const events = ok(['get', 'events', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    expect(events).toContain(`Container image "${NGINX_IMAGE}" already present on machine`);
    expect(events).not.toMatch(/^Pulling/m);
  });

  test('curl to each pod IP on port 80, from the node, returns nginx\'s page (the guide\'s first check)', () => {
    for (const pod of podsOf('run=my-nginx')) {
      expect(curl([`http://${pod.status.podIP}:80/`]).body).toContain(WELCOME);
    }
  });

  test('pods started before the Service have no MY_NGINX_SERVICE_HOST', () => {
    for (const pod of podsOf('run=my-nginx')) {
      expect(exec(pod.metadata.name, ['printenv']).stdout).not.toContain('MY_NGINX_SERVICE_HOST');
    }
  });
});

describe('step 2: the Service', () => {
  test('its cluster IP answers on 80, through kube-proxy', async () => {
    ok(['apply', '-f', dist('steps/2-nginx-svc.k8s.yaml')]);
    const ip = clusterIp();
    expect(ip).toMatch(/^10\.96\.0\.\d+$/);
    await eventually('the cluster IP to answer', () => (curl([`http://${ip}:80/`]).body.includes(WELCOME) ? true : undefined));
  });

  test('its Endpoints follow a scale to 0 and back to 2; the new pods have MY_NGINX_SERVICE_HOST, the guide\'s lesson', async () => {
    const before = podsOf('run=my-nginx').map((p) => p.status.podIP).sort();
    const endpointIps = () => (getJson(['endpoints', 'my-nginx']).subsets ?? [])
      .flatMap((s: { addresses?: { ip: string }[] }) => (s.addresses ?? []).map((a) => a.ip)).sort();
    await eventually('Endpoints of the first pods', () => (JSON.stringify(endpointIps()) === JSON.stringify(before) ? true : undefined));
    ok(['scale', 'deployment', 'my-nginx', '--replicas=0']);
    await eventually('no pods and empty Endpoints', () => (podsOf('run=my-nginx').length === 0 && endpointIps().length === 0 ? true : undefined));
    ok(['scale', 'deployment', 'my-nginx', '--replicas=2']);
    await runningPods('run=my-nginx', 2);
    const after = podsOf('run=my-nginx').map((p) => p.status.podIP).sort();
    await eventually('Endpoints of the new pods', () => (JSON.stringify(endpointIps()) === JSON.stringify(after) ? true : undefined));
    for (const pod of podsOf('run=my-nginx')) {
      expect(exec(pod.metadata.name, ['printenv', 'MY_NGINX_SERVICE_HOST']).stdout.trim()).toBe(clusterIp());
      expect(exec(pod.metadata.name, ['printenv', 'MY_NGINX_SERVICE_PORT']).stdout.trim()).toBe('80');
    }
    await eventually('the cluster IP to answer again', () => (curl([`http://${clusterIp()}/`]).body.includes(WELCOME) ? true : undefined));
  });

  test('DNS: nslookup my-nginx from a pod returns the cluster IP, answered by CoreDNS', async () => {
    ok(['run', 'curl', `--image=${CURL_IMAGE}`, '--restart=Never', '--command', '--', 'sleep', '3600']);
    await runningPods('run=curl', 1);
    const answer = await eventually('an answer', () => {
      const r = exec('curl', ['nslookup', 'my-nginx']);
      return r.status === 0 ? r.stdout : undefined;
    });
    // Answered by the kube-dns Service, as the guide's DNS step shows it: CoreDNS pods in kube-system behind it.
    const dns = getJson(['services', 'kube-dns', '--namespace=kube-system']);
    expect(answer).toMatch(new RegExp(`Server:\\s+${dns.spec.clusterIP.replace(/\./g, '\\.')}`));
    expect(getJson(['-n', 'kube-system', 'pods', '-l', 'k8s-app=kube-dns']).items.map((p: { status: { phase: string } }) => p.status.phase)).toEqual(['Running']);
    expect(answer).toContain('Name:\tmy-nginx.default.svc.cluster.local');
    expect(answer).toContain(`Address: ${clusterIp()}`);
    expect(exec('curl', ['curl', '-s', 'http://my-nginx/']).stdout).toContain(WELCOME);
    ok(['delete', 'pod', 'curl', '--now']);
  });
});

describe('step 3: securing the Service', () => {
  test('with the Secret and the ConfigMap, the https app and the curl client run', async () => {
    ok(['create', 'secret', 'tls', 'nginxsecret', '--cert', join(keys, 'tls.crt'), '--key', join(keys, 'tls.key')]);
    ok(['apply', '-f', dist('steps/4-nginxconfigmap.k8s.yaml')]);
    // As the guide does: `kubectl delete deployments,svc my-nginx; kubectl create -f ./nginx-secure-app.yaml`.
    ok(['delete', 'deployments,svc', 'my-nginx', '--wait=true']);
    ok(['apply', '-f', dist('steps/5-nginx-secure-app.k8s.yaml')]);
    ok(['apply', '-f', dist('steps/6-curlpod.k8s.yaml')]);
    await runningPods('run=my-nginx', 1);
    await runningPods('app=curlpod', 1);
  });

  test('kubectl exec of curl in curl-deployment gets the page over https, trusting the Secret\'s certificate', async () => {
    const pod = podName('app=curlpod');
    const page = await eventually('https to answer', () => {
      const r = exec(pod, ['curl', '--fail', '--silent', 'https://my-nginx', '--cacert', '/etc/nginx/ssl/tls.crt']);
      return r.status === 0 ? r.stdout : undefined;
    });
    expect(page).toContain(WELCOME);
  });

  test('NodePort: https://<node IP>:<nodePort> answers from the node\'s namespace', async () => {
    const https = getJson(['service', 'my-nginx']).spec.ports.find((p: { name: string }) => p.name === 'https').nodePort;
    expect(https).toBeGreaterThanOrEqual(30000);
    // The certificate names my-nginx, so the name is resolved to the node's IP for curl to verify it.
    const page = await eventually('the node port', () => {
      const r = curl(['--fail', '--cacert', join(keys, 'tls.crt'), '--resolve', `my-nginx:${https}:${nodeIp}`, `https://my-nginx:${https}/`]);
      return r.status === 0 ? r.body : undefined;
    });
    expect(page).toContain(WELCOME);
  });
});

describe('step 4: the final state behind a load balancer', () => {
  test('the CurlProbe check Job reaches Complete: curl --cacert to https://my-nginx answered', async () => {
    ok(['apply', '-f', dist('guide-final-state.k8s.yaml')]);
    const job = getJson(['jobs', '-l', 'app=curlpod-check']).items[0].metadata.name;
    ok(['wait', '--for=condition=complete', `job/${job}`, '--timeout=150s']);
    const pod = getJson(['pods', '-l', `job-name=${job}`]).items.find((p: { status: { phase: string } }) => p.status.phase === 'Succeeded');
    expect(ok(['logs', pod.metadata.name])).toContain('ok: https://my-nginx answered over https, trusting the certificate of Secret nginxsecret');
  });

  test('kube-router\'s allocator gives the Service an address of its range; from a client outside the nodes, https to it gets the page, the certificate verified', async () => {
    // `kubectl get svc my-nginx -o wide`, as the guide shows it: the EXTERNAL-IP column, once the controller wrote it.
    const externalIp = await eventually('the EXTERNAL-IP the allocator chose', () => {
      const row = ok(['get', 'svc', 'my-nginx', '-o', 'wide', '--no-headers']).trim().split(/\s+/);
      return row[1] === 'LoadBalancer' && row[3] !== '<pending>' ? row[3] : undefined;
    }, 60_000);
    expect(inLoadBalancerRange(externalIp)).toBe(true);
    expect(getJson(['service', 'my-nginx']).status.loadBalancer.ingress).toEqual([expect.objectContaining({ ip: externalIp })]);
    // The certificate names the Service, not the address: the client resolves my-nginx to it, as a DNS record for the
    // load balancer would, and curl checks the name against the certificate.
    const page = await eventually('the page through the load balancer', () => {
      const r = curlFromClient(['--fail', '--cacert', join(keys, 'tls.crt'), '--resolve', `my-nginx:443:${externalIp}`, 'https://my-nginx/']);
      return r.status === 0 ? r.body : undefined;
    });
    expect(page).toContain(WELCOME);
    // The control: the same client without a route to an address outside the range reaches nothing.
    expect(curlFromClient(['--max-time', '2', '--cacert', join(keys, 'tls.crt'), '--resolve', `my-nginx:443:${clusterIp('default')}`, 'https://my-nginx/']).status).not.toBe(0);
  });

  test('a certificate that does not name the Service makes the check Job fail, so the check can fail', async () => {
    const ns = 'wrong-names';
    ok(['create', 'namespace', ns]);
    const other = newKeys(['--service', 'someone-else']);
    // Applied on purpose past the constructs' checks, which would refuse it.
    ok(['-n', ns, 'create', 'secret', 'tls', 'nginxsecret', '--cert', join(other, 'tls.crt'), '--key', join(other, 'tls.key')]);
    const wrong = synthesize({ GUIDE_NAMESPACE: ns });
    // One try, not six: the same check, failing fast.
    const manifests = parseAllDocuments(readFileSync(wrong('guide-final-state.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    for (const m of manifests) if (m.kind === 'Job') m.spec.backoffLimit = 0;
    // nginx first, so the one try fails on the certificate and not on a server still starting.
    ok(['apply', '-f', '-'], manifests.filter((m) => m.kind !== 'Job').map((m) => JSON.stringify(m)).join('\n'));
    await runningPods('run=my-nginx', 1, ns);
    ok(['apply', '-f', '-'], manifests.filter((m) => m.kind === 'Job').map((m) => JSON.stringify(m)).join('\n'));
    const job = getJson(['-n', ns, 'jobs', '-l', 'app=curlpod-check']).items[0].metadata.name;
    ok(['-n', ns, 'wait', '--for=condition=failed', `job/${job}`, '--timeout=120s']);
    const logs = ok(['-n', ns, 'logs', `job/${job}`]);
    expect(logs).toContain(`Address: ${clusterIp(ns)}`);
    expect(logs).toMatch(/curl: \(60\) .*(no alternative certificate subject name matches|does not match target host name)/);
    // Not waited for: the suite goes on while the pods stop (the guide's curl pod takes its whole grace period).
    ok(['delete', 'namespace', ns, '--wait=false']);
  });
});

describe('hardening on a real node', () => {
  test('unprivileged nginx serves https in a namespace that enforces Pod Security "restricted", and the check completes', async () => {
    const ns = 'guide-hardened';
    ok(['create', 'namespace', ns]);
    ok(['label', 'namespace', ns, ...['enforce', 'warn', 'audit'].map((m) => `pod-security.kubernetes.io/${m}=restricted`)]);
    const hardenedKeys = newKeys(['--namespace', ns]);
    ok(['-n', ns, 'create', 'secret', 'tls', 'nginxsecret', '--cert', join(hardenedKeys, 'tls.crt'), '--key', join(hardenedKeys, 'tls.key')]);
    const hardened = synthesize({ GUIDE_NAMESPACE: ns, GUIDE_HARDENING: 'true' });
    const r = kubectl(['apply', '-f', hardened('guide-final-state.k8s.yaml')]);
    expect(r.stderr).toBe('');
    const job = getJson(['-n', ns, 'jobs', '-l', 'app=curlpod-check']).items[0].metadata.name;
    ok(['-n', ns, 'wait', '--for=condition=complete', `job/${job}`, '--timeout=150s']);
    // nginx really runs as the preset's unprivileged uid (above 10000), listening on 8443 behind the Service's 443.
    const pod = podName('run=my-nginx', ns);
    const status = exec(pod, ['sh', '-c', 'id -u; cat /proc/1/status | grep CapEff'], ns).stdout;
    expect(status).toMatch(new RegExp(`^${NGINX_UID}\n`));
    expect(status).toMatch(/CapEff:\s+0000000000000000/);
    // Not waited for: the suite goes on while the pods stop.
    ok(['delete', 'namespace', ns, '--wait=false']);
  });
});

describe('containment', () => {
  test('the dial helper refuses to run from the machine\'s own network namespace', () => {
    // e2e/node.sh passes the machine's own namespace (its own, outside) for this test alone.
    const r = spawnSync('nsenter', [`--net=${process.env.GUIDE_E2E_MACHINE_NETNS}`, '--', process.execPath, '--import', 'tsx', '-e',
      `require(${JSON.stringify(join(__dirname, 'node.ts'))}).curl(['http://10.244.1.2/'])`], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('refusing to dial from network namespace');
  });
});
