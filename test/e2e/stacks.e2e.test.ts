// The objects the dev and prod Pulumi stacks deploy, applied to the real API server with kubectl: what `pulumi up`
// would send, minus the engine (no Pulumi CLI or TLS provider can be built here; see the README).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, Yaml } from 'cdk8s';
import { generateSelfSigned, writePemFiles } from '../../scripts/self-signed';
import { SecureNginxChart } from '../../lib/secure-nginx-chart';
import { readStackFile, stackSettingsOf } from '../../pulumi/stack-file';
import { chartPropsFor } from '../../pulumi/stack-settings';
import { apiServer, eventually, getJson, LOADBALANCER_ADDRESS, ok } from './kubectl';

beforeAll(() => {
  expect(apiServer().hostname).toBe('127.0.0.1');
});

describe.each(['dev', 'prod'])('the %s stack\'s objects', (stack) => {
  const settings = stackSettingsOf(readStackFile(stack));
  const ns = settings.namespace;
  const chart = new SecureNginxChart(Testing.app(), 'stack', chartPropsFor(settings));
  const dir = mkdtempSync(join(tmpdir(), `guide-e2e-${stack}-`));
  const manifests = join(dir, `${stack}.k8s.yaml`);

  beforeAll(async () => {
    writeFileSync(manifests, Yaml.stringify(...chart.toJson()));
    ok(['create', 'namespace', ns]);
    // What the stack's tls.SelfSignedCert makes: the Service's names in the stack's namespace.
    const pem = await generateSelfSigned({ namespace: ns, days: Math.ceil(settings.certificateValidity.toHours() / 24) });
    const files = writePemFiles(join(dir, 'keys'), pem);
    ok(['-n', ns, 'create', 'secret', 'tls', 'nginxsecret', '--cert', files.certificateFile, '--key', files.privateKeyFile]);
  });

  afterAll(() => {
    ok(['delete', 'namespace', ns, '--wait=true', '--timeout=90s']);
  });

  test('are accepted by a server-side dry-run, then applied into the stack\'s namespace', () => {
    expect(ok(['apply', '--dry-run=server', '-f', manifests])).toMatch(/\(server dry run\)/);
    ok(['apply', '-f', manifests]);
    expect(getJson(['-n', ns, 'service', 'my-nginx']).spec.type).toBe(settings.serviceType);
  });

  test('nginx becomes Available with the stack\'s replicas', async () => {
    ok(['-n', ns, 'wait', '--for=condition=Available', 'deployment/my-nginx', '--timeout=90s']);
    expect(getJson(['-n', ns, 'deployment', 'my-nginx']).status.availableReplicas).toBe(settings.replicas);
    await eventually('Endpoints with one address per replica', () => {
      const addresses = (getJson(['-n', ns, 'endpoints', 'my-nginx']).subsets ?? []).flatMap((s: { addresses?: unknown[] }) => s.addresses ?? []);
      return addresses.length === settings.replicas ? addresses : undefined;
    });
  });

  test('the Service has the stack\'s node ports, or the address the load-balancer controller gives it', async () => {
    const ports = getJson(['-n', ns, 'service', 'my-nginx']).spec.ports;
    for (const [name, nodePort] of Object.entries(settings.nodePorts)) {
      expect(ports.find((p: { name: string }) => p.name === name).nodePort).toBe(nodePort);
    }
    if (settings.serviceType === 'LoadBalancer') {
      // kube-router's allocator, started beside kwok by e2e/cluster.sh, writes it into the status.
      const address = await eventually('the allocator\'s address', () => getJson(['-n', ns, 'service', 'my-nginx']).status.loadBalancer.ingress?.[0]?.ip);
      expect(address).toMatch(LOADBALANCER_ADDRESS);
    }
  });
});
