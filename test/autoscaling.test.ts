// NginxApp's autoscaling (lib/autoscaling.ts): a HorizontalPodAutoscaler (autoscaling/v2) on CPU that owns the
// replica count, so no apply of the manifest resets it; its disruption budget holds for every count it may choose;
// and the mistakes of the feature refused where they are written, naming the prop, the value and the fix.
import { Chart, Duration, Size, Testing } from 'cdk8s';
import { AUTOSCALING_DEFAULTS } from '../lib/autoscaling';
import { NginxApp, NginxAppProps } from '../lib/nginx-app';
import { Cpu } from '../lib/resources';
import { TlsSecret } from '../lib/tls-secret';
import { errorOf, Manifest, objectOf, synth, validateSchema } from './support/helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (value: unknown): any => value;

/** The objects of one https app in namespace `shop`. */
function appObjects(props: NginxAppProps): Manifest[] {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  new NginxApp(chart, 'app', { tls: TlsSecret.fromExisting(chart, 'tls'), ...props });
  return synth(chart);
}

const httpsApp = (chart: Chart, props: NginxAppProps) => new NginxApp(chart, 'app', { tls: TlsSecret.fromExisting(chart, 'tls'), ...props });

describe('GIVEN the preset with autoscaling up to 6 pods', () => {
  const objects = appObjects({ hardening: true, autoscaling: { maxReplicas: 6 } });
  const autoscaler = objectOf(objects, 'HorizontalPodAutoscaler', 'my-nginx');

  test('THEN a HorizontalPodAutoscaler of autoscaling/v2 scales the Deployment on CPU, with the documented defaults', () => {
    expect(autoscaler).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'my-nginx', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'my-nginx' },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    });
    expect(AUTOSCALING_DEFAULTS).toEqual({ minReplicas: 2, cpuUtilization: 60, scaleDownStabilization: Duration.minutes(5) });
    expect(() => validateSchema(autoscaler)).not.toThrow();
  });

  test('THEN the Deployment sets no replica count, so kubectl apply and pulumi up leave the autoscaler\'s alone', () => {
    const deployment = objectOf(objects, 'Deployment', 'my-nginx');
    expect(deployment.spec).not.toHaveProperty('replicas');
    // The target's name is the Deployment's own, not retyped.
    expect(autoscaler.spec.scaleTargetRef.name).toBe(deployment.metadata.name);
  });

  test('THEN every container has a CPU request, which the utilization is a share of', () => {
    const containers = objectOf(objects, 'Deployment', 'my-nginx').spec.template.spec.containers;
    for (const c of containers) expect(c.resources.requests.cpu).toMatch(/^\d+m$/);
    expect(containers[0].resources.requests.cpu).toBe('50m');
  });

  test('THEN the disruption budget lets one pod go at a time, whatever the count: maxUnavailable, never a fixed minAvailable', () => {
    const budget = objectOf(objects, 'PodDisruptionBudget', 'my-nginx');
    expect(budget.spec.maxUnavailable).toBe(1);
    expect(budget.spec).not.toHaveProperty('minAvailable');
    // For each count the autoscaler may choose, the eviction API keeps count - 1 pods: at least one always serves.
    for (let count = autoscaler.spec.minReplicas; count <= autoscaler.spec.maxReplicas; count++) {
      expect(count - budget.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('the bounds, target and window given are the ones written', () => {
  test('minReplicas 3, maxReplicas 10, 80% and 30 s', () => {
    const objects = appObjects({ hardening: true, autoscaling: { minReplicas: 3, maxReplicas: 10, cpuUtilization: 80, scaleDownStabilization: Duration.seconds(30) } });
    expect(objectOf(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({
      minReplicas: 3, maxReplicas: 10, behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
      metrics: [{ resource: { target: { averageUtilization: 80 } } }],
    });
  });

  test('a minimum of 1 with a maximum of 2 or more keeps the budget and spreading: they hold once there are two pods', () => {
    const objects = appObjects({ hardening: true, autoscaling: { minReplicas: 1, maxReplicas: 4 } });
    expect(objectOf(objects, 'PodDisruptionBudget', 'my-nginx').spec.maxUnavailable).toBe(1);
    expect(objectOf(objects, 'Deployment', 'my-nginx').spec.template.spec.topologySpreadConstraints).toHaveLength(1);
  });

  test('a maximum of 1 has no budget, and asking for one is refused naming the maximum', () => {
    expect(appObjects({ hardening: true, autoscaling: { minReplicas: 1, maxReplicas: 1 } }).map((o) => o.kind)).not.toContain('PodDisruptionBudget');
    expect(errorOf((c) => httpsApp(c, { hardening: true, disruptionBudget: true, autoscaling: { minReplicas: 1, maxReplicas: 1 } }))).toBe(
      'NginxApp "my-nginx": disruptionBudget is on with autoscaling.maxReplicas 1, where it lets a drain evict every pod it has (maxUnavailable 1), so '
      + 'it protects nothing: give the app 2 or more as its maximum, or leave disruptionBudget off');
  });

  test('a CPU request of the user\'s own (no preset) is enough; the exporter gets one too', () => {
    const objects = appObjects({ resources: { cpu: { request: Cpu.millis(200) } }, metrics: true, autoscaling: { maxReplicas: 3 } });
    const containers = objectOf(objects, 'Deployment', 'my-nginx').spec.template.spec.containers;
    expect(containers.map((c: Manifest) => [c.name, c.resources.requests.cpu])).toEqual([['nginxhttps', '200m'], ['exporter', '10m']]);
  });
});

describe('the mistakes of autoscaling are refused where they are written', () => {
  test.each<[string, NginxAppProps, string]>([
    ['a minimum above the maximum', { hardening: true, autoscaling: { minReplicas: 5, maxReplicas: 3 } },
      'NginxApp "my-nginx": autoscaling.minReplicas 5 is more than autoscaling.maxReplicas 3, which the API server refuses: keep the minimum at most the maximum'],
    ['the default minimum above a maximum of 1', { hardening: true, autoscaling: { maxReplicas: 1 } },
      'NginxApp "my-nginx": autoscaling.minReplicas 2 is more than autoscaling.maxReplicas 1, which the API server refuses: keep the minimum at most the maximum'],
    ['a fixed replica count beside it', { hardening: true, replicas: 3, autoscaling: { maxReplicas: 6 } },
      'NginxApp "my-nginx": replicas 3 is given with autoscaling, which owns the replica count: a count in the manifest would reset the autoscaler\'s '
      + 'on every kubectl apply or pulumi up; leave replicas out (autoscaling.minReplicas is the fewest pods)'],
    ['a target without any resources', { autoscaling: { maxReplicas: 6 } },
      'NginxApp "my-nginx": autoscaling targets 60% of each pod\'s CPU request, but the app has no resources, so no cpu request: the autoscaler could '
      + 'not compute a utilization; give resources.cpu.request (e.g. Cpu.millis(50)), or take hardening\'s resources'],
    ['a target with memory resources only', { resources: { memory: { limit: Size.mebibytes(128) } }, autoscaling: { maxReplicas: 6 } },
      'NginxApp "my-nginx": autoscaling targets 60% of each pod\'s CPU request, but resources has no cpu request: the autoscaler could not compute a '
      + 'utilization; give resources.cpu.request (e.g. Cpu.millis(50)), or take hardening\'s resources'],
    ['a target of 0%', { hardening: true, autoscaling: { maxReplicas: 6, cpuUtilization: 0 } },
      'NginxApp "my-nginx": autoscaling.cpuUtilization 0 is not a whole percentage of at least 1: use e.g. 60'],
    ['a window over an hour', { hardening: true, autoscaling: { maxReplicas: 6, scaleDownStabilization: Duration.hours(2) } },
      'NginxApp "my-nginx": autoscaling.scaleDownStabilization Duration.hours(2) is not a whole number of seconds of 0 to an hour, which the API server refuses: '
      + 'use e.g. Duration.minutes(5)'],
    ['a window of a fraction of a second', { hardening: true, autoscaling: { maxReplicas: 6, scaleDownStabilization: Duration.millis(1500) } },
      'NginxApp "my-nginx": autoscaling.scaleDownStabilization Duration.millis(1500) is not a whole number of seconds of 0 to an hour, which the API server '
      + 'refuses: use e.g. Duration.minutes(5)'],
    ['a window given as seconds, not a Duration', { hardening: true, autoscaling: { maxReplicas: 6, scaleDownStabilization: untyped(300) } },
      'NginxApp "my-nginx": autoscaling.scaleDownStabilization 300 is not a Duration: write e.g. Duration.minutes(5)'],
    ['no maximum', { hardening: true, autoscaling: untyped({ minReplicas: 2 }) },
      'NginxApp "my-nginx": autoscaling.maxReplicas undefined is not a whole number of at least 1: use e.g. 6'],
    ['a misspelt bound', { hardening: true, autoscaling: untyped({ max: 6, maxReplicas: 6 }) },
      'NginxApp "my-nginx": autoscaling.max is not an autoscaling prop: use minReplicas, maxReplicas, cpuUtilization, scaleDownStabilization'],
    ['autoscaling: true', { hardening: true, autoscaling: untyped(true) },
      'NginxApp "my-nginx": autoscaling true is not an object: pass e.g. { minReplicas: 2, maxReplicas: 6 }'],
  ])('%s', (_, props, message) => {
    expect(errorOf((c) => httpsApp(c, props))).toBe(message);
  });
});
