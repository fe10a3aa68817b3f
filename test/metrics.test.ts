// NginxApp's metrics: nginx serves stub_status on the pod's loopback (NginxConfig's stubStatus), an
// nginx-prometheus-exporter sidecar publishes it on a port no Service exposes, a PodMonitor (typed from the Prometheus
// Operator's CRD) scrapes it when asked, and the NetworkPolicies admit the scraper to that port only.
import { Chart, Testing } from 'cdk8s';
import { ExposedService } from '../lib/exposed-service';
import { NetworkPolicies } from '../lib/network-policies';
import { NginxApp, NginxAppProps } from '../lib/nginx-app';
import { NginxConfig, STUB_STATUS } from '../lib/nginx-config';
import { TlsSecret } from '../lib/tls-secret';
import { errorOf, Manifest, objectOf, synth } from './support/helpers';
import { podsOf, restrictedViolations } from './support/pod-security';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (value: unknown): any => value;

const httpsApp = (chart: Chart, props: NginxAppProps = {}) => new NginxApp(chart, 'app', { tls: TlsSecret.fromExisting(chart, 'tls'), ...props });

/** One https app with its Service and policies, in namespace `shop`. */
function appWithPolicies(app: NginxAppProps, scraper?: ConstructorParameters<typeof NetworkPolicies>[2]['scraper']): Manifest[] {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  const service = new ExposedService(chart, 'svc', { app: httpsApp(chart, app) });
  new NetworkPolicies(chart, 'net', { service, ...(scraper ? { scraper } : {}) });
  return synth(chart);
}

describe('GIVEN the preset with metrics', () => {
  const objects = appWithPolicies({ hardening: true, metrics: true });
  const pod = objectOf(objects, 'Deployment', 'my-nginx').spec.template.spec;
  const exporter = pod.containers.find((c: Manifest) => c.name === 'exporter');

  test('THEN nginx serves stub_status on the pod\'s loopback only, on a port of its own, unlogged', () => {
    const conf = objectOf(objects, 'ConfigMap', 'my-nginx-conf').data['default.conf'] as string;
    expect(conf).toContain(`listen ${STUB_STATUS.address}:${STUB_STATUS.port};`);
    expect(conf).toMatch(/location = \/stub_status \{\s+stub_status;\s+\}/);
    // The stub_status server is the last one and logs nothing (its scrapes would fill the access log).
    expect(conf.slice(conf.lastIndexOf('server {'))).toContain('access_log off;');
    expect(STUB_STATUS).toEqual({ address: '127.0.0.1', port: 8081, path: '/stub_status' });
  });

  test('THEN the exporter sidecar reads it over the loopback and publishes port 9113 named metrics', () => {
    expect(exporter).toMatchObject({
      image: 'nginx/nginx-prometheus-exporter:1.4.0',
      args: ['--nginx.scrape-uri=http://127.0.0.1:8081/stub_status', '--web.listen-address=:9113'],
      ports: [{ name: 'metrics', containerPort: 9113 }],
    });
  });

  test('THEN no Service port reaches the exporter or stub_status', () => {
    const service = objectOf(objects, 'Service', 'my-nginx');
    const reached = service.spec.ports.map((p: Manifest) => p.targetPort ?? p.port);
    expect(reached).not.toContain(9113);
    expect(reached).not.toContain(8081);
    expect(reached).not.toContain('metrics');
  });

  test('THEN both containers pass Pod Security "restricted", the exporter as a user of its own', () => {
    for (const [, template] of podsOf(objects)) expect(restrictedViolations(template)).toEqual([]);
    expect(exporter.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(exporter.securityContext.runAsUser).not.toBe(pod.containers[0].securityContext.runAsUser);
    expect(exporter.resources.requests).toEqual({ cpu: '10m', memory: '16Mi', 'ephemeral-storage': '8Mi' });
  });

  test('THEN a policy admits the scraper\'s namespace (monitoring by default) to the metrics port, and only to it', () => {
    const policy = objectOf(objects, 'NetworkPolicy', 'my-nginx-metrics');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { run: 'my-nginx' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ port: 9113, protocol: 'TCP' }],
      }],
    });
    // The app's own ingress does not open the metrics port to everyone.
    const app = objectOf(objects, 'NetworkPolicy', 'my-nginx-ingress');
    expect(app.spec.ingress.flatMap((r: Manifest) => r.ports.map((p: Manifest) => p.port))).not.toContain(9113);
  });

  test('THEN no PodMonitor unless asked for', () => {
    expect(objects.map((o) => o.kind)).not.toContain('PodMonitor');
  });
});

test('a scraper chosen by namespace and pod labels is one peer: those pods of that namespace', () => {
  const policy = objectOf(appWithPolicies({ hardening: true, metrics: true }, { namespace: 'observability', podLabels: { 'app.kubernetes.io/name': 'prometheus' } }),
    'NetworkPolicy', 'my-nginx-metrics');
  expect(policy.spec.ingress).toEqual([{
    from: [{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    }],
    ports: [{ port: 9113, protocol: 'TCP' }],
  }]);
});

test('a PodMonitor of monitoring.coreos.com/v1 scrapes the metrics port of exactly the app\'s pods', () => {
  const objects = appWithPolicies({ hardening: true, metrics: true, podMonitor: true });
  expect(objectOf(objects, 'PodMonitor', 'my-nginx')).toEqual({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: 'my-nginx', namespace: 'shop' },
    spec: { selector: { matchLabels: { run: 'my-nginx' } }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics' }] },
  });
  // The port it names is the exporter's.
  const ports = objectOf(objects, 'Deployment', 'my-nginx').spec.template.spec.containers.flatMap((c: Manifest) => c.ports ?? []);
  expect(ports).toContainEqual({ name: 'metrics', containerPort: 9113 });
});

test('an exporter image of the user\'s own replaces the image set\'s', () => {
  const objects = appWithPolicies({ hardening: true, metrics: true, exporterImage: 'registry.example.com/nginx-prometheus-exporter:1.4.0' });
  expect(objectOf(objects, 'Deployment', 'my-nginx').spec.template.spec.containers[1].image).toBe('registry.example.com/nginx-prometheus-exporter:1.4.0');
});

test('an NginxConfig of the user\'s own with stubStatus serves it for the exporter', () => {
  const chart = new Chart(Testing.app(), 'c');
  const tls = TlsSecret.fromExisting(chart, 'tls');
  const config = new NginxConfig(chart, 'conf', { tls, stubStatus: true });
  expect(config.stubStatusUrl).toBe('http://127.0.0.1:8081/stub_status');
  new NginxApp(chart, 'app', { tls, config, metrics: true });
  expect(objectOf(synth(chart), 'Deployment').spec.template.spec.containers[1].args[0]).toBe('--nginx.scrape-uri=http://127.0.0.1:8081/stub_status');
  expect(new NginxConfig(new Chart(Testing.app(), 'd'), 'conf', { tls: TlsSecret.fromExisting(chart, 'other') }).stubStatusUrl).toBeUndefined();
});

describe('the mistakes of metrics are refused where they are written', () => {
  test.each<[string, (chart: Chart) => unknown, string]>([
    ['a PodMonitor without metrics', (c) => httpsApp(c, { podMonitor: true }),
      'NginxApp "my-nginx": podMonitor true is given without metrics, so there is no exporter: turn metrics on, or leave podMonitor out'],
    ['an exporter image without metrics', (c) => httpsApp(c, { exporterImage: 'nginx/nginx-prometheus-exporter:1.4.0' }),
      'NginxApp "my-nginx": exporterImage "nginx/nginx-prometheus-exporter:1.4.0" is given without metrics, so there is no exporter: turn metrics on, '
      + 'or leave exporterImage out'],
    ['metrics with a config of the user\'s own that serves no stub_status', (c) => {
      const tls = TlsSecret.fromExisting(c, 'tls');
      return new NginxApp(c, 'app', { tls, config: new NginxConfig(c, 'conf', { tls }), metrics: true });
    }, 'NginxApp "my-nginx": metrics is on, but config "nginxconfigmap" serves no stub_status for the exporter to read: build it with stubStatus: true '
      + '(or a server with a location of stub_status), or turn metrics off'],
    ['metrics on plain http with the image\'s own default.conf', (c) => new NginxApp(c, 'app', { metrics: true }),
      'NginxApp "my-nginx": metrics needs nginx to serve stub_status, which only an NginxConfig sets up, and this app has none: give it tls (it then '
      + 'makes its own NginxConfig), or use an official nginx image, or turn metrics off'],
    ['metrics: "on"', (c) => httpsApp(c, { metrics: untyped('on') }), 'NginxApp "my-nginx": metrics "on" is not true or false: pass a boolean'],
    ['a scraper for an app without an exporter', (c) => {
      const service = new ExposedService(c, 'svc', { app: httpsApp(c, { hardening: true }) });
      return new NetworkPolicies(c, 'net', { service, scraper: { namespace: 'monitoring' } });
    }, 'NetworkPolicies "net": scraper is given, but ExposedService "my-nginx" fronts pods with no metrics exporter to scrape: turn the app\'s metrics on, '
      + 'or leave scraper out'],
  ])('%s', (_, build, message) => {
    expect(errorOf(build)).toBe(message);
  });
});
