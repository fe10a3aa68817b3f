// The guide's first lesson, Kubernetes' network model, observed on two real nodes (e2e/node.sh): every pod has its own
// IP and reaches pods on the other node without NAT; the Service spreads traffic over pods wherever they run, and its
// cluster IP, DNS name and node port answer from every node. The guide's own manifests, synthesized into a namespace.
import { eventually, getJson, kubectl, ok } from '../e2e/kubectl';
import { assertInsideNode, clusterNodes, curlFrom, CURL_IMAGE, POD_IP, synthesize, WELCOME } from './node';

const ns = 'guide-nodes';
const nodes = clusterNodes();

interface Pod { name: string; ip: string; node: string }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const podsOf = (selector: string): Pod[] => getJson(['-n', ns, 'pods', '-l', selector]).items
  .filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp)
  .map((p: { metadata: { name: string }; status: { podIP: string }; spec: { nodeName: string } }) =>
    ({ name: p.metadata.name, ip: p.status.podIP, node: p.spec.nodeName }));
const exec = (pod: string, command: string[]) => kubectl(['-n', ns, 'exec', pod, '--', ...command]);
/** The client address of each access-log line for `path` (nginx's combined format; its error lines go to the same log). */
const accessesOf = (pod: string, path: string): string[] => ok(['-n', ns, 'logs', pod]).split('\n')
  .map((line) => new RegExp(`^(\\S+) - \\S+ \\[[^\\]]+\\] "GET ${path} HTTP/1\\.1"`).exec(line)?.[1]).filter((ip): ip is string => !!ip);

async function readyPods(selector: string, count: number): Promise<Pod[]> {
  return eventually(`${count} ready pods of ${selector}`, () => {
    const r = getJson(['-n', ns, 'pods', '-l', selector]).items
      .filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp);
    return r.length === count && r.every((p: { status: { containerStatuses?: { ready: boolean }[] } }) => p.status.containerStatuses?.every((c) => c.ready))
      ? podsOf(selector) : undefined;
  }, 120_000);
}

let dist: (file: string) => string;
let nginx: Pod[];
/** A curl client pod on each node, in node order. */
let clients: Pod[];

beforeAll(async () => {
  assertInsideNode();
  expect(nodes.length).toBeGreaterThanOrEqual(2);
  dist = synthesize({ GUIDE_NAMESPACE: ns });
  ok(['create', 'namespace', ns]);
  ok(['apply', '-f', dist('steps/1-run-my-nginx.k8s.yaml')]);
  for (const node of nodes.slice(0, 2)) {
    ok(['-n', ns, 'run', `client-${node.name}`, `--image=${CURL_IMAGE}`, '--image-pull-policy=Never', '--restart=Never',
      '--labels=role=client', `--overrides={"spec":{"nodeName":"${node.name}"}}`, '--command', '--', 'sleep', '3600']);
  }
  nginx = await readyPods('run=my-nginx', 2);
  clients = (await readyPods('role=client', 2)).sort((a, b) => nodes.findIndex((n) => n.name === a.node) - nodes.findIndex((n) => n.name === b.node));
}, 180_000);

afterAll(() => { kubectl(['delete', 'namespace', ns, '--wait=false']); });

test('kubectl get pods -l run=my-nginx -o wide: the two replicas run on two nodes, with pod IPs of their nodes', () => {
  const wide = ok(['-n', ns, 'get', 'pods', '-l', 'run=my-nginx', '-o', 'wide']);
  const rows = wide.trim().split('\n').slice(1).map((line) => line.split(/\s+/));
  const header = wide.split('\n')[0].split(/\s+/);
  const [ipColumn, nodeColumn] = [header.indexOf('IP'), header.indexOf('NODE')];
  expect(rows).toHaveLength(2);
  expect(new Set(rows.map((r) => r[nodeColumn]))).toEqual(new Set(nodes.slice(0, 2).map((n) => n.name)));
  for (const row of rows) {
    expect(row[ipColumn]).toMatch(POD_IP);
    // Node N's pods are in 10.244.N.0/24.
    expect(row[ipColumn].split('.')[2]).toBe(String(nodes.findIndex((n) => n.name === row[nodeColumn]) + 1));
  }
});

test('a pod reaches the pod IP on the other node, and that nginx logs the client pod\'s own IP (no NAT)', () => {
  for (const client of clients) {
    const remote = nginx.find((p) => p.node !== client.node)!;
    const path = `/from-${client.name}`;
    const r = exec(client.name, ['curl', '--silent', '--max-time', '5', '--output', '/dev/null', '--write-out', '%{http_code}', `http://${remote.ip}${path}`]);
    // No such page: nginx answers 404, and its access log has the request.
    expect(r.stdout).toBe('404');
    expect(accessesOf(remote.name, path)).toEqual([client.ip]);
  }
});

describe('the Service, from both nodes', () => {
  let clusterIp: string;
  beforeAll(async () => {
    ok(['apply', '-f', dist('steps/2-nginx-svc.k8s.yaml')]);
    clusterIp = getJson(['-n', ns, 'service', 'my-nginx']).spec.clusterIP;
    await eventually('the cluster IP to answer from every node', () =>
      (nodes.every((n) => curlFrom(n, [`http://${clusterIp}/`]).body.includes(WELCOME)) ? true : undefined));
  });

  test('its cluster IP answers from each node\'s own network namespace (each node\'s kube-proxy)', () => {
    for (const node of nodes) expect(curlFrom(node, [`http://${clusterIp}/`]).body).toContain(WELCOME);
  });

  test('over 300 requests from a pod, through the DNS name, both pods answer (counted in their access logs)', () => {
    const path = '/spread-over-pods';
    const r = exec(clients[0].name, ['sh', '-c', `for i in $(seq 300); do curl -s -o /dev/null -w '%{http_code}\\n' --max-time 5 http://my-nginx${path}; done`]);
    expect(r.stdout.trim().split('\n')).toEqual(Array(300).fill('404'));
    const accesses = nginx.map((p) => accessesOf(p.name, path));
    const counts = accesses.map((a) => a.length);
    // Through the Service too, each pod sees the client pod's own address.
    expect(new Set(accesses.flat())).toEqual(new Set([clients[0].ip]));
    console.log(`two nodes: 300 requests to my-nginx from ${clients[0].node}: ${nginx.map((p, i) => `${counts[i]} on ${p.node}`).join(', ')}`);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    for (const count of counts) expect(count).toBeGreaterThan(0);
  });

  test('DNS answers from a pod on each node with the cluster IP', () => {
    for (const client of clients) {
      const answer = exec(client.name, ['nslookup', 'my-nginx']);
      expect(answer.stdout).toContain(`Name:\tmy-nginx.${ns}.svc.cluster.local`);
      expect(answer.stdout).toContain(`Address: ${clusterIp}`);
    }
  });

  test('as a NodePort it answers on every node\'s IP, from every node', async () => {
    ok(['-n', ns, 'patch', 'service', 'my-nginx', '-p', '{"spec":{"type":"NodePort"}}']);
    const port = getJson(['-n', ns, 'service', 'my-nginx']).spec.ports[0].nodePort as number;
    expect(port).toBeGreaterThanOrEqual(30000);
    for (const from of nodes) {
      for (const to of nodes) {
        await eventually(`node port ${to.ip}:${port} from ${from.name}`, () => (curlFrom(from, [`http://${to.ip}:${port}/`]).body.includes(WELCOME) ? true : undefined), 30_000);
      }
    }
  });
});
