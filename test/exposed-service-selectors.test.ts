// ExposedService in front of what a cdk8s-plus user already has: their own Deployment, or any pod selector.
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ExposedService } from '../lib/exposed-service';
import { NginxApp } from '../lib/nginx-app';
import { NetworkPolicies } from '../lib/network-policies';
import { TlsSecret } from '../lib/tls-secret';
import { errorOf, objectOf, synth } from './support/helpers';

const webDeployment = (chart: Chart, ports: number[] = [8080]) => new kplus.Deployment(chart, 'Web', {
  metadata: { name: 'web' },
  containers: [{ image: 'nginx:1.27.4', ports: ports.map((number) => ({ number })), securityContext: { ensureNonRoot: false } }],
});

describe('ExposedService in front of a cdk8s-plus Deployment', () => {
  test('selects its pods by the labels cdk8s-plus gave them and defaults to its container port and name', () => {
    // GIVEN
    const chart = Testing.chart();
    const deployment = webDeployment(chart);
    // WHEN
    const service = new ExposedService(chart, 'Service', { app: deployment });
    // THEN
    const object = objectOf(synth(chart), 'Service');
    expect(service.name).toBe('web');
    expect(object.spec.selector).toEqual(deployment.matchLabels);
    expect(object.spec.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(object.metadata.labels).toEqual(deployment.matchLabels);
  });

  test('is emitted before the Deployment in one chart, so its pods get the Service variables', () => {
    const chart = Testing.chart();
    new ExposedService(chart, 'Service', { app: webDeployment(chart) });
    expect(synth(chart).map((o) => o.kind)).toEqual(['Service', 'Deployment']);
  });

  test('names each port when the containers declare several', () => {
    const chart = Testing.chart();
    new ExposedService(chart, 'Service', { app: webDeployment(chart, [8080, 8443]) });
    expect(objectOf(synth(chart), 'Service').spec.ports.map((p: { name: string }) => p.name)).toEqual(['port-8080', 'port-8443']);
  });

  test('refuses a target port the containers do not declare, naming the Deployment', () => {
    expect(errorOf((c) => new ExposedService(c, 'Service', { app: webDeployment(c), ports: [{ port: 80, targetPort: 9090 }] }))).toBe(
      'ExposedService "web": ports[0].targetPort 9090 is not a port of Deployment "web" (it listens on 8080): target one of those');
  });

  test('refuses a Deployment of another namespace', () => {
    const app = Testing.app();
    const deployment = webDeployment(new Chart(app, 'a', { namespace: 'shop' }));
    expect(errorOf(() => new ExposedService(new Chart(app, 'b', { namespace: 'web' }), 'Service', { app: deployment }))).toBe(
      'ExposedService "Service": app Deployment "web" is in namespace "shop" but this is in "web": a Service selects pods of '
      + 'its own namespace only; put both in charts with the same namespace');
  });
});

describe('ExposedService in front of a cdk8s-plus pod selector', () => {
  test('takes the labels, and needs a name and ports it cannot default', () => {
    const chart = Testing.chart();
    const pods = kplus.Pods.select(chart, 'Pods', { labels: { app: 'legacy' } });
    new ExposedService(chart, 'Service', { app: pods, name: 'legacy', ports: [{ port: 80 }] });
    expect(objectOf(synth(chart), 'Service').spec).toEqual({ selector: { app: 'legacy' }, ports: [{ port: 80, protocol: 'TCP' }] });
  });

  test('without a name, says to set one', () => {
    expect(errorOf((c) => new ExposedService(c, 'Service', { app: kplus.Pods.select(c, 'Pods', { labels: { app: 'legacy' } }) }))).toBe(
      'ExposedService "Service": app pod selector at test/Pods has no name to give the Service: set name (e.g. "web")');
  });

  test('without ports, says to set them', () => {
    expect(errorOf((c) => new ExposedService(c, 'Service', { app: kplus.Pods.select(c, 'Pods', { labels: { app: 'legacy' } }), name: 'legacy' }))).toBe(
      'ExposedService "legacy": app pod selector at test/Pods declares no container port to default the Service\'s ports to: '
      + 'set ports, e.g. [{ port: 80 }]');
  });

  test('refuses expressions, which a Service selector cannot hold', () => {
    const build = (c: Chart) => new ExposedService(c, 'Service', {
      app: kplus.Pods.select(c, 'Pods', { expressions: [kplus.LabelExpression.in('app', ['a', 'b'])] }), name: 'legacy', ports: [{ port: 80 }],
    });
    expect(errorOf(build)).toBe('ExposedService "Service": app pod selector at test/Pods selects pods by expressions, which a Service '
      + 'cannot: a Service selects by labels only; select the pods with labels (kplus.Pods.select(scope, id, { labels }))');
  });

  test('refuses pods of other namespaces', () => {
    const build = (c: Chart) => new ExposedService(c, 'Service', {
      app: kplus.Pods.select(c, 'Pods', { labels: { app: 'a' }, namespaces: kplus.Namespaces.select(c, 'Ns', { names: ['other'] }) }),
      name: 'legacy', ports: [{ port: 80 }],
    });
    expect(errorOf(build)).toBe('ExposedService "Service": app pod selector at test/Pods selects pods in namespaces ["other"], but this '
      + 'Service is in "default": a Service selects pods of its own namespace only; put both in charts with the same namespace');
  });
});

describe('NginxApp as a cdk8s-plus pod selector', () => {
  test('exposeViaService makes the guide\'s Service beside the app, emitted first', () => {
    // GIVEN
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App');
    // WHEN
    const service = app.exposeViaService();
    // THEN
    expect(service.node.scope).toBe(chart);
    expect(service.backend).toBe(app);
    const objects = synth(chart);
    expect(objects.map((o) => o.kind)).toEqual(['Service', 'Deployment']);
    expect(objectOf(objects, 'Service').spec).toEqual({ ports: [{ port: 80, protocol: 'TCP' }], selector: { run: 'my-nginx' } });
  });

  test('exposeViaService twice with names gives two Services', () => {
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { tls: TlsSecret.fromExisting(chart, 'Tls', { checkServiceNames: false }) });
    app.exposeViaService();
    app.exposeViaService({ name: 'my-nginx-internal' });
    expect(synth(chart).filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual(['my-nginx', 'my-nginx-internal']);
  });

  test('a cdk8s-plus NetworkPolicy selects its pods by the run label', () => {
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App');
    new kplus.NetworkPolicy(chart, 'Policy', { selector: app });
    expect(objectOf(synth(chart), 'NetworkPolicy').spec.podSelector).toEqual({ matchLabels: { run: 'my-nginx' } });
  });

  test('NetworkPolicies in front of a Deployment admit its container ports', () => {
    const chart = Testing.chart();
    const service = new ExposedService(chart, 'Service', { app: webDeployment(chart) });
    new NetworkPolicies(chart, 'Policies', { service });
    const ingress = objectOf(synth(chart), 'NetworkPolicy', 'web-ingress');
    expect(ingress.spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });
});
