// Setups a new user gets wrong that used to synthesize broken manifests without a word: each one now either fails
// at construct time, naming the construct, the property, the value and the fix, or synthesizes manifests that work.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { CurlProbe } from '../lib/curl-probe';
import { ExposedService } from '../lib/exposed-service';
import { CERTIFICATE_FINGERPRINT_ANNOTATION, NginxApp } from '../lib/nginx-app';
import { NginxConfig } from '../lib/nginx-config';
import { writePemFiles } from '../scripts/self-signed';
import { readSynthSettings } from '../lib/synth-settings';
import { TlsSecret } from '../lib/tls-secret';
import { errorOf, objectOf, synth, testCertificate } from './support/helpers';


const secureService = (c: Chart) => {
  const app = new NginxApp(c, 'App', { tls: TlsSecret.fromExisting(c, 'Secret') });
  return new ExposedService(c, 'Svc', { app });
};

describe('two constructs that would write the same object', () => {
  test('two NginxApps with the same name in one chart', () => {
    expect(errorOf((c) => {
      new NginxApp(c, 'A', { name: 'web' });
      new NginxApp(c, 'B', { name: 'web' });
    })).toBe('NginxApp "web": name "web" is also the name of NginxApp "web" in chart "test": '
      + 'both are Deployment "web" in namespace "default", so one would overwrite the other; give each Deployment its own name');
  });

  test('two NginxApps with the same name in charts of different namespaces are fine', () => {
    const app = Testing.app();
    new NginxApp(new Chart(app, 'a', { namespace: 'a' }), 'A', { name: 'web' });
    expect(() => new NginxApp(new Chart(app, 'b', { namespace: 'b' }), 'B', { name: 'web' })).not.toThrow();
  });

  test('two Services with the same name', () => {
    expect(errorOf((c) => {
      const app = new NginxApp(c, 'App');
      new ExposedService(c, 'A', { app });
      new ExposedService(c, 'B', { app });
    })).toBe('ExposedService "my-nginx": name "my-nginx" is also the name of ExposedService "my-nginx" in chart "test": '
      + 'both are Service "my-nginx" in namespace "default", so one would overwrite the other; give each Service its own name');
  });

  test('two CurlProbes with their own names get their own labels, so their selectors do not overlap', () => {
    const chart = Testing.chart();
    const service = secureService(chart);
    const a = new CurlProbe(chart, 'A', { service, name: 'curl-a' });
    const b = new CurlProbe(chart, 'B', { service, name: 'curl-b' });
    expect([a.selectorLabels, b.selectorLabels]).toEqual([{ app: 'curl-a' }, { app: 'curl-b' }]);
    const deployments = synth(chart).filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('curl'));
    expect(deployments.map((d) => d.spec.selector.matchLabels)).toEqual([{ app: 'curl-a' }, { app: 'curl-b' }]);
    for (const d of deployments) expect(d.spec.template.metadata.labels).toEqual(d.spec.selector.matchLabels);
  });

  test('the guide\'s CurlProbe keeps the guide\'s label app: curlpod', () => {
    const chart = Testing.chart();
    expect(new CurlProbe(chart, 'Curl', { service: secureService(chart) }).selectorLabels).toEqual({ app: 'curlpod' });
  });

  test('two CurlProbes with the default name in one chart', () => {
    expect(errorOf((c) => {
      const service = secureService(c);
      new CurlProbe(c, 'A', { service });
      new CurlProbe(c, 'B', { service });
    })).toBe('CurlProbe "curl-deployment": name "curl-deployment" is also the name of CurlProbe "curl-deployment" in chart "test": '
      + 'both are Deployment "curl-deployment" in namespace "default", so one would overwrite the other; give each Deployment its own name');
  });

  test('a CurlProbe named "curlpod" next to the guide\'s: the labels would overlap', () => {
    expect(errorOf((c) => {
      const service = secureService(c);
      new CurlProbe(c, 'A', { service });
      new CurlProbe(c, 'B', { service, name: 'curlpod' });
    })).toBe('CurlProbe "curlpod": its pods\' labels app=curlpod overlap the selector of CurlProbe "curl-deployment" in chart "test", '
      + 'so each would manage the other\'s pods: give each CurlProbe its own name (its app label follows it)');
  });

  test('two ConfigMaps with the same name', () => {
    expect(errorOf((c) => {
      new NginxConfig(c, 'A');
      new NginxConfig(c, 'B');
    })).toBe('NginxConfig "nginxconfigmap": name "nginxconfigmap" is also the name of NginxConfig "nginxconfigmap" in chart "test": '
      + 'both are ConfigMap "nginxconfigmap" in namespace "default", so one would overwrite the other; give each ConfigMap its own name');
  });
});

describe('references across namespaces, where names do not resolve', () => {
  const charts = () => {
    const app = Testing.app();
    return [new Chart(app, 'web', { namespace: 'web' }), new Chart(app, 'edge', { namespace: 'edge' })];
  };

  test('an ExposedService in another namespace than its NginxApp', () => {
    const [web, edge] = charts();
    const app = new NginxApp(web, 'App');
    expect(errorOf(() => new ExposedService(edge, 'Svc', { app }))).toBe(
      'ExposedService "my-nginx": app NginxApp "my-nginx" is in namespace "web" but this is in "edge": '
      + 'a Service selects pods of its own namespace only; put both in charts with the same namespace');
  });

  test('an NginxApp whose TlsSecret is in another namespace', () => {
    const [web, edge] = charts();
    const tls = TlsSecret.fromExisting(web, 'Secret');
    expect(errorOf(() => new NginxApp(edge, 'App', { tls }))).toBe(
      'NginxApp "my-nginx": tls TlsSecret "nginxsecret" is in namespace "web" but this is in "edge": '
      + 'a pod mounts Secrets of its own namespace only; put both in charts with the same namespace');
  });

  test('a CurlProbe in another namespace than its Service', () => {
    const [web, edge] = charts();
    const service = secureService(web);
    expect(errorOf(() => new CurlProbe(edge, 'Curl', { service }))).toBe(
      'CurlProbe "curl-deployment": service ExposedService "my-nginx" is in namespace "web" but this is in "edge": '
      + 'the client resolves the Service\'s short name and mounts its Secret in its own namespace only; '
      + 'put both in charts with the same namespace');
  });
});

describe('image references the kubelet would refuse', () => {
  test.each([
    ['Nginx:Latest', 'repository names are lower-case'],
    ['curl image:8', 'it contains white space'],
    ['nginx:', 'it does not match [registry/]repository[:tag][@digest]'],
  ])('NginxApp image %j', (image, why) => {
    expect(errorOf((c) => new NginxApp(c, 'App', { image }))).toBe(
      `NginxApp "my-nginx": image "${image}" is not a valid image reference (${why}): use e.g. "nginx:1.27.4"`);
  });

  test.each([
    ['Nginx:Latest', 'repository names are lower-case'],
    ['curl image:8', 'it contains white space'],
  ])('CurlProbe image %j', (image, why) => {
    expect(errorOf((c) => new CurlProbe(c, 'Curl', { service: secureService(c), image }))).toBe(
      `CurlProbe "curl-deployment": image "${image}" is not a valid image reference (${why}): `
      + 'use e.g. "curlimages/curl:8.18.0" (it needs sh, curl and nslookup)');
  });

  test.each(['nginx', 'nginx:1.27.4', 'registry.example.com:5000/team/nginx:1.27.4',
    `nginx@sha256:${'0'.repeat(64)}`])('accepts %s', (image) => {
    expect(() => new NginxApp(Testing.chart(), 'App', { image })).not.toThrow();
  });
});

describe('JavaScript callers passing the wrong kind of value', () => {
  // What a caller without type-checking can write; the casts stand for plain JavaScript.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const untyped = (value: unknown) => value as any;

  test('a string where the NginxApp belongs', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: untyped('web-a') }))).toBe(
      'ExposedService "Svc": app "web-a" is not an NginxApp or a pod selector: pass the object whose pods the Service fronts, '
        + 'e.g. app: new NginxApp(chart, \'app\'), or a cdk8s-plus Deployment');
  });

  test('no props at all where the app is required', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', untyped(undefined)))).toBe(
      'ExposedService "Svc": app undefined is not an NginxApp or a pod selector: pass the object whose pods the Service fronts, '
        + 'e.g. app: new NginxApp(chart, \'app\'), or a cdk8s-plus Deployment');
  });

  test('a Service name where the ExposedService belongs', () => {
    expect(errorOf((c) => new CurlProbe(c, 'Curl', { service: untyped('my-nginx') }))).toBe(
      'CurlProbe "curl-deployment": service "my-nginx" is not a ExposedService: pass the ExposedService object, '
      + 'e.g. service: new ExposedService(chart, \'svc\', { app })');
  });

  test('another construct where the TlsSecret belongs', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { tls: untyped(new NginxConfig(c, 'Config')) }))).toBe(
      'NginxApp "my-nginx": tls "NginxConfig at test/Config" is not a TlsSecret: pass the TlsSecret object, '
      + 'e.g. tls: TlsSecret.fromFiles(chart, \'tls\', { certificateFile, privateKeyFile })');
  });

  test('a Secret name where the TlsSecret belongs', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { tls: untyped('nginxsecret') }))).toMatch(
      /^NginxApp "my-nginx": tls "nginxsecret" is not a TlsSecret: /);
  });

  test('a ConfigMap name where the NginxConfig belongs', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { tls: TlsSecret.fromExisting(c, 'S'), config: untyped('nginxconfigmap') })))
      .toMatch(/^NginxApp "my-nginx": config "nginxconfigmap" is not a NginxConfig: /);
  });

  test('replicas as text', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { replicas: untyped('2') }))).toBe(
      'NginxApp "my-nginx": replicas "2" is not a number: pass a number, e.g. 2');
  });

  test('a name that is not text', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { name: untyped(7) }))).toBe(
      'NginxApp "7": name 7 is not a string: pass the text, e.g. "my-nginx"');
  });

  test('hardening as text', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { hardening: untyped('yes') }))).toBe(
      'NginxApp "my-nginx": hardening "yes" is not true or false: pass a boolean');
  });

  test('props as a string', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', untyped('my-nginx')))).toBe(
      'NginxApp "App": props "my-nginx" is not an object: pass the props as { ... }');
  });

  test('a port number as text', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), ports: [{ port: untyped('80') }] }))).toBe(
      'ExposedService "my-nginx": ports[0].port "80" is not a number: give a whole port number such as 80 or 443');
  });

  test('ports as one object instead of a list', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), ports: untyped({ port: 80 }) }))).toBe(
      'ExposedService "my-nginx": ports {"port":80} is not a list: pass e.g. [{ name: \'https\', port: 443 }]');
  });

  test('an annotation value that is a number, which the API server would refuse', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), annotations: untyped({ 'x/timeout': 30 }) })))
      .toBe('ExposedService "my-nginx": annotations.x/timeout 30 is not a string: quote it, e.g. { \'pulumi.com/skipAwait\': \'true\' }');
  });

  test('a certificate that is not text', () => {
    expect(errorOf((c) => TlsSecret.fromPem(c, 'S', { certificatePem: untyped(Buffer.from('x')), privateKeyPem: 'k' }))).toMatch(
      /^TlsSecret "nginxsecret": certificatePem \{"type":"Buffer","data":\[120\]\} is not a string: /);
  });

  test('validAt as text', () => {
    expect(errorOf((c) => TlsSecret.fromExisting(c, 'S', { validAt: untyped('2026-01-01') }))).toBe(
      'TlsSecret "nginxsecret": validAt "2026-01-01" is not a valid Date: pass e.g. new Date(\'2026-01-01T00:00:00Z\')');
  });
});

describe('certificate messages that say what is wrong and where it came from', () => {
  test('a certificate without its key says the key is missing', async () => {
    const { certificatePem } = await testCertificate();
    expect(errorOf((c) => TlsSecret.fromPem(c, 'S', { certificatePem } as never))).toBe(
      'TlsSecret "nginxsecret": the private key is missing: certificatePem is given but privateKeyPem is not: '
      + 'pass the key that belongs to the certificate');
    expect(errorOf((c) => TlsSecret.fromFiles(c, 'S', { certificateFile: 'site.crt' } as never))).toMatch(
      /^TlsSecret "nginxsecret": the private key is missing: certificateFile "site.crt" is given/);
  });

  test('a key without its certificate says the certificate is missing', async () => {
    const { privateKeyPem } = await testCertificate();
    expect(errorOf((c) => TlsSecret.fromPem(c, 'S', { privateKeyPem } as never))).toBe(
      'TlsSecret "nginxsecret": the certificate is missing: privateKeyPem is given but certificatePem is not: '
      + 'pass the certificate that belongs to the key');
  });

  test('key and certificate swapped', async () => {
    const pem = await testCertificate();
    expect(errorOf((c) => TlsSecret.fromPem(c, 'S', { certificatePem: pem.privateKeyPem, privateKeyPem: pem.certificatePem }))).toBe(
      'TlsSecret "nginxsecret": certificatePem holds a private key, not a certificate, and privateKeyPem holds the certificate: '
      + 'the two look swapped; pass the certificate as the certificate and the key as the key');
  });

  test('the key given twice', async () => {
    const pem = await testCertificate();
    expect(errorOf((c) => TlsSecret.fromPem(c, 'S', { certificatePem: pem.privateKeyPem, privateKeyPem: pem.privateKeyPem }))).toBe(
      'TlsSecret "nginxsecret": certificatePem holds a private key, not a certificate: '
      + 'the two look swapped; pass the certificate as the certificate and the key as the key');
  });

  test('the certificate given twice', async () => {
    const pem = await testCertificate();
    expect(errorOf((c) => TlsSecret.fromPem(c, 'S', { certificatePem: pem.certificatePem, privateKeyPem: pem.certificatePem }))).toBe(
      'TlsSecret "nginxsecret": privateKeyPem holds a certificate, not a private key: pass the key that was generated with the certificate');
  });

  test('expiry, mismatch and names name the files they read; the user\'s own files get no `npm run keys` advice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guide-own-pem-'));
    const expired = writePemFiles(join(dir, 'expired'), await testCertificate({ notBefore: new Date('2017-10-26T00:00:00Z'), days: 365 }));
    expect(errorOf((c) => TlsSecret.fromFiles(c, 'S', expired))).toBe(
      `TlsSecret "nginxsecret": the certificate in certificateFile "${expired.certificateFile}" expired on 2018-10-26T00:00:00.000Z: `
      + 'issue a new one from the CA or tool that made it');

    const other = writePemFiles(join(dir, 'other'), await testCertificate({ service: 'someone-else' }));
    const mine = writePemFiles(join(dir, 'mine'), await testCertificate({ service: 'nginxsvc' }));
    expect(errorOf((c) => TlsSecret.fromFiles(c, 'S', { certificateFile: mine.certificateFile, privateKeyFile: other.privateKeyFile }))).toBe(
      `TlsSecret "nginxsecret": privateKeyFile "${other.privateKeyFile}" does not match the certificate in `
      + `certificateFile "${mine.certificateFile}" (CN=nginxsvc, O=nginxsvc): pass the key that was generated together with this certificate`);

    const names = errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App', { tls: TlsSecret.fromFiles(c, 'S', mine) }) }));
    expect(names).toMatch(new RegExp(`^TlsSecret "nginxsecret": the certificate in certificateFile "${mine.certificateFile}" does not cover my-nginx, `));
    expect(names).not.toContain('npm run keys');
  });
});

describe('synth settings: the certificate advice follows where the files came from', () => {
  const env = (vars: Record<string, string>) => readSynthSettings(vars, () => true);

  test('.keys/ (what `npm run keys` writes) is renewed with `npm run keys`, in the synth namespace', () => {
    expect(env({}).tls.renewHint).toBe('run `npm run keys -- --force`');
    expect(env({ GUIDE_NAMESPACE: 'shop' }).tls.renewHint).toBe('run `npm run keys -- --force --namespace shop`');
    expect(env({ GUIDE_TLS_KEYS: '.keys' }).tls.renewHint).toBe('run `npm run keys -- --force`');
  });

  test('a folder of the user\'s own is not; a Secret synthesized from files offers no check to turn off', () => {
    expect(env({ GUIDE_TLS_KEYS: '/etc/ssl/shop' }).tls).toEqual({
      from: 'files', certificateFile: '/etc/ssl/shop/tls.crt', privateKeyFile: '/etc/ssl/shop/tls.key', renewHint: undefined, optOutHint: '',
    });
    // .keys/ only checked (the Secret referenced): moving the files aside is the way out an environment user has.
    expect(env({}).tls.optOutHint).toBe('move .keys/ aside (synth then references the Secret nginxsecret without checking it)');
  });

  test('with only one of .keys/tls.crt and .keys/tls.key, the missing one is named', () => {
    const tls = readSynthSettings({}, (path) => path.endsWith('tls.crt')).tls;
    expect(errorOf((c) => TlsSecret.fromSource(c, 'S', tls))).toBe(
      'TlsSecret "nginxsecret": the private key is missing: certificateFile ".keys/tls.crt" is given but neither privateKeyPem '
      + 'nor privateKeyFile: pass the key that belongs to the certificate');
  });
});

describe('a new certificate rolls the nginx pods', () => {
  test('the pod template carries the SHA-256 fingerprint of the certificate it serves', async () => {
    const pem = await testCertificate();
    const chart = Testing.chart();
    new NginxApp(chart, 'App', { tls: TlsSecret.fromPem(chart, 'S', pem) });
    const annotations = objectOf(synth(chart), 'Deployment').spec.template.metadata.annotations;
    expect(annotations).toEqual({ [CERTIFICATE_FINGERPRINT_ANNOTATION]: new X509Certificate(pem.certificatePem).fingerprint256 });
  });

  test('another certificate, another template; a Secret known by name alone adds nothing', async () => {
    const fingerprint = (pem?: { certificatePem: string; privateKeyPem: string }) => {
      const chart = Testing.chart();
      new NginxApp(chart, 'App', { tls: pem ? TlsSecret.fromPem(chart, 'S', pem) : TlsSecret.fromExisting(chart, 'S') });
      return objectOf(synth(chart), 'Deployment').spec.template.metadata.annotations?.[CERTIFICATE_FINGERPRINT_ANNOTATION];
    };
    const a = fingerprint(await testCertificate());
    const b = fingerprint(await testCertificate({ days: 30 }));
    expect(a).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(b).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(a).not.toBe(b);
    expect(fingerprint()).toBeUndefined();
  });
});

describe('the check Job can be re-applied after a change', () => {
  const jobOf = (image?: string) => {
    const chart = Testing.chart();
    new CurlProbe(chart, 'Curl', { service: secureService(chart), image }).addCheck();
    return objectOf(synth(chart), 'Job');
  };

  test('its name follows its content: the same check keeps its name, a changed one gets a new Job', () => {
    expect(jobOf().metadata.name).toBe(jobOf().metadata.name);
    expect(jobOf('radial/busyboxplus:curl').metadata.name).not.toBe(jobOf().metadata.name);
    expect(jobOf().metadata.name).toMatch(/^my-nginx-https-check-[0-9a-f]{8}$/);
  });

  test('finished Jobs are cleaned up', () => {
    expect(jobOf().spec.ttlSecondsAfterFinished).toBe(3600);
  });
});
