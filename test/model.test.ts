// The classes of mistakes a new user makes, each refused by one mechanism at its owner with the construct, the prop,
// the value and the fix: values the API server refuses, options that do nothing or defeat each other, a Service that
// does not carry what its pods serve, wiring that leaves the check or the app unreachable, and cdk8s-plus names or
// repeated calls. Several cases per class, so a fix is a class, not a list.
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CurlProbe } from '../lib/curl-probe';
import { ExposedService } from '../lib/exposed-service';
import { ImageSet } from '../lib/images';
import { NetworkPolicies } from '../lib/network-policies';
import { NginxApp, NginxAppProps } from '../lib/nginx-app';
import { NginxConfig } from '../lib/nginx-config';
import { validationProblems } from '../lib/output-check';
import { Cpu } from '../lib/resources';
import { PercentOrAbsolute, RolloutStrategy } from '../lib/rollout';
import { Protocol, ServiceType } from '../lib/service-type';
import { TlsSecret } from '../lib/tls-secret';
import { GuideConfigError } from '../lib/validation';
import { Manifest, synth } from './support/helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (value: unknown): any => value;

/** The message a build throws (a GuideConfigError), or what the App's synth refuses; 'accepted' when neither does. */
function refusal(build: (chart: Chart) => unknown): string {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'shop' });
  try {
    build(chart);
    app.synth();
  } catch (e) {
    if (e instanceof GuideConfigError) return e.message;
    const problems = validationProblems(e);
    if (problems) return problems.join('\n');
    throw e;
  }
  return 'accepted';
}

const tls = (c: Chart) => TlsSecret.fromExisting(c, 'tls');
const httpsApp = (c: Chart, props: NginxAppProps = {}) => new NginxApp(c, 'app', { tls: tls(c), ...props });

describe('values the API server refuses cannot be written: they fail where they are written', () => {
  test.each<[string, () => unknown, string]>([
    ['a fraction of a millicore', () => Cpu.millis(0.5),
      'Cpu.millis(0.5): 0.5 millicores is not a whole number of at least 1: the API server keeps CPU in whole millicores; use e.g. Cpu.millis(50) or Cpu.units(0.5)'],
    ['no CPU at all', () => Cpu.units(0), 'Cpu.units(0): 0 millicores is not a whole number of at least 1: the API server keeps CPU in whole millicores; '
      + 'use e.g. Cpu.millis(50) or Cpu.units(0.5)'],
    ['a percentage over 100', () => PercentOrAbsolute.percent(150),
      'PercentOrAbsolute.percent(150): 150 is not a whole percentage of 0 to 100: use e.g. PercentOrAbsolute.percent(25)'],
    ['a negative number of pods', () => PercentOrAbsolute.absolute(-1),
      'PercentOrAbsolute.absolute(-1): -1 is not a whole number of at least 0: use e.g. PercentOrAbsolute.absolute(1)'],
    ['a rolling update that can neither add nor remove a pod', () => RolloutStrategy.rollingUpdate({
      maxSurge: PercentOrAbsolute.percent(0), maxUnavailable: PercentOrAbsolute.absolute(0) }),
    'RolloutStrategy.rollingUpdate: maxSurge PercentOrAbsolute.percent(0) and maxUnavailable PercentOrAbsolute.absolute(0) are both 0, which the API '
      + 'server refuses: the rollout could neither add a new pod nor remove an old one; allow one, e.g. maxSurge PercentOrAbsolute.absolute(1)'],
  ])('%s', (_, write, message) => {
    expect(() => write()).toThrow(new GuideConfigError(message));
  });

  test.each<[string, NginxAppProps['resources'], string]>([
    ['a CPU request above its limit', { cpu: { request: Cpu.units(1), limit: Cpu.millis(500) } },
      'resources.cpu.request 1 is more than resources.cpu.limit 500m, which the API server refuses: request at most the limit'],
    ['a memory request above its limit', { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(128) } },
      'resources.memory.request 1Gi is more than resources.memory.limit 128Mi, which the API server refuses: request at most the limit'],
    ['an ephemeral storage request above its limit', { ephemeralStorage: { request: Size.mebibytes(300), limit: Size.mebibytes(256) } },
      'resources.ephemeralStorage.request 300Mi is more than resources.ephemeralStorage.limit 256Mi, which the API server refuses: request at most the limit'],
    ['a memory amount of a fraction of a byte', { memory: { limit: Size.kibibytes(0.3) } },
      'resources.memory.limit "0.3Ki" is not a whole number of bytes: use e.g. Size.mebibytes(64)'],
    ['a memory limit of nothing', { memory: { limit: Size.mebibytes(0) } },
      'resources.memory.limit is 0, which leaves the container no memory at all: set a limit above 0, or none'],
    ['a CPU amount given as the manifest\'s text', untyped({ cpu: { request: '50m' } }), 'resources.cpu.request "50m" is not a Cpu: write Cpu.millis(50)'],
  ])('%s', (_, resources, problem) => {
    expect(refusal((c) => httpsApp(c, { resources }))).toBe(`NginxApp "my-nginx": ${problem}`);
  });

  test('quantities are written as a manifest writes them', () => {
    const chart = Testing.chart();
    httpsApp(chart, { resources: { cpu: { request: Cpu.units(0.25), limit: Cpu.units(2) }, memory: { request: Size.mebibytes(1536) },
      ephemeralStorage: { limit: Size.kibibytes(1) } } });
    const container = synth(chart).find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
    expect(container.resources).toEqual({ requests: { 'cpu': '250m', 'memory': '1536Mi' }, limits: { 'cpu': '2', 'ephemeral-storage': '1Ki' } });
  });
});

describe('an option that has no effect, or defeats another, is refused, naming both', () => {
  test.each<[string, (c: Chart) => unknown, string]>([
    ['a disruption budget over one pod', (c) => httpsApp(c, { disruptionBudget: true }), 'NginxApp "my-nginx": disruptionBudget is on with '
      + 'replicas 1, where it lets a drain evict every pod it has (maxUnavailable 1), so it protects nothing: give the app 2 or more replicas, or leave disruptionBudget off'],
    ['a disruption budget over no pod', (c) => httpsApp(c, { replicas: 0, disruptionBudget: true }), 'NginxApp "my-nginx": disruptionBudget is on '
      + 'with replicas 0, where it has no pod to act on: give the app 2 or more replicas, or leave disruptionBudget off'],
    ['spreading one pod', (c) => httpsApp(c, { spread: true }), 'NginxApp "my-nginx": spread is on with replicas 1, where it has no other replica '
      + 'to spread from: give the app 2 or more replicas, or leave spread off'],
    ['reading the certificate per handshake with an image that reads it from its own config, at start',
      (c) => httpsApp(c, { imageSet: ImageSet.GUIDE, certificateLoading: 'per-handshake' }), 'NginxApp "my-nginx": certificateLoading "per-handshake" '
        + 'cannot work with imageSet\'s image "bprashanth/nginxhttps:1.0", which reads the certificate from a default.conf of its own, at start: use an '
        + 'official nginx image (imageSet ImageSet.PINNED, or image "nginx:1.27.4"), or set certificateLoading "at-start"'],
    ['the preset without its restricted part, with that image', (c) => httpsApp(c, { hardening: true, restricted: false, image: 'bprashanth/nginxhttps:1.0' }),
      'NginxApp "my-nginx": hardening (certificateLoading "per-handshake") cannot work with image "bprashanth/nginxhttps:1.0", which reads the '
        + 'certificate from a default.conf of its own, at start: use an official nginx image (imageSet ImageSet.PINNED, or image "nginx:1.27.4"), or '
        + 'set certificateLoading "at-start"'],
    ['listen ports with a default.conf of one\'s own', (c) => new NginxConfig(c, 'conf', { defaultConf: 'server { listen 80; }\n', listenPorts: { http: 8080, https: 8443 } }),
      'NginxConfig "nginxconfigmap": listenPorts is given with defaultConf, which then decides the ports nginx listens on: leave one of them out'],
    ['a Secret for the file names with a default.conf of one\'s own', (c) => new NginxConfig(c, 'conf', { tls: tls(c), defaultConf: 'server { listen 80; }\n' }),
      'NginxConfig "nginxconfigmap": tls is given with defaultConf, which then decides the names of the certificate files: leave one of them out'],
    ['a preStop sleep the grace period cuts short', (c) => httpsApp(c, { preStopSleep: Duration.seconds(40) }), 'NginxApp "my-nginx": preStopSleep 40 s '
      + 'is not shorter than terminationGracePeriod 30 s (Kubernetes\' default): nginx would be killed before its graceful stop; make terminationGracePeriod '
      + 'longer, e.g. Duration.seconds(60)'],
  ])('%s', (_, build, message) => {
    expect(refusal(build)).toBe(message);
  });

  test.each<[string, string, string]>([
    ['a certificate outside the Secret\'s mount', 'ssl_certificate /etc/nginx/certs/tls.crt;\n  ssl_certificate_key /etc/nginx/ssl/tls.key;',
      'config "own" reads /etc/nginx/certs/tls.crt (ssl_certificate), which no volume of the pod holds (TlsSecret "nginxsecret" is mounted at '
        + '/etc/nginx/ssl (tls.crt, tls.key)), so nginx would not start: read it from /etc/nginx/ssl/'],
    ['a CA file the Secret does not hold', 'ssl_certificate /etc/nginx/ssl/tls.crt;\n  ssl_certificate_key /etc/nginx/ssl/tls.key;\n  '
      + 'ssl_client_certificate /etc/nginx/ssl/ca.crt;', 'config "own" reads ca.crt (ssl_client_certificate) but TlsSecret "nginxsecret" holds tls.crt and '
      + 'tls.key: build the NginxConfig with tls set to that TlsSecret so the file names match'],
    ['a password file of the image\'s own tree', 'ssl_certificate /etc/nginx/ssl/tls.crt;\n  ssl_certificate_key /etc/nginx/ssl/tls.key;\n  '
      + 'auth_basic_user_file /etc/nginx/.htpasswd;', 'config "own" reads /etc/nginx/.htpasswd (auth_basic_user_file), which no volume of the pod holds '
      + '(TlsSecret "nginxsecret" is mounted at /etc/nginx/ssl (tls.crt, tls.key)), so nginx would not start: read it from /etc/nginx/ssl/'],
  ])('a config that reads files the pod does not mount: %s', (_, lines, problem) => {
    const defaultConf = `server {\n  listen 80;\n  listen 443 ssl;\n  ${lines}\n}\n`;
    expect(refusal((c) => httpsApp(c, { config: new NginxConfig(c, 'conf', { name: 'own', defaultConf }) }))).toBe(`NginxApp "my-nginx": ${problem}`);
  });

  test('files under the per-handshake variable are the Secret\'s, and the preset\'s own config passes', () => {
    expect(refusal((c) => httpsApp(c, { hardening: true, replicas: 2 }))).toBe('accepted');
  });
});

describe('a Service carries what its pods serve', () => {
  test.each<[string, (c: Chart) => unknown, string]>([
    ['UDP to nginx, which serves TCP', (c) => new ExposedService(c, 'svc', { app: httpsApp(c), ports: [{ name: 'https', port: 443, protocol: Protocol.UDP }] }),
      'ExposedService "my-nginx": ports[0].protocol "UDP" is not what NginxApp "my-nginx" serves on 443 (TCP): give the port protocol "TCP", or target a '
        + 'port served over UDP'],
    ['TCP to a workload port served over UDP', (c) => new ExposedService(c, 'svc', {
      app: new kplus.Deployment(c, 'dns', { metadata: { name: 'dns' }, containers: [{ image: 'coredns/coredns:1.12.1', ports: [{ number: 5353, protocol: kplus.Protocol.UDP }] }] }),
      ports: [{ port: 53, targetPort: 5353 }] }), 'ExposedService "dns": ports[0].protocol "TCP" is not what Deployment "dns" serves on 5353 (UDP): give '
      + 'the port protocol "UDP", or target a port served over TCP'],
    ['a port nothing serves', (c) => new ExposedService(c, 'svc', { app: httpsApp(c, { hardening: true }), ports: [{ name: 'https', port: 443 }] }),
      'ExposedService "my-nginx": ports[0].targetPort 443 is not a port of NginxApp "my-nginx" (it listens on 8443 and 8080): target one of those'],
  ])('%s', (_, build, message) => {
    expect(refusal(build)).toBe(message);
  });

  test('a workload\'s UDP port gets a UDP Service port by default, with the protocol it serves', () => {
    const chart = Testing.chart();
    const dns = new kplus.Deployment(chart, 'dns', { metadata: { name: 'dns' }, containers: [{ image: 'coredns/coredns:1.12.1', ports: [{ number: 5353, protocol: kplus.Protocol.UDP }] }] });
    new ExposedService(chart, 'svc', { app: dns });
    expect(synth(chart).find((o) => o.kind === 'Service')!.spec.ports).toEqual([{ port: 5353, protocol: 'UDP' }]);
  });
});

describe('wiring that would leave the check or the app unreachable', () => {
  test('a check of an app with no pod could never pass', () => {
    expect(refusal((c) => new CurlProbe(c, 'curl', { service: httpsApp(c, { replicas: 0 }).exposeViaService() }).addCheck()))
      .toBe('CurlProbe "curl-deployment": addCheck() needs pods to answer, but service "my-nginx" fronts NginxApp "my-nginx" with 0 replicas, so the '
        + 'check could never pass: give the app replicas, or leave the check out');
  });

  test('policies that list clients leave out none: a client made later would be cut off by the default deny', () => {
    expect(refusal((c) => {
      const service = httpsApp(c, { hardening: true }).exposeViaService();
      const first = new CurlProbe(c, 'curl', { service, hardening: true });
      new NetworkPolicies(c, 'net', { service, clients: [first] });
      new CurlProbe(c, 'other', { service, name: 'other-client', hardening: true });
    })).toBe('NetworkPolicies "net": clients leaves out CurlProbe "other-client", which calls ExposedService "my-nginx": under the default deny its pods '
      + 'get no egress, so it and its check fail; list it in clients, or leave clients unset to cover every client of the Service');
  });

  test('policies that list no clients cover every client of the Service, whenever it and its check are made', () => {
    const chart = Testing.chart();
    const service = httpsApp(chart, { hardening: true }).exposeViaService();
    new NetworkPolicies(chart, 'net', { service });
    new CurlProbe(chart, 'curl', { service, hardening: true }).addCheck();
    new CurlProbe(chart, 'other', { service, name: 'other-client', hardening: true });
    const egress = synth(chart).filter((o: Manifest) => o.kind === 'NetworkPolicy' && o.spec.egress).map((o: Manifest) => o.metadata.name);
    expect(egress).toEqual(['curl-deployment-egress', 'curl-deployment-check-egress', 'other-client-egress']);
  });

  test('a client of another Service is refused as a client of these policies', () => {
    expect(refusal((c) => {
      const app = httpsApp(c);
      const probe = new CurlProbe(c, 'curl', { service: app.exposeViaService() });
      const admin = app.exposeViaService({ name: 'admin' });
      new NetworkPolicies(c, 'net', { service: admin, clients: [probe] });
    })).toMatch(/^NetworkPolicies "net": clients\[0\] CurlProbe "curl-deployment" is not a client of ExposedService "admin": /);
  });
});

describe('cdk8s-plus names and repeated calls get this library\'s messages', () => {
  test.each<[string, (c: Chart) => unknown, string]>([
    ['exposeViaService with the Service\'s prop name', (c) => httpsApp(c).exposeViaService(untyped({ type: ServiceType.NODE_PORT })),
      'NginxApp "my-nginx" exposeViaService(): type is not a prop of NginxApp: use serviceType'],
    ['a cdk8s-plus Deployment prop on NginxApp', (c) => new NginxApp(c, 'app', untyped({ metadata: { name: 'web' } })),
      'NginxApp "app": metadata is not a prop of NginxApp: use name'],
    ['a cdk8s-plus Service prop on ExposedService', (c) => new ExposedService(c, 'svc', untyped({ selector: httpsApp(c) })),
      'ExposedService "svc": selector is not a prop of ExposedService: use app'],
    ['a misspelt prop', (c) => new NginxApp(c, 'app', untyped({ replica: 3 })), 'NginxApp "app": replica is not a prop of NginxApp: use replicas'],
    ['the same id twice in a chart', (c) => { new NginxApp(c, 'web', { name: 'a' }); new NginxApp(c, 'web', { name: 'b' }); },
      'NginxApp "web": id "web" is already the id of the NginxApp there (in c): give each construct of a scope its own id'],
    ['exposeViaService twice for one name', (c) => { const app = httpsApp(c); app.exposeViaService(); app.exposeViaService(); },
      'NginxApp "my-nginx": exposeViaService() was called again for a Service named "my-nginx", which the first call made (ExposedService "my-nginx"): give '
        + 'the second one a name of its own, e.g. exposeViaService({ name: \'my-nginx-admin\' })'],
    ['addCheck twice', (c) => { const probe = new CurlProbe(c, 'curl', { service: httpsApp(c).exposeViaService() }); probe.addCheck(); probe.addCheck(); },
      'CurlProbe "curl-deployment": addCheck() was called again, but the probe has its check (Job "my-nginx-https-check-'],
  ])('%s', (_, build, message) => {
    expect(refusal(build).startsWith(message)).toBe(true);
  });

  test('exposeViaService takes cdk8s-plus\'s serviceType, and cdk8s-plus\'s own enum value', () => {
    const chart = Testing.chart();
    const service = httpsApp(chart).exposeViaService({ serviceType: kplus.ServiceType.NODE_PORT });
    expect(service.type).toBe('NodePort');
  });
});
