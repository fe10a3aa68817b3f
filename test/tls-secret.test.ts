import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ExposedService } from '../lib/exposed-service';
import { NginxApp } from '../lib/nginx-app';
import { writePemFiles } from '../scripts/self-signed';
import { TlsSecret, TlsSecretLayout } from '../lib/tls-secret';
import { certificateWith, errorOf, objectOf, synth, testCertificate, TestKey } from './support/helpers';

const base64 = (s: string) => Buffer.from(s).toString('base64');

describe('TlsSecret', () => {
  test('from PEM text: what `kubectl create secret tls` makes, as base64 data', async () => {
    // GIVEN
    const pem = await testCertificate();
    const chart = Testing.chart();
    // WHEN
    const secret = TlsSecret.fromPem(chart, 'Secret', pem);
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
    TlsSecret.fromFiles(chart, 'Secret', writePemFiles(dir, pem));
    expect(objectOf(synth(chart), 'Secret').data['tls.crt']).toBe(base64(pem.certificatePem));
  });

  test('the Japanese page\'s layout: Opaque (no type), nginx.crt and nginx.key', async () => {
    const pem = await testCertificate();
    const chart = Testing.chart();
    const secret = TlsSecret.fromPem(chart, 'Secret', { ...pem, layout: TlsSecretLayout.LEGACY_OPAQUE });
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
    const secret = TlsSecret.fromExisting(chart, 'Secret', pem);
    expect(secret.pair).toBeDefined();
    expect(synth(chart)).toEqual([]);
  });

  test('checkServiceNames: false accepts a certificate for other names, such as the guide\'s CN=nginxsvc', async () => {
    const pem = await testCertificate({ service: 'nginxsvc' });
    const chart = Testing.chart();
    const app = new NginxApp(chart, 'App', { tls: TlsSecret.fromPem(chart, 'Secret', { ...pem, checkServiceNames: false }) });
    expect(() => new ExposedService(chart, 'Service', { app })).not.toThrow();
  });

  test('validAt moves the expiry check, e.g. to catch a certificate that expires before a planned rollout', async () => {
    const pem = await testCertificate({ days: 30 });
    const expiry = new Date(new X509Certificate(pem.certificatePem).validTo);
    const chart = Testing.chart();
    expect(() => TlsSecret.fromPem(chart, 'Soon', { ...pem, validAt: new Date(expiry.getTime() + 1000) }))
      .toThrow(`the certificate in certificatePem expired on ${expiry.toISOString()}`);
  });

  test('manifest() builds the same object for any value representation', () => {
    expect(TlsSecret.manifest({ name: 's', layout: TlsSecretLayout.KUBERNETES_TLS, certificate: 1, privateKey: 2 })).toEqual({
      metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 1, 'tls.key': 2 },
    });
  });
});

describe('certificates nginx (OpenSSL 3) and curl accept as a server certificate', () => {
  const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
  const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
  const refusal = async (pem: { certificatePem: string; privateKeyPem: string }) => errorOf((c) => TlsSecret.fromPem(c, 'Secret', pem));

  test.each([
    [{ type: 'ec', namedCurve: 'prime256v1' }],
    [{ type: 'ec', namedCurve: 'secp384r1' }],
    [{ type: 'rsa', modulusLength: 3072 }],
  ] as [TestKey][])('accepted: %j, and an extended key usage with serverAuth', async (key) => {
    const chart = Testing.chart();
    TlsSecret.fromPem(chart, 'Secret', await certificateWith(key, [SERVER_AUTH, CLIENT_AUTH]));
    expect(objectOf(synth(chart), 'Secret').type).toBe('kubernetes.io/tls');
  });

  test('RSA under 2048 bits is refused', async () => {
    expect(await refusal(await testCertificate({ modulusLength: 1024 }))).toBe('TlsSecret "nginxsecret": the certificate in certificatePem '
      + 'has an RSA key of 1024 bits, which OpenSSL 3 refuses below 2048: issue a new one, e.g. with `npm run keys -- --force` (RSA 2048)');
  });

  test('an EC curve TLS clients do not offer is refused', async () => {
    expect(await refusal(await certificateWith({ type: 'ec', namedCurve: 'secp256k1' }))).toBe('TlsSecret "nginxsecret": the certificate in '
      + 'certificatePem has an EC key on curve secp256k1, which TLS clients do not accept: use P-256, P-384, P-521 or RSA, or issue a new one, '
      + 'e.g. with `npm run keys -- --force` (RSA 2048)');
  });

  test('another key type is refused', async () => {
    expect(await refusal(await certificateWith({ type: 'ed25519' }))).toMatch(/^TlsSecret "nginxsecret": the certificate in certificatePem has a key of type ed25519, which curl/);
  });

  test('an extended key usage without serverAuth is refused', async () => {
    expect(await refusal(await certificateWith({ type: 'ec', namedCurve: 'prime256v1' }, [CLIENT_AUTH]))).toBe('TlsSecret "nginxsecret": '
      + `the certificate in certificatePem is for ${CLIENT_AUTH} only (extended key usage), not serverAuth (${SERVER_AUTH}), so curl refuses it `
      + 'from a server: issue one whose extended key usage includes serverAuth');
  });

  test('a chain whose first certificate is not the key\'s is refused, saying nginx serves the first', async () => {
    const leaf = await testCertificate();
    const other = await testCertificate({ service: 'other' });
    expect(await refusal({ certificatePem: other.certificatePem + leaf.certificatePem, privateKeyPem: leaf.privateKeyPem }))
      .toBe('TlsSecret "nginxsecret": privateKeyPem does not match the first of the 2 certificates in certificatePem (CN=other, O=other): '
        + 'nginx serves the first one, so put the certificate of this key first and its CA chain after it');
  });

  test.each(['pkcs8', 'pkcs1'] as const)('an encrypted private key (%s) gets its own message, not "malformed PEM"', async (type) => {
    const pem = await testCertificate();
    const encrypted = String(createPrivateKey(pem.privateKeyPem).export({ type, format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }));
    expect(await refusal({ ...pem, privateKeyPem: encrypted })).toBe('TlsSecret "nginxsecret": privateKeyPem is encrypted with a passphrase, '
      + 'which nginx cannot be given when it starts: decrypt it with `openssl pkey -in tls.key -out tls-decrypted.key` (it asks for the '
      + 'passphrase) and pass that file; keep the decrypted key out of git');
  });
});

describe('TlsSecret factories', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const untyped = (value: unknown): any => value;

  test('fromSource makes what the factory its `from` names', async () => {
    const pem = await testCertificate();
    const chart = Testing.chart();
    const synthesized = TlsSecret.fromSource(chart, 'Pem', { from: 'pem', ...pem, name: 'a' });
    const referenced = TlsSecret.fromSource(chart, 'Existing', { from: 'existing', name: 'b' });
    expect([synthesized.existing, referenced.existing]).toEqual([false, true]);
    expect(synth(chart).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Secret/a']);
  });

  test('fromSource without a `from` names the three sources', () => {
    expect(errorOf((c) => TlsSecret.fromSource(c, 'tls', untyped({ certificatePem: 'x' })))).toBe('TlsSecret "tls": source '
      + '{"certificatePem":"x"} does not say where the certificate comes from: pass { from: \'pem\', certificatePem, privateKeyPem }, '
      + '{ from: \'files\', certificateFile, privateKeyFile } or { from: \'existing\' }');
    expect(errorOf((c) => TlsSecret.fromSource(c, 'tls', untyped({ from: 'vault' })))).toMatch(/^TlsSecret "tls": source "vault" does not say/);
  });

  test('a file prop handed to fromPem is refused, not ignored', async () => {
    const pem = await testCertificate();
    expect(errorOf((c) => TlsSecret.fromPem(c, 'tls', untyped({ ...pem, certificateFile: 'site.crt' })))).toBe(
      'TlsSecret "nginxsecret": certificateFile is not a prop of TlsSecret.fromPem: use TlsSecret.fromFiles for files');
  });

  test('a PEM prop handed to fromFiles is refused, not ignored', () => {
    expect(errorOf((c) => TlsSecret.fromFiles(c, 'tls', untyped({ certificateFile: 'a', privateKeyFile: 'b', privateKeyPem: 'k' })))).toBe(
      'TlsSecret "nginxsecret": privateKeyPem is not a prop of TlsSecret.fromFiles: use TlsSecret.fromPem for PEM text');
  });

  test('fromExisting with a certificate both as text and as a file asks for one', async () => {
    const pem = await testCertificate();
    expect(errorOf((c) => TlsSecret.fromExisting(c, 'tls', { ...pem, certificateFile: 'site.crt' }))).toBe(
      'TlsSecret "nginxsecret": certificatePem and certificateFile "site.crt" are both given: pass one');
  });
});
