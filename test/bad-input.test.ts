// Bad input fails at construct time with a message that names the construct, the property, the value and the fix.
import { Chart, Duration, Testing } from 'cdk8s';
import { CurlCheckProps, CurlProbe } from '../lib/curl-probe';
import { ExposedService, ServiceType } from '../lib/exposed-service';
import { ImageSet } from '../lib/images';
import { NginxApp } from '../lib/nginx-app';
import { NginxConfig } from '../lib/nginx-config';
import { TlsSecret, TlsSecretLayout } from '../lib/tls-secret';
import { errorOf, pemBlock, testCertificate } from './support/helpers';


const secureApp = (chart: Chart) => new NginxApp(chart, 'App', { tls: TlsSecret.fromExisting(chart, 'Secret') });

describe('names', () => {
  test('a Deployment name that is not a DNS-1123 subdomain', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { name: 'My_Nginx' }))).toBe(
      'NginxApp "My_Nginx": name "My_Nginx" is not a valid DNS-1123 subdomain: use lower-case letters, digits, \'-\' and \'.\', '
      + 'starting and ending with a letter or digit (e.g. "my-nginx")');
  });

  test('a Service name that is not a DNS-1035 label', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), name: '1-nginx' }))).toBe(
      'ExposedService "1-nginx": name "1-nginx" is not a valid DNS-1035 label: use at most 63 lower-case letters, digits and \'-\', '
      + 'starting with a letter and ending with a letter or digit (e.g. "my-nginx")');
  });

  test('a Secret name with upper-case letters', () => {
    expect(errorOf((c) => TlsSecret.fromExisting(c, 'S', { name: 'NginxSecret' }))).toMatch(
      /^TlsSecret "NginxSecret": name "NginxSecret" is not a valid DNS-1123 subdomain: /);
  });

  test('a port name over 15 characters', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), ports: [{ name: 'http-for-the-guide', port: 80 }] })))
      .toBe('ExposedService "my-nginx": ports[0].name "http-for-the-guide" is not a valid port name: use at most 15 lower-case letters, '
        + 'digits and single \'-\', with at least one letter (e.g. "https")');
  });
});

describe('ports', () => {
  const expose = (ports: { name?: string; port: number; targetPort?: number }[]) =>
    errorOf((c) => new ExposedService(c, 'Svc', { app: secureApp(c), ports }));

  test('port 0', () => {
    expect(expose([{ port: 0, targetPort: 80 }])).toBe(
      'ExposedService "my-nginx": ports[0].port 0 is outside 1-65535: use a whole port number such as 80 or 443');
  });

  test('port 65536', () => {
    expect(expose([{ port: 65536, targetPort: 80 }])).toBe(
      'ExposedService "my-nginx": ports[0].port 65536 is outside 1-65535: use a whole port number such as 80 or 443');
  });

  test('the same port number twice', () => {
    expect(expose([{ name: 'http', port: 8080, targetPort: 80 }, { name: 'https', port: 8080, targetPort: 443 }])).toBe(
      'ExposedService "my-nginx": ports[1].port 8080 is used twice with protocol TCP: give each port its own number');
  });

  test('the same port name twice', () => {
    expect(expose([{ name: 'web', port: 8080, targetPort: 80 }, { name: 'web', port: 443 }])).toBe(
      'ExposedService "my-nginx": ports[1].name "web" is the name of another port of the Service: give each port its own name');
  });

  test('an unnamed port in a multi-port Service', () => {
    expect(expose([{ name: 'http', port: 8080, targetPort: 80 }, { port: 443 }])).toBe(
      'ExposedService "my-nginx": ports[1].name is missing on a Service of several ports, which Kubernetes requires: name every port, e.g. "http"');
  });

  test('a targetPort the app does not listen on', () => {
    expect(expose([{ port: 80, targetPort: 8443 }])).toBe(
      'ExposedService "my-nginx": ports[0].targetPort 8443 is not a port of NginxApp "my-nginx" (it listens on 443 and 80): target one of those');
  });

  test('a nodePort outside 30000-32767', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: secureApp(c), type: ServiceType.NODE_PORT, nodePorts: { https: 80 } }))).toBe(
      'ExposedService "my-nginx": nodePorts.https 80 is outside 30000-32767: pick a free port in the cluster\'s node-port range, '
      + 'or leave it unset to let Kubernetes choose');
  });

  test('nodePorts keyed by a port name the Service does not have', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: secureApp(c), type: ServiceType.NODE_PORT, nodePorts: { web: 30080 } }))).toBe(
      'ExposedService "my-nginx": nodePorts names port "web", but the Service\'s ports are "http" and "https": key nodePorts by one of those names');
  });

  test('the same nodePort twice', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', {
      app: secureApp(c), type: ServiceType.NODE_PORT, nodePorts: { http: 30080, https: 30080 },
    }))).toBe('ExposedService "my-nginx": nodePorts.https 30080 is used twice: give each port its own');
  });
});

describe('Service type', () => {
  test('an unknown type', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), type: 'Ingress' as ServiceType }))).toBe(
      'ExposedService "my-nginx": type "Ingress" is not one of "ClusterIP", "NodePort", "LoadBalancer"');
  });

  test('a LoadBalancer-only prop on a ClusterIP Service', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), loadBalancerSourceRanges: ['203.0.113.0/24'] }))).toBe(
      'ExposedService "my-nginx": loadBalancerSourceRanges ["203.0.113.0/24"] is only for type LoadBalancer, but type is ClusterIP: '
      + 'drop it or set type to LoadBalancer');
  });

  test('a nodePort on a ClusterIP Service', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), ports: [{ port: 80, nodePort: 30080 }] }))).toBe(
      'ExposedService "my-nginx": ports[0].nodePort 30080 needs type NodePort or LoadBalancer, but type is ClusterIP: '
      + 'drop the nodePort or change the type');
  });

  test('externalTrafficPolicy on a ClusterIP Service', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App'), externalTrafficPolicy: 'Local' }))).toBe(
      'ExposedService "my-nginx": externalTrafficPolicy "Local" is only for types NodePort and LoadBalancer, but type is ClusterIP: '
      + 'drop it or change the type');
  });

  test('a source range that is not a CIDR', () => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', {
      app: new NginxApp(c, 'App'), type: ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['office'],
    }))).toBe('ExposedService "my-nginx": loadBalancerSourceRanges[0] "office" is not a CIDR (address/prefix length): use e.g. "203.0.113.0/24"');
  });

  test.each([
    ['300.1.2.3/24', 'has an IPv4 address with an octet out of 0-255'],
    ['10.0.0.0/33', 'has a prefix length over 32 for IPv4'],
    ['2001:db8::/129', 'has a prefix length over 128 for IPv6'],
    ['1:2:3/64', 'is not a CIDR: its address is neither IPv4 nor IPv6'],
  ])('a source range the API server cannot parse: %s', (range, problem) => {
    expect(errorOf((c) => new ExposedService(c, 'Svc', {
      app: new NginxApp(c, 'App'), type: ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: [range],
    }))).toBe(`ExposedService "my-nginx": loadBalancerSourceRanges[0] "${range}" ${problem}: use e.g. "203.0.113.0/24"`);
  });
});

describe('NginxApp', () => {
  test('negative replicas', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { replicas: -1 }))).toBe(
      'NginxApp "my-nginx": replicas -1 is not a whole number of at least 0: use e.g. 2');
  });

  test('an image reference with white space', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { image: 'nginx latest' }))).toBe(
      'NginxApp "my-nginx": image "nginx latest" is not a valid image reference (it contains white space): use e.g. "nginx:1.27.4"');
  });

  test('an unknown image set', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { imageSet: 'latest' as ImageSet }))).toBe(
      'NginxApp "my-nginx": imageSet "latest" is not one of "pinned", "guide"');
  });

  test('an https config without a Secret', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', { config: new NginxConfig(c, 'Config') }))).toBe(
      'NginxApp "my-nginx": config "nginxconfigmap" serves https from /etc/nginx/ssl/tls.crt (ssl_certificate) but no tls Secret is given: '
      + 'pass tls (a TlsSecret) or a default.conf without ssl_certificate');
  });

  test('a config that reads other file names than the Secret holds', () => {
    expect(errorOf((c) => new NginxApp(c, 'App', {
      tls: TlsSecret.fromExisting(c, 'Secret', { layout: TlsSecretLayout.LEGACY_OPAQUE }),
      config: new NginxConfig(c, 'Config'),
    }))).toBe('NginxApp "my-nginx": config "nginxconfigmap" reads tls.crt (ssl_certificate) but TlsSecret "nginxsecret" holds nginx.crt and nginx.key: '
      + 'build the NginxConfig with tls set to that TlsSecret so the file names match');
  });
});

describe('TlsSecret', () => {
  test('text that is not PEM', () => {
    expect(errorOf((c) => TlsSecret.fromPem(c, 'Secret', { certificatePem: 'my certificate', privateKeyPem: 'my key' }))).toBe(
      'TlsSecret "nginxsecret": certificatePem is not PEM text: expected a "-----BEGIN CERTIFICATE-----" block');
  });

  test('a key that is not PEM text', async () => {
    const { certificatePem } = await testCertificate();
    expect(errorOf((c) => TlsSecret.fromPem(c, 'Secret', { certificatePem, privateKeyPem: 'my key' }))).toBe(
      'TlsSecret "nginxsecret": privateKeyPem is not PEM text: expected a PEM block labelled "PRIVATE KEY"');
  });

  test('malformed PEM', async () => {
    const { privateKeyPem } = await testCertificate();
    const broken = pemBlock('CERTIFICATE', Buffer.from('not a certificate').toString('base64'));
    expect(errorOf((c) => TlsSecret.fromPem(c, 'Secret', { certificatePem: broken, privateKeyPem }))).toMatch(
      /^TlsSecret "nginxsecret": certificatePem is malformed PEM \(.+\): pass the certificate file exactly as it was issued$/);
  });

  test('a malformed key, whose text never reaches the message', async () => {
    const { certificatePem } = await testCertificate();
    const broken = pemBlock('PRIVATE KEY', Buffer.from('secret-but-broken').toString('base64'));
    const message = errorOf((c) => TlsSecret.fromPem(c, 'Secret', { certificatePem, privateKeyPem: broken }));
    expect(message).toMatch(/^TlsSecret "nginxsecret": privateKeyPem is malformed PEM \(.+\): pass the key file written together with the certificate$/);
    expect(message).not.toContain('c2VjcmV0');
  });

  test('a key that does not match the certificate', async () => {
    const { certificatePem } = await testCertificate();
    const { privateKeyPem } = await testCertificate({ service: 'someone-else' });
    expect(errorOf((c) => TlsSecret.fromPem(c, 'Secret', { certificatePem, privateKeyPem }))).toBe(
      'TlsSecret "nginxsecret": privateKeyPem does not match the certificate in certificatePem (CN=my-nginx, O=my-nginx): '
      + 'pass the key that was generated together with this certificate');
  });

  test('an expired certificate', async () => {
    const expired = await testCertificate({ notBefore: new Date('2017-10-26T00:00:00Z'), days: 365 });
    expect(errorOf((c) => TlsSecret.fromPem(c, 'Secret', expired))).toBe(
      'TlsSecret "nginxsecret": the certificate in certificatePem expired on 2018-10-26T00:00:00.000Z: '
      + 'issue a new one from the CA or tool that made it');
  });

  test('a certificate whose names do not cover the Service', async () => {
    const pem = await testCertificate({ service: 'nginxsvc' });
    expect(errorOf((c) => new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App', { tls: TlsSecret.fromPem(c, 'Secret', pem) }) }))).toBe(
      'TlsSecret "nginxsecret": the certificate in certificatePem does not cover my-nginx, my-nginx.default, my-nginx.default.svc, '
      + 'my-nginx.default.svc.cluster.local '
      + '(it names DNS:nginxsvc, DNS:nginxsvc.default, DNS:nginxsvc.default.svc, DNS:nginxsvc.default.svc.cluster.local): '
      + 'get one that names them (issue a new one from the CA or tool that made it), '
      + 'or set checkServiceNames: false on TlsSecret "nginxsecret"');
  });

  test('a certificate made for another namespace', async () => {
    const pem = await testCertificate();
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'prod' });
    expect(() => new ExposedService(chart, 'Svc', { app: new NginxApp(chart, 'App', { tls: TlsSecret.fromPem(chart, 'Secret', pem) }) }))
      .toThrow('the certificate in certificatePem does not cover my-nginx.prod, my-nginx.prod.svc, my-nginx.prod.svc.cluster.local');
  });

  test('a certificate file that does not exist', () => {
    expect(errorOf((c) => TlsSecret.fromFiles(c, 'Secret', { certificateFile: '/nonexistent/tls.crt', privateKeyFile: '/nonexistent/tls.key' })))
      .toBe('TlsSecret "nginxsecret": certificateFile "/nonexistent/tls.crt" cannot be read (ENOENT): check the path');
  });

  test('no certificate at all', () => {
    expect(errorOf((c) => TlsSecret.fromPem(c, 'Secret', {} as never))).toBe(
      'TlsSecret "nginxsecret": no certificate or key given: TlsSecret.fromPem needs certificatePem and privateKeyPem; '
      + 'or use TlsSecret.fromExisting() for a Secret created with `kubectl create secret tls`');
  });

  test('a reference to an existing Secret, given the files it is made from, checks them', async () => {
    const pem = await testCertificate({ service: 'nginxsvc' });
    expect(errorOf((c) => new ExposedService(c, 'Svc', {
      app: new NginxApp(c, 'App', { tls: TlsSecret.fromExisting(c, 'Secret', pem) }),
    }))).toMatch(/^TlsSecret "nginxsecret": the certificate in certificatePem does not cover my-nginx, /);
  });
});

describe('CurlProbe', () => {
  const probe = (c: Chart) => new CurlProbe(c, 'Curl', { service: new ExposedService(c, 'Svc', { app: secureApp(c) }) });

  test.each([
    [{ backoffLimit: -1 }, 'CurlProbe "curl-deployment": check backoffLimit -1 is not a whole number of at least 0: use e.g. 6'],
    [{ backoffLimit: 1.5 }, 'CurlProbe "curl-deployment": check backoffLimit 1.5 is not a whole number of at least 0: use e.g. 6'],
    [{ backoffLimit: '6' as unknown as number }, 'CurlProbe "curl-deployment": check backoffLimit "6" is not a number: pass a number, e.g. 6'],
    [{ ttlAfterFinished: -5 as unknown as Duration }, 'CurlProbe "curl-deployment": check ttlAfterFinished -5 is not a Duration: write e.g. Duration.hours(1)'],
    [{ ttlSecondsAfterFinished: 60 } as CurlCheckProps, 'CurlProbe "curl-deployment" addCheck(): ttlSecondsAfterFinished is not a prop of CurlProbe: use ttlAfterFinished'],
  ])('a check with %j', (props, message) => {
    expect(errorOf((c) => probe(c).addCheck(props))).toBe(message);
  });

  test('a Service whose app serves no https', () => {
    expect(errorOf((c) => new CurlProbe(c, 'Curl', { service: new ExposedService(c, 'Svc', { app: new NginxApp(c, 'App') }) }))).toBe(
      'CurlProbe "curl-deployment": service "my-nginx" fronts NginxApp "my-nginx", which has no tls Secret: '
      + 'give the NginxApp a TlsSecret so there is a certificate to check https against');
  });
});
