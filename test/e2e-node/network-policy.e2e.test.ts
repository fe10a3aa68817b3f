// The production preset's NetworkPolicies on a real node with a real enforcer (kube-router's firewall, e2e/node.sh):
// the guide's own traffic flows (the check Job resolves the Service through the cluster DNS pods and fetches the page,
// the curl client gets it, the NodePort answers), and connections no policy allows are refused; with the policies
// deleted, those same connections go through, so it is the enforcer that refused them.
import { join } from 'node:path';
import { eventually, getJson, kubectl, ok } from '../e2e/kubectl';
import { assertInsideNode, curl, CURL_IMAGE, newKeys, synthesize, WELCOME } from './node';

const ns = 'guide-policies';
const other = 'guide-policies-other';
const nodeIp = process.env.GUIDE_E2E_NODE_IP!;
let keys: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pods = (selector: string, namespace = ns): any[] => getJson(['-n', namespace, 'pods', '-l', selector]).items
  .filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp);
const exec = (pod: string, command: string[], namespace = ns) => kubectl(['-n', namespace, 'exec', pod, '--', ...command]);
/** A TCP connection from `pod` to `address`, through curl's telnet scheme: what it read, or why it failed. */
const connect = (pod: string, address: string, namespace = ns) =>
  exec(pod, ['curl', '--silent', '--show-error', '--max-time', '3', `telnet://${address}`], namespace);
/** Whether the connection went through (the listener's greeting arrived). */
const through = (r: { stdout: string }) => r.stdout.includes('hello from the curl client');

// A listener in the curl client's pod, as a service another pod could call: perl (Essential in Debian) on 8081.
const LISTENER = 'use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 8081, Listen => 8, ReuseAddr => 1) or die $!; '
  + 'while (my $c = $s->accept) { print $c "hello from the curl client\\n"; close $c }';

let client: string;
let clientIp: string;
let nginx: string;
let outsider: string;

beforeAll(async () => {
  assertInsideNode();
  keys = newKeys(['--namespace', ns]);
  const dist = synthesize({ GUIDE_NAMESPACE: ns, GUIDE_HARDENING: 'true', GUIDE_SERVICE_TYPE: 'NodePort' });
  ok(['create', 'namespace', ns]);
  ok(['-n', ns, 'create', 'secret', 'tls', 'nginxsecret', '--cert', join(keys, 'tls.crt'), '--key', join(keys, 'tls.key')]);
  ok(['apply', '-f', dist('guide-final-state.k8s.yaml')]);
  ok(['create', 'namespace', other]);
  ok(['-n', other, 'run', 'outsider', `--image=${CURL_IMAGE}`, '--image-pull-policy=Never', '--restart=Never', '--command', '--', 'sleep', '3600']);
  await eventually('the pods to run', () => {
    const ready = (list: { status: { phase: string; containerStatuses?: { ready: boolean }[] } }[]) =>
      list.length === 1 && list[0].status.phase === 'Running' && list[0].status.containerStatuses?.every((c) => c.ready);
    return ready(pods('run=my-nginx')) && ready(pods('app=curlpod')) && ready(pods('run=outsider', other)) ? true : undefined;
  }, 120_000);
  client = pods('app=curlpod')[0].metadata.name;
  clientIp = pods('app=curlpod')[0].status.podIP;
  nginx = pods('run=my-nginx')[0].metadata.name;
  outsider = pods('run=outsider', other)[0].metadata.name;
  // The listener runs as long as the exec does: in the background of this process, ended with the namespace.
  const { spawn } = await import('node:child_process');
  spawn('kubectl', ['-n', ns, 'exec', client, '--', 'perl', '-e', LISTENER], { stdio: 'ignore', detached: true }).unref();
  await eventually('the listener', () => (exec(client, ['sh', '-c', 'cat /proc/net/tcp | grep -q ":1F91 "']).status === 0 ? true : undefined));
}, 240_000);

afterAll(() => {
  // Not waited for: the suite goes on while the pods stop (the outsider's sleep takes its whole grace period).
  ok(['delete', 'namespace', ns, other, '--wait=false']);
});

describe('with the preset\'s policies enforced', () => {
  test('the check Job resolves the Service through the cluster DNS pods and gets the page over https', () => {
    const job = getJson(['-n', ns, 'jobs', '-l', 'app=curlpod-check']).items[0].metadata.name;
    ok(['-n', ns, 'wait', '--for=condition=complete', `job/${job}`, '--timeout=150s']);
    // Retries are allowed (nginx may still be starting); the pod that succeeded is the one to read.
    const succeeded = getJson(['-n', ns, 'pods', '-l', `job-name=${job}`]).items.find((p: { status: { phase: string } }) => p.status.phase === 'Succeeded');
    expect(ok(['-n', ns, 'logs', succeeded.metadata.name])).toContain('ok: https://my-nginx answered over https');
  }, 180_000);

  test('the curl client gets the page from the Service, trusting the Secret\'s certificate', () => {
    const r = exec(client, ['curl', '--silent', '--show-error', '--max-time', '5', '--cacert', '/etc/nginx/ssl/tls.crt', 'https://my-nginx/']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(WELCOME);
  });

  test('the NodePort answers from outside the cluster (any client may reach nginx)', () => {
    const port = getJson(['-n', ns, 'service', 'my-nginx']).spec.ports.find((p: { name: string }) => p.name === 'https').nodePort;
    const r = curl(['--cacert', join(keys, 'tls.crt'), '--resolve', `my-nginx:${port}:${nodeIp}`, `https://my-nginx:${port}/`]);
    expect(r.body).toContain(WELCOME);
  });

  test('refused: nginx to the curl client, a pod of another namespace to the curl client, the curl client to the API server', () => {
    expect(through(connect(nginx, `${clientIp}:8081`))).toBe(false);
    expect(through(connect(outsider, `${clientIp}:8081`, other))).toBe(false);
    const api = exec(client, ['curl', '--silent', '--max-time', '3', '--insecure', 'https://kubernetes.default.svc/version']);
    expect(api.status).not.toBe(0);
  });
});

describe('with the policies deleted', () => {
  beforeAll(() => {
    ok(['-n', ns, 'delete', 'networkpolicies', '--all']);
  });

  test('the same connections go through: the enforcer is what refused them', async () => {
    await eventually('nginx to reach the curl client', () => (through(connect(nginx, `${clientIp}:8081`)) ? true : undefined), 30_000);
    expect(through(connect(outsider, `${clientIp}:8081`, other))).toBe(true);
    const api = exec(client, ['curl', '--silent', '--max-time', '3', '--insecure', 'https://kubernetes.default.svc/version']);
    // The API server answers (the client's anonymous request is refused by RBAC or served, but the connection is made).
    expect(api.status).toBe(0);
  }, 60_000);
});
