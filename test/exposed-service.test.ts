import { Chart, Testing } from 'cdk8s';
import { ExposedService, ServiceType } from '../lib/exposed-service';
import { NginxApp } from '../lib/nginx-app';
import { TlsSecret } from '../lib/tls-secret';
import { objectOf, synth } from './support/helpers';

describe('ExposedService', () => {
  test('takes its name, labels and selector from the app object', () => {
    // GIVEN
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { name: 'web' });
    // WHEN
    const service = new ExposedService(chart, 'Service', { app });
    // THEN
    expect(service.name).toBe('web');
    const object = objectOf(synth(chart), 'Service');
    expect(object.metadata).toEqual({ name: 'web', labels: { run: 'web' } });
    expect(object.spec.selector).toEqual({ run: 'web' });
    expect(object.spec).not.toHaveProperty('type');
  });

  test('is emitted before the Deployment it fronts in the same chart, whatever the construct order', () => {
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App');
    new ExposedService(chart, 'Service', { app });
    expect(synth(chart).map((o) => o.kind)).toEqual(['Service', 'Deployment']);
  });

  test('adds no dependency across charts, so each guide file stays whole and unprefixed', () => {
    const app = Testing.app();
    const appChart = new Chart(app, 'run-my-nginx');
    const serviceChart = new Chart(app, 'nginx-svc');
    new ExposedService(serviceChart, 'Service', { app: new NginxApp(appChart, 'App') });
    expect(appChart.node.dependencies).toEqual([]);
    expect(serviceChart.node.dependencies).toEqual([]);
    expect(synth(serviceChart).map((o) => o.kind)).toEqual(['Service']);
  });

  test('LoadBalancer with annotations, source ranges, a traffic policy and fixed node ports', () => {
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { tls: TlsSecret.fromExisting(chart, 'Secret') });
    new ExposedService(chart, 'Service', {
      app,
      type: ServiceType.LOAD_BALANCER,
      nodePorts: { https: 32443 },
      annotations: { 'pulumi.com/skipAwait': 'true' },
      loadBalancerSourceRanges: ['203.0.113.0/24'],
      externalTrafficPolicy: 'Local',
    });
    const object = objectOf(synth(chart), 'Service');
    expect(object.metadata.annotations).toEqual({ 'pulumi.com/skipAwait': 'true' });
    expect(object.spec).toMatchObject({ type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24'], externalTrafficPolicy: 'Local' });
    expect(object.spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 80, protocol: 'TCP' },
      { name: 'https', port: 443, nodePort: 32443, protocol: 'TCP' },
    ]);
  });

  test('the https port is found by name or by target', () => {
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { tls: TlsSecret.fromExisting(chart, 'Secret') });
    const byName = new ExposedService(chart, 'A', { app, name: 'a' });
    const byTarget = new ExposedService(chart, 'B', { app, name: 'b', ports: [{ name: 'tls', port: 8443, targetPort: 443 }] });
    expect(byName.httpsPort).toEqual({ name: 'https', port: 443 });
    expect(byTarget.httpsPort).toEqual({ name: 'tls', port: 8443, targetPort: 443 });
  });
});
