// Every prop of every construct, given a bad value, is refused: by the construct's own check when it is built, or by
// the App's output check when the App is synthesized. Either way the message names the construct and the prop the
// user set. A prop added to a construct without a row here fails the completeness test at the end.
import { App, Chart, Testing } from 'cdk8s';
import { CurlProbe } from '../lib/curl-probe';
import { ExposedService, ServiceType } from '../lib/exposed-service';
import { addGuideCharts } from '../lib/guide-charts';
import { ImageSet } from '../lib/images';
import { NginxApp } from '../lib/nginx-app';
import { NetworkPolicies } from '../lib/network-policies';
import { NginxConfig } from '../lib/nginx-config';
import { validationProblems } from '../lib/output-check';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { TlsSecret } from '../lib/tls-secret';
import { GuideConfigError } from '../lib/validation';
import { testCertificate } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const bad = (value: unknown): any => value;

/** What refused the setup, and its message: the construct when built, or the output check at synth. */
function refusal(build: (app: App) => void): { by: 'construct' | 'output check'; message: string } {
  const app = Testing.app();
  try {
    build(app);
  } catch (e) {
    if (!(e instanceof GuideConfigError)) throw e;
    return { by: 'construct', message: e.message };
  }
  try {
    app.synth();
  } catch (e) {
    const problems = validationProblems(e);
    if (!problems) throw e;
    return { by: 'output check', message: problems.join('\n') };
  }
  throw new Error('the setup was accepted: nothing refused it');
}

const chart = (app: App, namespace = 'shop') => new Chart(app, 'c', { namespace });
const httpsApp = (c: Chart, props = {}) => new NginxApp(c, 'app', { tls: TlsSecret.fromExisting(c, 'tls'), ...props });
const service = (c: Chart, props = {}) => new ExposedService(c, 'svc', { app: httpsApp(c), ...props });

/** The construct, its prop, a setup with a bad value of it, the owner the message starts with, and the prop it names. */
type Case = [construct: string, prop: string, build: (app: App) => void, owner: string, named?: string];

const CASES: Case[] = [
  ['NginxApp', 'name', (a) => new NginxApp(chart(a), 'app', { name: 'My_App' }), 'NginxApp "My_App"'],
  ['NginxApp', 'replicas', (a) => new NginxApp(chart(a), 'app', { replicas: -1 }), 'NginxApp "my-nginx"'],
  ['NginxApp', 'tls', (a) => new NginxApp(chart(a), 'app', { tls: bad('nginxsecret') }), 'NginxApp "my-nginx"'],
  ['NginxApp', 'config', (a) => httpsApp(chart(a), { config: bad('nginxconfigmap') }), 'NginxApp "my-nginx"'],
  ['NginxApp', 'imageSet', (a) => new NginxApp(chart(a), 'app', { imageSet: bad('latest') }), 'NginxApp "my-nginx"'],
  ['NginxApp', 'image', (a) => new NginxApp(chart(a), 'app', { image: 'nginx@sha256:abc' }), 'NginxApp "my-nginx"'],
  ['NginxApp', 'containerName', (a) => new NginxApp(chart(a), 'app', { containerName: 'my.container' }), 'NginxApp "my-nginx"'],
  ['NginxApp', 'enableServiceLinks', (a) => new NginxApp(chart(a), 'app', { enableServiceLinks: bad('yes') }), 'NginxApp "my-nginx"'],
  ['NginxApp', 'hardening', (a) => new NginxApp(chart(a), 'app', { hardening: true }), 'NginxApp "my-nginx"'],

  ['ExposedService', 'app', (a) => new ExposedService(chart(a), 'svc', { app: bad('my-nginx') }), 'ExposedService "svc"'],
  ['ExposedService', 'name', (a) => service(chart(a), { name: 'my.svc' }), 'ExposedService "my.svc"'],
  ['ExposedService', 'type', (a) => service(chart(a), { type: bad('Ingress') }), 'ExposedService "my-nginx"'],
  ['ExposedService', 'ports', (a) => service(chart(a), { ports: [{ name: 'HTTPS', port: 443 }] }), 'ExposedService "my-nginx"'],
  ['ExposedService', 'nodePorts', (a) => service(chart(a), { type: ServiceType.NODE_PORT, nodePorts: { metrics: 30000 } }), 'ExposedService "my-nginx"'],
  ['ExposedService', 'loadBalancerSourceRanges', (a) => service(chart(a), { type: ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['10.0.0.0/40'] }),
    'ExposedService "my-nginx"'],
  ['ExposedService', 'externalTrafficPolicy', (a) => service(chart(a), { type: ServiceType.NODE_PORT, externalTrafficPolicy: bad('local') }),
    'ExposedService "my-nginx"'],
  ['ExposedService', 'annotations', (a) => service(chart(a), { annotations: { 'example.com/a/b': 'x' } }), 'ExposedService "my-nginx"'],

  ['TlsSecret', 'name', (a) => TlsSecret.fromExisting(chart(a), 'tls', { name: 'Bad_Name' }), 'TlsSecret "Bad_Name"'],
  ['TlsSecret', 'certificatePem', (a) => new TlsSecret(chart(a), 'tls', { certificatePem: 'not pem', privateKeyPem: 'not pem' }),
    'TlsSecret "nginxsecret"'],
  ['TlsSecret', 'privateKeyPem', (a) => new TlsSecret(chart(a), 'tls', { certificatePem: PEM.certificatePem, privateKeyPem: 'not pem' }),
    'TlsSecret "nginxsecret"'],
  ['TlsSecret', 'certificateFile', (a) => new TlsSecret(chart(a), 'tls', { certificateFile: '/nonexistent/tls.crt', privateKeyPem: PEM.privateKeyPem }),
    'TlsSecret "nginxsecret"'],
  ['TlsSecret', 'privateKeyFile', (a) => new TlsSecret(chart(a), 'tls', { certificatePem: PEM.certificatePem, privateKeyFile: '/nonexistent/tls.key' }),
    'TlsSecret "nginxsecret"'],
  ['TlsSecret', 'existing', (a) => new TlsSecret(chart(a), 'tls', { existing: bad('yes') }), 'TlsSecret "nginxsecret"'],
  ['TlsSecret', 'layout', (a) => TlsSecret.fromExisting(chart(a), 'tls', { layout: bad('pem') }), 'TlsSecret "nginxsecret"'],
  ['TlsSecret', 'checkServiceNames', (a) => TlsSecret.fromExisting(chart(a), 'tls', { checkServiceNames: bad('no') }), 'TlsSecret "nginxsecret"'],
  ['TlsSecret', 'validAt', (a) => new TlsSecret(chart(a), 'tls', { ...PEM, validAt: bad('tomorrow') }), 'TlsSecret "nginxsecret"'],
  ['TlsSecret', 'renewHint', (a) => new TlsSecret(chart(a), 'tls', { ...PEM, renewHint: bad(5) }), 'TlsSecret "nginxsecret"'],

  ['CurlProbe', 'service', (a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: bad(httpsApp(c)) }); }, 'CurlProbe "curl-deployment"'],
  ['CurlProbe', 'name', (a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c), name: 'x'.repeat(60) }).addCheck(); },
    `CurlProbe "${'x'.repeat(60)}"`],
  ['CurlProbe', 'imageSet', (a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c), imageSet: bad('latest') }); }, 'CurlProbe "curl-deployment"'],
  ['CurlProbe', 'image', (a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c), image: 'Curl:8' }); }, 'CurlProbe "curl-deployment"'],
  ['CurlProbe', 'hardening', (a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c), hardening: bad(1) }); }, 'CurlProbe "curl-deployment"'],

  ['CurlCheck', 'name', (a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c) }).addCheck({ name: 'Check!' }); }, 'CurlProbe "curl-deployment"'],
  ['CurlCheck', 'backoffLimit', (a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c) }).addCheck({ backoffLimit: -1 }); },
    'CurlProbe "curl-deployment"'],
  ['CurlCheck', 'ttlSecondsAfterFinished', (a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c) }).addCheck({ ttlSecondsAfterFinished: 1.5 }); },
    'CurlProbe "curl-deployment"'],

  ['NginxConfig', 'name', (a) => new NginxConfig(chart(a), 'conf', { name: 'Conf!' }), 'NginxConfig "Conf!"'],
  ['NginxConfig', 'tls', (a) => new NginxConfig(chart(a), 'conf', { tls: bad('nginxsecret') }), 'NginxConfig "nginxconfigmap"'],
  ['NginxConfig', 'defaultConf', (a) => new NginxConfig(chart(a), 'conf', { defaultConf: ' ' }), 'NginxConfig "nginxconfigmap"'],
  ['NginxConfig', 'listenPorts', (a) => new NginxConfig(chart(a), 'conf', { listenPorts: { http: 8443, https: 8443 } }), 'NginxConfig "nginxconfigmap"'],

  ['NetworkPolicies', 'service', (a) => new NetworkPolicies(chart(a), 'net', { service: bad('my-nginx') }), 'NetworkPolicies "net"'],
  ['NetworkPolicies', 'clients', (a) => {
    const c = chart(a);
    new NetworkPolicies(c, 'net', { service: service(c), clients: [bad('curl-deployment')] });
  }, 'NetworkPolicies "net"'],

  ['Chart', 'namespace', (a) => httpsApp(chart(a, 'My_NS')), 'Chart "c"'],
  ['Chart', 'labels', (a) => httpsApp(new Chart(a, 'c', { labels: { team: 'a b' } })), 'Chart "c"'],

  // The TlsSecret's props, nested under tls: the message names the nested one.
  ['SecureNginxChart', 'tls', (a) => new SecureNginxChart(a, 'final', { tls: { certificatePem: 'x' } }), 'TlsSecret "nginxsecret"', 'certificatePem'],
  ['SecureNginxChart', 'serviceType', (a) => new SecureNginxChart(a, 'final', { serviceType: bad('Ingress') }), 'SecureNginxChart "final"'],
  ['SecureNginxChart', 'replicas', (a) => new SecureNginxChart(a, 'final', { replicas: bad('2') }), 'SecureNginxChart "final"'],
  ['SecureNginxChart', 'imageSet', (a) => new SecureNginxChart(a, 'final', { imageSet: bad('latest') }), 'NginxApp "my-nginx"'],
  ['SecureNginxChart', 'nginxImage', (a) => new SecureNginxChart(a, 'final', { nginxImage: 'Nginx' }), 'SecureNginxChart "final"'],
  ['SecureNginxChart', 'curlImage', (a) => new SecureNginxChart(a, 'final', { curlImage: 'curl:' }), 'SecureNginxChart "final"'],
  ['SecureNginxChart', 'nodePorts', (a) => new SecureNginxChart(a, 'final', { nodePorts: { https: 1 } }), 'SecureNginxChart "final"'],
  ['SecureNginxChart', 'serviceAnnotations', (a) => new SecureNginxChart(a, 'final', { serviceAnnotations: { 'a b': 'c' } }), 'SecureNginxChart "final"'],
  ['SecureNginxChart', 'enableServiceLinks', (a) => new SecureNginxChart(a, 'final', { enableServiceLinks: bad('no') }), 'NginxApp "my-nginx"'],
  ['SecureNginxChart', 'hardening', (a) => new SecureNginxChart(a, 'final', { hardening: true, imageSet: ImageSet.GUIDE }), 'NginxApp "my-nginx"'],
  ['SecureNginxChart', 'check', (a) => new SecureNginxChart(a, 'final', { check: bad('no') }), 'SecureNginxChart "final"'],
  ['SecureNginxChart', 'namespace', (a) => new SecureNginxChart(a, 'final', { namespace: 'Shop' }), 'Chart "final"'],
  ['SecureNginxChart', 'labels', (a) => new SecureNginxChart(a, 'final', { labels: { '-team': 'a' } }), 'Chart "final"'],

  ['GuideCharts', 'tls', (a) => addGuideCharts(a, { tls: { certificateFile: '/nonexistent' } }), 'TlsSecret "nginxsecret"', 'certificateFile'],
  ['GuideCharts', 'imageSet', (a) => addGuideCharts(a, { imageSet: bad('latest') }), 'NginxApp "my-nginx"'],
  ['GuideCharts', 'nginxImage', (a) => addGuideCharts(a, { nginxImage: 'nginx latest' }), 'addGuideCharts'],
  ['GuideCharts', 'curlImage', (a) => addGuideCharts(a, { curlImage: 'curl@md5:00' }), 'addGuideCharts'],
  ['GuideCharts', 'namespace', (a) => addGuideCharts(a, { namespace: 'Shop' }), 'addGuideCharts'],
  ['GuideCharts', 'finalState', (a) => addGuideCharts(a, { finalState: { replicas: -2 } }), 'SecureNginxChart "guide-final-state"', 'replicas'],
  ['GuideCharts', 'finalStateApp', (a) => addGuideCharts(a, { finalStateApp: bad('dist') }), 'addGuideCharts'],
];

let PEM: { certificatePem: string; privateKeyPem: string };
beforeAll(async () => {
  PEM = await testCertificate();
});

test.each(CASES)('%s %s: a bad value is refused, naming the construct and the prop', (_construct, prop, build, owner, named = prop) => {
  const { message } = refusal(build);
  expect(message.slice(0, owner.length + 2)).toBe(`${owner}: `);
  expect(message.slice(owner.length + 2)).toMatch(new RegExp(`^${named}\\b|[ (]${named}\\b`));
});

test('the output check, not a construct, refuses what only the output shows', () => {
  const byCheck = CASES.filter(([, , build]) => refusal(build).by === 'output check').map(([c, p]) => `${c} ${p}`);
  expect(byCheck).toEqual([
    'CurlProbe name', 'Chart namespace', 'Chart labels', 'SecureNginxChart namespace', 'SecureNginxChart labels',
  ]);
});

test('two charts of one App emitting one object, and one node port used twice, are refused by the output check', () => {
  const { by, message } = refusal((a) => {
    for (const id of ['a', 'b']) {
      const c = new Chart(a, id, { namespace: 'shop' });
      service(c, { type: ServiceType.NODE_PORT, nodePorts: { https: 30443 } });
    }
  });
  expect(by).toBe('output check');
  expect(message.split('\n')).toEqual([
    'NginxConfig "my-nginx-conf": name "my-nginx-conf" is also the name of NginxConfig "my-nginx-conf" in chart "a": both are ConfigMap '
      + '"my-nginx-conf" in namespace "shop", so one would overwrite the other; give one of them another name, or put its chart in another namespace',
    'NginxApp "my-nginx": name "my-nginx" is also the name of NginxApp "my-nginx" in chart "a": both are Deployment "my-nginx" in namespace '
      + '"shop", so one would overwrite the other; give one of them another name, or put its chart in another namespace',
    'ExposedService "my-nginx": app NginxApp "my-nginx" makes metadata.name "my-nginx", which is also the name of ExposedService "my-nginx" in '
      + 'chart "a": both are Service "my-nginx" in namespace "shop", so one would overwrite the other; give one of them another name, or put '
      + 'its chart in another namespace',
    'ExposedService "my-nginx": nodePorts 30443 is also the node port of ExposedService "my-nginx" in chart "a", and a node port is one port '
      + 'on every node: give each Service its own node port, or leave it unset to let Kubernetes choose',
  ]);
});

/** The props each construct declares, read from its Props interface in the source, so a new prop needs a row above. */
test('every prop of every construct has a row', () => {
  const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
  const propsOf = (file: string, iface: string): string[] => {
    const text = readFileSync(`${__dirname}/../lib/${file}`, 'utf8');
    const body = new RegExp(`export interface ${iface}[^{]*\\{([^]*?)\\n\\}`).exec(text)![1];
    return [...body.matchAll(/^ {2}readonly (\w+)\??:/gm)].map((m) => m[1]);
  };
  const covered = (construct: string) => CASES.filter(([c]) => c === construct).map(([, p]) => p).sort();
  expect(covered('NginxApp')).toEqual(propsOf('nginx-app.ts', 'NginxAppProps').sort());
  expect(covered('ExposedService')).toEqual(propsOf('exposed-service.ts', 'ExposedServiceProps').sort());
  expect(covered('TlsSecret')).toEqual(propsOf('tls-secret.ts', 'TlsSecretProps').sort());
  expect(covered('CurlProbe')).toEqual(propsOf('curl-probe.ts', 'CurlProbeProps').sort());
  expect(covered('CurlCheck')).toEqual(propsOf('curl-probe.ts', 'CurlCheckProps').sort());
  expect(covered('NginxConfig')).toEqual(propsOf('nginx-config.ts', 'NginxConfigProps').sort());
  expect(covered('SecureNginxChart')).toEqual([...propsOf('secure-nginx-chart.ts', 'SecureNginxChartProps'), 'namespace', 'labels'].sort());
  expect(covered('GuideCharts')).toEqual(propsOf('guide-charts.ts', 'GuideChartsProps').sort());
  expect(covered('NetworkPolicies')).toEqual(propsOf('network-policies.ts', 'NetworkPoliciesProps').sort());
});
