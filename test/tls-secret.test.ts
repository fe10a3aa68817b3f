import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ExposedService } from '../lib/exposed-service';
import { NginxApp } from '../lib/nginx-app';
import { writePemFiles } from '../lib/self-signed';
import { TlsSecret, TlsSecretLayout } from '../lib/tls-secret';
import { objectOf, synth, testCertificate } from './helpers';

const base64 = (s: string) => Buffer.from(s).toString('base64');

describe('TlsSecret', () => {
  test('from PEM text: what `kubectl create secret tls` makes, as base64 data', async () => {
    // GIVEN
    const pem = await testCertificate();
    const chart = Testing.chart();
    // WHEN
    const secret = new TlsSecret(chart, 'Secret', pem);
    // THEN
    expect(secret.name).toBe('nginxsecret');
    expect(objectOf(synth(chart), 'Secret')).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'nginxsecret' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': base64(pem.certificatePem), 'tls.key': base64(pem.privateKeyPem) },
    });
  });

  test('from files, such as those `npm run keys` writes', async () => {
    const pem = await testCertificate();
    const dir = mkdtempSync(join(tmpdir(), 'guide-keys-'));
    const chart = Testing.chart();
    new TlsSecret(chart, 'Secret', writePemFiles(dir, pem));
    expect(objectOf(synth(chart), 'Secret').data['tls.crt']).toBe(base64(pem.certificatePem));
  });

  test('the Japanese page\'s layout: Opaque (no type), nginx.crt and nginx.key', async () => {
    const pem = await testCertificate();
    const chart = Testing.chart();
    const secret = new TlsSecret(chart, 'Secret', { ...pem, layout: TlsSecretLayout.LEGACY_OPAQUE });
    expect([secret.certificateKey, secret.privateKeyKey, secret.type]).toEqual(['nginx.crt', 'nginx.key', undefined]);
    const object = objectOf(synth(chart), 'Secret');
    expect(object).not.toHaveProperty('type');
    expect(Object.keys(object.data)).toEqual(['nginx.crt', 'nginx.key']);
  });

  test('a reference to an existing Secret synthesizes nothing', () => {
    const chart = Testing.chart();
    const secret = TlsSecret.fromExisting(chart, 'Secret', { name: 'made-by-kubectl' });
    expect(secret.existing).toBe(true);
    expect(secret.pair).toBeUndefined();
    expect(synth(chart)).toEqual([]);
  });

  test('a reference given the files the Secret is made from checks them and still synthesizes no key', async () => {
    const pem = await testCertificate();
    const chart = Testing.chart();
    const secret = new TlsSecret(chart, 'Secret', { existing: true, ...pem });
    expect(secret.pair).toBeDefined();
    expect(synth(chart)).toEqual([]);
  });

  test('checkServiceNames: false accepts a certificate for other names, such as the guide\'s CN=nginxsvc', async () => {
    const pem = await testCertificate({ service: 'nginxsvc' });
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { tls: new TlsSecret(chart, 'Secret', { ...pem, checkServiceNames: false }) });
    expect(() => new ExposedService(chart, 'Service', { app })).not.toThrow();
  });

  test('validAt moves the expiry check, e.g. to catch a certificate that expires before a planned rollout', async () => {
    const pem = await testCertificate({ days: 30 });
    const expiry = new Date(new X509Certificate(pem.certificatePem).validTo);
    const chart = Testing.chart();
    expect(() => new TlsSecret(chart, 'Soon', { ...pem, validAt: new Date(expiry.getTime() + 1000) }))
      .toThrow(`the certificate in certificatePem expired on ${expiry.toISOString()}`);
  });

  test('manifest() builds the same object for any value representation', () => {
    expect(TlsSecret.manifest({ name: 's', layout: TlsSecretLayout.KUBERNETES_TLS, certificate: 1, privateKey: 2 })).toEqual({
      metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 1, 'tls.key': 2 },
    });
  });
});
