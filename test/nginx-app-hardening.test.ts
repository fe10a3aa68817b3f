// The production preset is the default of each of its parts, and each part is a prop of its own: a user can take the
// preset and override one part, or take one part without the preset. Compared object against object, so a part that
// leaks into another (or a part that does nothing) shows up as an unexpected or missing path.
import { Chart, Duration, Size, Testing } from 'cdk8s';
import { NginxApp, NginxAppProps } from '../lib/nginx-app';
import { RolloutStrategy } from '../lib/rollout';
import { TlsSecret } from '../lib/tls-secret';
import { GuideConfigError } from '../lib/validation';
import { Manifest, synth } from './support/helpers';
import { podsOf, restrictedViolations } from './support/pod-security';

const DEPLOYMENT = 'Deployment/my-nginx';
const POD = `${DEPLOYMENT}.spec.template.spec`;
const CONTAINER = `${POD}.containers[]`;

/** The objects of one https app (2 replicas unless said otherwise), by `<kind>/<name>`. */
function appObjects(props: NginxAppProps): Record<string, Manifest> {
  const chart = new Chart(Testing.app(), 'c');
  new NginxApp(chart, 'app', { tls: TlsSecret.fromExisting(chart, 'tls'), replicas: 2, ...props });
  return Object.fromEntries(synth(chart).map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

/** Every leaf of an object as `path=value`, so two syntheses compare path by path. */
function leaves(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [`${path}=${JSON.stringify(value)}`];
  const entries = Object.entries(value);
  return entries.length === 0 ? [`${path}={}`] : entries.flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

/** The fields that differ between two syntheses: a container's or the pod's field, a Deployment spec field, or an object. */
function changedFields(a: Record<string, Manifest>, b: Record<string, Manifest>): string[] {
  const left = new Set(leaves(a));
  const right = new Set(leaves(b));
  const differing = [...left].filter((l) => !right.has(l)).concat([...right].filter((r) => !left.has(r)));
  return [...new Set(differing.map((leaf) => fieldOf(leaf.split('=')[0].replace(/\.\d+(?=\.|$)/g, '[]'))))].sort();
}

function fieldOf(path: string): string {
  for (const prefix of [CONTAINER, POD, `${DEPLOYMENT}.spec`]) {
    if (path.startsWith(`${prefix}.`)) return `${prefix}.${path.slice(prefix.length + 1).split(/[.[]/)[0]}`;
  }
  return path.split('.')[0];
}


describe('the preset with one part overridden changes that part only', () => {
  const preset = appObjects({ hardening: true });

  test.each<[string, NginxAppProps, string[]]>([
    ['probes: false', { probes: false }, [`${CONTAINER}.livenessProbe`, `${CONTAINER}.readinessProbe`]],
    ['strategy: Recreate', { strategy: RolloutStrategy.recreate() }, [`${DEPLOYMENT}.spec.strategy`]],
    ['preStopSleep: 0 s', { preStopSleep: Duration.seconds(0) }, [`${CONTAINER}.lifecycle`]],
    ['terminationGracePeriod: 60 s', { terminationGracePeriod: Duration.seconds(60) }, [`${POD}.terminationGracePeriodSeconds`]],
    ['disruptionBudget: false', { disruptionBudget: false }, ['PodDisruptionBudget/my-nginx']],
    ['spread: false', { spread: false }, [`${POD}.topologySpreadConstraints`]],
    ['resources: a memory limit only', { resources: { memory: { limit: Size.gibibytes(1) } } }, [`${CONTAINER}.resources`]],
  ])('%s', (_, override, expected) => {
    expect(changedFields(preset, appObjects({ hardening: true, ...override }))).toEqual(expected);
  });

  test('restricted: false gives root nginx on the guide\'s ports, and keeps rollouts, probes and drains', () => {
    const root = appObjects({ hardening: true, restricted: false });
    const nginx = root[DEPLOYMENT].spec.template.spec;
    expect(nginx.containers[0].ports).toEqual([{ containerPort: 443 }, { containerPort: 80 }]);
    expect(nginx.containers[0].securityContext).toBeUndefined();
    expect(nginx.securityContext).toBeUndefined();
    expect(nginx.volumes.map((v: Manifest) => v.name)).toEqual(['secret-volume', 'configmap-volume']);
    expect(nginx.containers[0].readinessProbe.httpGet).toEqual({ path: '/', port: 443, scheme: 'HTTPS' });
    expect(root['ConfigMap/my-nginx-conf'].data['default.conf']).toContain('listen 443 ssl;');
    expect(root[DEPLOYMENT].spec.strategy).toEqual(preset[DEPLOYMENT].spec.strategy);
    expect(root['PodDisruptionBudget/my-nginx']).toEqual(preset['PodDisruptionBudget/my-nginx']);
  });
});

describe('one part taken without the preset adds that part only', () => {
  const guide = appObjects({});

  test.each<[string, NginxAppProps, string[]]>([
    ['probes', { probes: true }, [`${CONTAINER}.livenessProbe`, `${CONTAINER}.readinessProbe`]],
    ['disruptionBudget', { disruptionBudget: true }, ['PodDisruptionBudget/my-nginx']],
    ['spread', { spread: true }, [`${POD}.topologySpreadConstraints`]],
    ['preStopSleep', { preStopSleep: Duration.seconds(5) }, [`${CONTAINER}.lifecycle`]],
  ])('%s', (_, part, expected) => {
    expect(changedFields(guide, appObjects(part))).toEqual(expected);
  });

  test('restricted alone gives pods that Pod Security "restricted" admits, which the guide\'s are not', () => {
    const violations = (objects: Record<string, Manifest>) => podsOf(Object.values(objects)).flatMap(([, pod]) => restrictedViolations(pod));
    expect(violations(guide)).not.toEqual([]);
    expect(violations(appObjects({ restricted: true }))).toEqual([]);
  });

  test('with one replica the preset has no budget and no spread, and asking for them is refused: they would do nothing', () => {
    const single = appObjects({ hardening: true, replicas: 1 });
    expect(single['PodDisruptionBudget/my-nginx']).toBeUndefined();
    expect(single[DEPLOYMENT].spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(() => appObjects({ hardening: true, replicas: 1, disruptionBudget: true })).toThrow('NginxApp "my-nginx": disruptionBudget is on with '
      + 'replicas 1, where it lets a drain evict every pod it has (maxUnavailable 1), so it protects nothing: give the app 2 or more replicas, or leave disruptionBudget off');
    expect(() => appObjects({ replicas: 1, spread: true })).toThrow('NginxApp "my-nginx": spread is on with replicas 1, where it has no other '
      + 'replica to spread from');
  });
});

describe('the parts refuse what would break the rollout they exist for', () => {
  const refusal = (props: NginxAppProps) => {
    try {
      appObjects(props);
    } catch (e) {
      if (e instanceof GuideConfigError) return e.message;
      throw e;
    }
    return 'accepted';
  };

  test('a preStop sleep as long as the grace period, given or Kubernetes\' default', () => {
    expect(refusal({ hardening: true, terminationGracePeriod: Duration.seconds(10) })).toBe('NginxApp "my-nginx": preStopSleep 10 s is not shorter '
      + 'than terminationGracePeriod 10 s: nginx would be killed before its graceful stop; make terminationGracePeriod longer, e.g. Duration.seconds(30)');
    expect(refusal({ preStopSleep: Duration.seconds(30) })).toMatch(/terminationGracePeriod 30 s \(Kubernetes' default\)/);
  });

  test('restricted, asked for by name, is the prop the messages name', () => {
    expect(refusal({ restricted: true, image: 'bprashanth/nginxhttps:1.0' })).toMatch(/^NginxApp "my-nginx": restricted cannot work with image .* or turn restricted off$/);
  });

  test('the Kubernetes shapes of a strategy and of resources, which take any text, are refused for the typed values', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const untyped = (value: unknown): any => value;
    expect(refusal({ strategy: untyped({ type: 'Recreate', rollingUpdate: {} }) })).toBe('NginxApp "my-nginx": strategy {"type":"Recreate","rollingUpdate":{}} '
      + 'is not a RolloutStrategy: pass the RolloutStrategy object, e.g. strategy: RolloutStrategy.rollingUpdate({ maxSurge: PercentOrAbsolute.absolute(1) })');
    expect(refusal({ resources: untyped({ requests: { cpu: '50m' } }) })).toBe('NginxApp "my-nginx": resources.requests is not cpu, memory or '
      + 'ephemeralStorage (this is the Kubernetes shape, which takes any text): pass e.g. { cpu: { request: Cpu.millis(50), limit: Cpu.millis(500) }, '
      + 'memory: { limit: Size.mebibytes(128) } }');
  });
});
