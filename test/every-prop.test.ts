// Every prop of every construct, given a bad value, is refused: by the construct's own check when it is built, or by
// the App's output check when the App is synthesized. Either way the message names the construct and the prop the
// user set. The rows are keyed by each Props type, so a prop added to a construct without a row here is a type error,
// which fails `npm test` (its type check).
import { ApiObject, App, Chart, ChartProps, Duration, JsonPatch, Testing } from 'cdk8s';
import { CurlCheckProps, CurlProbe, CurlProbeProps } from '../lib/curl-probe';
import { ExposedService, ExposedServiceProps, ServiceType } from '../lib/exposed-service';
import { addGuideCharts, GuideChartsProps } from '../lib/guide-charts';
import { ImageSet } from '../lib/images';
import { NginxApp, NginxAppProps } from '../lib/nginx-app';
import { NetworkPolicies, NetworkPoliciesProps } from '../lib/network-policies';
import { NginxConfig, NginxConfigProps } from '../lib/nginx-config';
import { validationProblems } from '../lib/output-check';
import { SecureNginxChart, SecureNginxChartProps } from '../lib/secure-nginx-chart';
import { ExistingTlsSecretProps, TlsSecret, TlsSecretFileProps, TlsSecretPemProps } from '../lib/tls-secret';
import { GuideConfigError } from '../lib/validation';
import { testCertificate } from './support/helpers';

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

/** A setup with a bad value of one prop, the owner the message starts with, and the prop it names (the row's own by default). */
type Row = [build: (app: App) => void, owner: string, named?: string];
/** One row for every prop of P, optional or not, and none for a prop P does not have. */
type RowsFor<P> = { readonly [K in keyof Required<P>]: Row };
/** The construct, its prop, and its row. */
type Case = [construct: string, prop: string, ...row: Row];

const ROWS = {
  NginxApp: {
    name: [(a) => new NginxApp(chart(a), 'app', { name: 'My_App' }), 'NginxApp "My_App"'],
    replicas: [(a) => new NginxApp(chart(a), 'app', { replicas: -1 }), 'NginxApp "my-nginx"'],
    tls: [(a) => new NginxApp(chart(a), 'app', { tls: bad('nginxsecret') }), 'NginxApp "my-nginx"'],
    config: [(a) => httpsApp(chart(a), { config: bad('nginxconfigmap') }), 'NginxApp "my-nginx"'],
    imageSet: [(a) => new NginxApp(chart(a), 'app', { imageSet: bad('latest') }), 'NginxApp "my-nginx"'],
    image: [(a) => new NginxApp(chart(a), 'app', { image: 'nginx@sha256:abc' }), 'NginxApp "my-nginx"'],
    containerName: [(a) => new NginxApp(chart(a), 'app', { containerName: 'my.container' }), 'NginxApp "my-nginx"'],
    enableServiceLinks: [(a) => new NginxApp(chart(a), 'app', { enableServiceLinks: bad('yes') }), 'NginxApp "my-nginx"'],
    hardening: [(a) => new NginxApp(chart(a), 'app', { hardening: true }), 'NginxApp "my-nginx"'],
    restricted: [(a) => new NginxApp(chart(a), 'app', { restricted: true }), 'NginxApp "my-nginx"'],
    resources: [(a) => new NginxApp(chart(a), 'app', { resources: { memory: { limit: bad('128Mi') } } }), 'NginxApp "my-nginx"'],
    probes: [(a) => new NginxApp(chart(a), 'app', { probes: bad('on') }), 'NginxApp "my-nginx"'],
    strategy: [(a) => new NginxApp(chart(a), 'app', { strategy: bad({ type: 'Rolling' }) }), 'NginxApp "my-nginx"'],
    preStopSleep: [(a) => new NginxApp(chart(a), 'app', { preStopSleep: Duration.millis(1500) }), 'NginxApp "my-nginx"'],
    terminationGracePeriod: [(a) => new NginxApp(chart(a), 'app', { preStopSleep: Duration.seconds(10), terminationGracePeriod: Duration.seconds(5) }),
      'NginxApp "my-nginx"'],
    disruptionBudget: [(a) => new NginxApp(chart(a), 'app', { disruptionBudget: bad(1) }), 'NginxApp "my-nginx"'],
    spread: [(a) => new NginxApp(chart(a), 'app', { spread: bad('yes') }), 'NginxApp "my-nginx"'],
    certificateLoading: [(a) => httpsApp(chart(a), { certificateLoading: bad('on-change') }), 'NginxApp "my-nginx"'],
    autoscaling: [(a) => httpsApp(chart(a), { hardening: true, autoscaling: { minReplicas: 4, maxReplicas: 3 } }), 'NginxApp "my-nginx"',
      'autoscaling.minReplicas'],
    metrics: [(a) => httpsApp(chart(a), { metrics: bad('on') }), 'NginxApp "my-nginx"'],
    exporterImage: [(a) => httpsApp(chart(a), { metrics: true, exporterImage: 'Exporter:1' }), 'NginxApp "my-nginx"'],
    podMonitor: [(a) => httpsApp(chart(a), { podMonitor: true }), 'NginxApp "my-nginx"'],
  } satisfies RowsFor<NginxAppProps>,
  ExposedService: {
    app: [(a) => new ExposedService(chart(a), 'svc', { app: bad('my-nginx') }), 'ExposedService "svc"'],
    name: [(a) => service(chart(a), { name: 'my.svc' }), 'ExposedService "my.svc"'],
    type: [(a) => service(chart(a), { type: bad('Ingress') }), 'ExposedService "my-nginx"'],
    ports: [(a) => service(chart(a), { ports: [{ name: 'HTTPS', port: 443 }] }), 'ExposedService "my-nginx"'],
    nodePorts: [(a) => service(chart(a), { type: ServiceType.NODE_PORT, nodePorts: { metrics: 30000 } }), 'ExposedService "my-nginx"'],
    loadBalancerSourceRanges: [(a) => service(chart(a), { type: ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['10.0.0.0/40'] }),
    'ExposedService "my-nginx"'],
    externalTrafficPolicy: [(a) => service(chart(a), { type: ServiceType.NODE_PORT, externalTrafficPolicy: bad('local') }),
    'ExposedService "my-nginx"'],
    annotations: [(a) => service(chart(a), { annotations: { 'example.com/a/b': 'x' } }), 'ExposedService "my-nginx"'],
  } satisfies RowsFor<ExposedServiceProps>,
  TlsSecret: {
    name: [(a) => TlsSecret.fromExisting(chart(a), 'tls', { name: 'Bad_Name' }), 'TlsSecret "Bad_Name"'],
    certificatePem: [(a) => TlsSecret.fromPem(chart(a), 'tls', { certificatePem: 'not pem', privateKeyPem: 'not pem' }),
    'TlsSecret "nginxsecret"'],
    privateKeyPem: [(a) => TlsSecret.fromPem(chart(a), 'tls', { certificatePem: PEM.certificatePem, privateKeyPem: 'not pem' }),
    'TlsSecret "nginxsecret"'],
    certificateFile: [(a) => TlsSecret.fromFiles(chart(a), 'tls', { certificateFile: '/nonexistent/tls.crt', privateKeyFile: '/nonexistent/tls.key' }),
    'TlsSecret "nginxsecret"'],
    privateKeyFile: [(a) => TlsSecret.fromExisting(chart(a), 'tls', { certificatePem: PEM.certificatePem, privateKeyFile: '/nonexistent/tls.key' }),
    'TlsSecret "nginxsecret"'],
    layout: [(a) => TlsSecret.fromExisting(chart(a), 'tls', { layout: bad('pem') }), 'TlsSecret "nginxsecret"'],
    checkServiceNames: [(a) => TlsSecret.fromExisting(chart(a), 'tls', { checkServiceNames: bad('no') }), 'TlsSecret "nginxsecret"'],
    validAt: [(a) => TlsSecret.fromPem(chart(a), 'tls', { ...PEM, validAt: bad('tomorrow') }), 'TlsSecret "nginxsecret"'],
    renewHint: [(a) => TlsSecret.fromPem(chart(a), 'tls', { ...PEM, renewHint: bad(5) }), 'TlsSecret "nginxsecret"'],
    optOutHint: [(a) => TlsSecret.fromPem(chart(a), 'tls', { ...PEM, optOutHint: bad(['x']) }), 'TlsSecret "nginxsecret"'],
  } satisfies RowsFor<TlsSecretPemProps & TlsSecretFileProps & ExistingTlsSecretProps>,
  CurlProbe: {
    service: [(a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: bad(httpsApp(c)) }); }, 'CurlProbe "curl-deployment"'],
    name: [(a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c), name: 'x'.repeat(60) }).addCheck(); },
    `CurlProbe "${'x'.repeat(60)}"`],
    imageSet: [(a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c), imageSet: bad('latest') }); }, 'CurlProbe "curl-deployment"'],
    image: [(a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c), image: 'Curl:8' }); }, 'CurlProbe "curl-deployment"'],
    hardening: [(a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c), hardening: bad(1) }); }, 'CurlProbe "curl-deployment"'],
  } satisfies RowsFor<CurlProbeProps>,
  CurlCheck: {
    name: [(a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c) }).addCheck({ name: 'Check!' }); }, 'CurlProbe "curl-deployment"'],
    backoffLimit: [(a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c) }).addCheck({ backoffLimit: -1 }); },
    'CurlProbe "curl-deployment"'],
    ttlAfterFinished: [(a) => { const c = chart(a); new CurlProbe(c, 'curl', { service: service(c) }).addCheck({ ttlAfterFinished: bad(1.5) }); },
    'CurlProbe "curl-deployment"'],
  } satisfies RowsFor<CurlCheckProps>,
  NginxConfig: {
    name: [(a) => new NginxConfig(chart(a), 'conf', { name: 'Conf!' }), 'NginxConfig "Conf!"'],
    tls: [(a) => new NginxConfig(chart(a), 'conf', { tls: bad('nginxsecret') }), 'NginxConfig "nginxconfigmap"'],
    defaultConf: [(a) => new NginxConfig(chart(a), 'conf', { defaultConf: ' ' }), 'NginxConfig "nginxconfigmap"'],
    listenPorts: [(a) => new NginxConfig(chart(a), 'conf', { listenPorts: { http: 8443, https: 8443 } }), 'NginxConfig "nginxconfigmap"'],
    certificateLoading: [(a) => new NginxConfig(chart(a), 'conf', { certificateLoading: bad('reload') }), 'NginxConfig "nginxconfigmap"'],
    stubStatus: [(a) => new NginxConfig(chart(a), 'conf', { stubStatus: true, defaultConf: 'server { listen 80; }\n' }), 'NginxConfig "nginxconfigmap"'],
  } satisfies RowsFor<NginxConfigProps>,
  NetworkPolicies: {
    service: [(a) => new NetworkPolicies(chart(a), 'net', { service: bad('my-nginx') }), 'NetworkPolicies "net"'],
    clients: [(a) => {
    const c = chart(a);
    new NetworkPolicies(c, 'net', { service: service(c), clients: [bad('curl-deployment')] });
  }, 'NetworkPolicies "net"'],
    scraper: [(a) => {
      const c = chart(a);
      new NetworkPolicies(c, 'net', { service: new ExposedService(c, 'svc', { app: httpsApp(c, { metrics: true }) }), scraper: { namespace: 'Monitoring!' } });
    }, 'NetworkPolicies "net"', 'scraper.namespace'],
  } satisfies RowsFor<NetworkPoliciesProps>,
  Chart: {
    namespace: [(a) => httpsApp(chart(a, 'My_NS')), 'Chart "c"'],
    labels: [(a) => httpsApp(new Chart(a, 'c', { labels: { team: 'a b' } })), 'Chart "c"'],
  } satisfies RowsFor<Pick<ChartProps, 'namespace' | 'labels'>>,
  SecureNginxChart: {
    tls: [(a) => new SecureNginxChart(a, 'final', { tls: bad({ from: 'pem', certificatePem: 'x' }) }), 'TlsSecret "nginxsecret"', 'certificatePem'],
    serviceType: [(a) => new SecureNginxChart(a, 'final', { serviceType: bad('Ingress') }), 'SecureNginxChart "final"'],
    replicas: [(a) => new SecureNginxChart(a, 'final', { replicas: bad('2') }), 'SecureNginxChart "final"'],
    imageSet: [(a) => new SecureNginxChart(a, 'final', { imageSet: bad('latest') }), 'SecureNginxChart "final"'],
    nginxImage: [(a) => new SecureNginxChart(a, 'final', { nginxImage: 'Nginx' }), 'SecureNginxChart "final"'],
    curlImage: [(a) => new SecureNginxChart(a, 'final', { curlImage: 'curl:' }), 'SecureNginxChart "final"'],
    nodePorts: [(a) => new SecureNginxChart(a, 'final', { nodePorts: { https: 1 } }), 'SecureNginxChart "final"'],
    serviceAnnotations: [(a) => new SecureNginxChart(a, 'final', { serviceAnnotations: { 'a b': 'c' } }), 'SecureNginxChart "final"'],
    enableServiceLinks: [(a) => new SecureNginxChart(a, 'final', { enableServiceLinks: bad('no') }), 'SecureNginxChart "final"'],
    hardening: [(a) => new SecureNginxChart(a, 'final', { hardening: true, imageSet: ImageSet.GUIDE }), 'NginxApp "my-nginx"'],
    networkPolicies: [(a) => new SecureNginxChart(a, 'final', { networkPolicies: bad('yes') }), 'SecureNginxChart "final"'],
    check: [(a) => new SecureNginxChart(a, 'final', { check: bad('no') }), 'SecureNginxChart "final"'],
    autoscaling: [(a) => new SecureNginxChart(a, 'final', { autoscaling: bad('yes') }), 'SecureNginxChart "final"'],
    minReplicas: [(a) => new SecureNginxChart(a, 'final', { autoscaling: true, hardening: true, minReplicas: 0 }), 'SecureNginxChart "final"'],
    maxReplicas: [(a) => new SecureNginxChart(a, 'final', { autoscaling: true, hardening: true, maxReplicas: 1 }), 'SecureNginxChart "final"', 'minReplicas'],
    cpuUtilization: [(a) => new SecureNginxChart(a, 'final', { autoscaling: true, hardening: true, cpuUtilization: 0 }), 'SecureNginxChart "final"'],
    scaleDownStabilization: [(a) => new SecureNginxChart(a, 'final', { autoscaling: true, hardening: true, scaleDownStabilization: Duration.hours(2) }),
      'SecureNginxChart "final"'],
    metrics: [(a) => new SecureNginxChart(a, 'final', { metrics: bad(1) }), 'SecureNginxChart "final"'],
    exporterImage: [(a) => new SecureNginxChart(a, 'final', { exporterImage: 'exporter:1' }), 'SecureNginxChart "final"'],
    podMonitor: [(a) => new SecureNginxChart(a, 'final', { podMonitor: true }), 'SecureNginxChart "final"'],
    scraperNamespace: [(a) => new SecureNginxChart(a, 'final', { metrics: true, scraperNamespace: 'Monitoring' }), 'SecureNginxChart "final"'],
    namespace: [(a) => new SecureNginxChart(a, 'final', { namespace: 'Shop' }), 'Chart "final"'],
    labels: [(a) => new SecureNginxChart(a, 'final', { labels: { '-team': 'a' } }), 'Chart "final"'],
    // disableResourceNameHashes is left out: every object here is named explicitly, so it changes no output.
  } satisfies RowsFor<Omit<SecureNginxChartProps, 'disableResourceNameHashes'>>,
  GuideCharts: {
    tls: [(a) => addGuideCharts(a, { tls: bad({ from: 'files', certificateFile: '/nonexistent' }) }), 'TlsSecret "nginxsecret"', 'certificateFile'],
    imageSet: [(a) => addGuideCharts(a, { imageSet: bad('latest') }), 'addGuideCharts'],
    nginxImage: [(a) => addGuideCharts(a, { nginxImage: 'nginx latest' }), 'addGuideCharts'],
    curlImage: [(a) => addGuideCharts(a, { curlImage: 'curl@md5:00' }), 'addGuideCharts'],
    namespace: [(a) => addGuideCharts(a, { namespace: 'Shop' }), 'addGuideCharts'],
    serviceType: [(a) => addGuideCharts(a, { serviceType: bad('Ingress') }), 'addGuideCharts'],
    replicas: [(a) => addGuideCharts(a, { replicas: -2 }), 'addGuideCharts'],
    nodePorts: [(a) => addGuideCharts(a, { nodePorts: { admin: 30000 } }), 'addGuideCharts'],
    serviceAnnotations: [(a) => addGuideCharts(a, { serviceAnnotations: { 'a/b/c': 'x' } }), 'addGuideCharts'],
    enableServiceLinks: [(a) => addGuideCharts(a, { enableServiceLinks: bad(1) }), 'addGuideCharts'],
    hardening: [(a) => addGuideCharts(a, { hardening: true, imageSet: ImageSet.GUIDE }), 'NginxApp "my-nginx"'],
    networkPolicies: [(a) => addGuideCharts(a, { networkPolicies: bad('on') }), 'addGuideCharts'],
    check: [(a) => addGuideCharts(a, { check: bad('no') }), 'addGuideCharts'],
    autoscaling: [(a) => addGuideCharts(a, { autoscaling: true, replicas: 3 }), 'addGuideCharts', 'replicas'],
    minReplicas: [(a) => addGuideCharts(a, { minReplicas: 3 }), 'addGuideCharts'],
    maxReplicas: [(a) => addGuideCharts(a, { maxReplicas: 3 }), 'addGuideCharts'],
    cpuUtilization: [(a) => addGuideCharts(a, { cpuUtilization: 50 }), 'addGuideCharts'],
    scaleDownStabilization: [(a) => addGuideCharts(a, { scaleDownStabilization: Duration.seconds(60) }), 'addGuideCharts'],
    metrics: [(a) => addGuideCharts(a, { metrics: bad('on') }), 'addGuideCharts'],
    exporterImage: [(a) => addGuideCharts(a, { metrics: true, exporterImage: 'exporter image' }), 'addGuideCharts'],
    podMonitor: [(a) => addGuideCharts(a, { podMonitor: bad('yes') }), 'addGuideCharts'],
    scraperNamespace: [(a) => addGuideCharts(a, { scraperNamespace: 'prometheus' }), 'addGuideCharts'],
    finalStateApp: [(a) => addGuideCharts(a, { finalStateApp: bad('dist') }), 'addGuideCharts'],
  } satisfies RowsFor<GuideChartsProps>,
};

const CASES: Case[] = Object.entries(ROWS).flatMap(([construct, rows]) =>
  Object.entries(rows as Record<string, Row>).map(([prop, row]): Case => [construct, prop, ...row]));

let PEM: { certificatePem: string; privateKeyPem: string };
beforeAll(async () => {
  PEM = await testCertificate();
});

test.each(CASES)('%s %s: a bad value is refused, naming the construct and the prop', (_construct, prop, build, owner, named = prop) => {
  const { message } = refusal(build);
  expect(message.slice(0, owner.length + 2)).toBe(`${owner}: `);
  expect(message.slice(owner.length + 2)).toMatch(new RegExp(`^${named}\\b|[ (]${named}\\b`));
});

test('a construct refuses a bad prop when it is built, the output check what changed after it: a patch, an object of the user\'s own', () => {
  expect(CASES.filter(([, , build]) => refusal(build).by === 'output check').map(([c, p]) => `${c} ${p}`)).toEqual([]);
  const patched = refusal((a) => {
    const app = httpsApp(chart(a));
    app.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/ports/0/containerPort', 70000));
  });
  expect(patched).toEqual({ by: 'output check', message: 'NginxApp "my-nginx": tls 70000 is outside 1-65535: use a whole port number such as 80 or 443' });
  const raw = refusal((a) => {
    const c = chart(a);
    httpsApp(c); // the library's constructs add the output check to the App
    new ApiObject(c, 'raw', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'raw' }, spec: { selector: { matchLabels: { app: 'raw' } },
      template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] } } } });
  });
  expect(raw).toEqual({ by: 'output check', message: 'Deployment "raw" at c/raw: spec.template.spec.containers[0].resources.requests.cpu "2" is more '
    + 'than the limit "1", which the API server refuses: request at most the limit' });
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
    'ExposedService "my-nginx": nodePorts.https 30443 is also the node port of ExposedService "my-nginx" in chart "a", and a node port is one port '
      + 'on every node: give each Service its own node port, or leave it unset to let Kubernetes choose',
  ]);
});

test('the rows cover every construct of the public API', () => {
  expect(Object.keys(ROWS).sort()).toEqual(['Chart', 'CurlCheck', 'CurlProbe', 'ExposedService', 'GuideCharts', 'NetworkPolicies',
    'NginxApp', 'NginxConfig', 'SecureNginxChart', 'TlsSecret']);
});

test('a node port out of range is worded once: the prop check and the output check (for objects of the user\'s own) say the same', () => {
  const byProp = refusal((a) => service(chart(a), { type: ServiceType.NODE_PORT, nodePorts: { https: 80 } }));
  const byOutput = refusal((a) => {
    const c = chart(a);
    httpsApp(c); // the library's constructs add the output check to the App
    new ApiObject(c, 'raw', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'raw' },
      spec: { type: 'NodePort', ports: [{ port: 443, nodePort: 80 }] } });
  });
  expect(byProp.by).toBe('construct');
  expect(byOutput.by).toBe('output check');
  const rule = 'is outside 30000-32767: pick a free port in the cluster\'s node-port range, or leave it unset to let Kubernetes choose';
  expect(byProp.message).toBe(`ExposedService "my-nginx": nodePorts.https 80 ${rule}`);
  expect(byOutput.message).toBe(`Service "raw" at c/raw: spec.ports[0].nodePort 80 ${rule}`);
});
