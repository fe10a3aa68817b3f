import { Testing } from 'cdk8s';
import { ImageSet } from '../lib/images';
import { NginxApp } from '../lib/nginx-app';
import { TlsSecret } from '../lib/tls-secret';
import { objectOf, synth } from './support/helpers';

describe('NginxApp', () => {
  test('defaults to run-my-nginx.yaml: my-nginx, run label, 2 replicas, port 80', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const app = new NginxApp(chart, 'App');
    // THEN
    expect(app.name).toBe('my-nginx');
    expect(app.selectorLabels).toEqual({ run: 'my-nginx' });
    const deployment = objectOf(synth(chart), 'Deployment');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector.matchLabels).toEqual({ run: 'my-nginx' });
    expect(deployment.spec.template.spec.containers).toEqual([{ name: 'my-nginx', image: 'nginx:1.27.4', ports: [{ containerPort: 80 }] }]);
  });

  test('with a TlsSecret it becomes the secure app: 1 replica, container nginxhttps on 443 and 80, Secret at /etc/nginx/ssl', () => {
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { tls: TlsSecret.fromExisting(chart, 'Secret', { name: 'web-tls' }) });
    expect(app.containerPorts).toEqual([443, 80]);
    const objects = synth(chart);
    const spec = objectOf(objects, 'Deployment').spec;
    expect(spec.replicas).toBe(1);
    expect(spec.template.spec.containers[0].name).toBe('nginxhttps');
    expect(spec.template.spec.volumes[0]).toEqual({ name: 'secret-volume', secret: { secretName: 'web-tls' } });
    expect(spec.template.spec.containers[0].volumeMounts[0]).toEqual({ mountPath: '/etc/nginx/ssl', name: 'secret-volume' });
  });

  test('with a TlsSecret and no NginxConfig, the official image gets a default.conf of its own, so 443 is served', () => {
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { tls: TlsSecret.fromExisting(chart, 'Secret', { name: 'web-tls' }) });
    expect(app.config?.name).toBe('my-nginx-conf');
    const objects = synth(chart);
    expect(objectOf(objects, 'ConfigMap', 'my-nginx-conf').data['default.conf']).toContain('listen 443 ssl;');
    const pod = objectOf(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'configmap-volume', configMap: { name: 'my-nginx-conf' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ mountPath: '/etc/nginx/conf.d', name: 'configmap-volume' });
  });

  test('bprashanth/nginxhttps (the guide\'s Japanese page) bakes its own default.conf, so it gets none', () => {
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { tls: TlsSecret.fromExisting(chart, 'Secret'), image: 'bprashanth/nginxhttps:1.0' });
    expect(app.config).toBeUndefined();
    expect(synth(chart).map((o) => o.kind)).toEqual(['Deployment']);
  });

  test('the name drives the Deployment name, the label and the container name', () => {
    const chart = Testing.chart();
    new NginxApp(chart, 'App', { name: 'web', replicas: 0, image: 'nginx:1.29.0' });
    const deployment = objectOf(synth(chart), 'Deployment');
    expect(deployment.metadata.name).toBe('web');
    expect(deployment.spec.template.metadata.labels).toEqual({ run: 'web' });
    expect(deployment.spec.replicas).toBe(0);
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({ name: 'web', image: 'nginx:1.29.0' });
  });

  test('enableServiceLinks is emitted only when set', () => {
    const chart = Testing.chart();
    new NginxApp(chart, 'On', { name: 'on', enableServiceLinks: true });
    new NginxApp(chart, 'Off', { name: 'off', enableServiceLinks: false });
    new NginxApp(chart, 'Unset', { name: 'unset' });
    const objects = synth(chart);
    expect(objectOf(objects, 'Deployment', 'on').spec.template.spec.enableServiceLinks).toBe(true);
    expect(objectOf(objects, 'Deployment', 'off').spec.template.spec.enableServiceLinks).toBe(false);
    expect(objectOf(objects, 'Deployment', 'unset').spec.template.spec).not.toHaveProperty('enableServiceLinks');
  });

  test('ImageSet.GUIDE gives the guide\'s images back', () => {
    const chart = Testing.chart();
    const plain = new NginxApp(chart, 'Plain', { imageSet: ImageSet.GUIDE });
    const secure = new NginxApp(chart, 'Secure', { name: 'secure', imageSet: ImageSet.GUIDE, tls: TlsSecret.fromExisting(chart, 'S') });
    expect([plain.image, secure.image]).toEqual(['nginx', 'bprashanth/nginxhttps:1.0']);
  });
});
