// Under changing load: the production preset with autoscaling and metrics, deployed by a real `pulumi up` on the two
// real nodes, with the metrics pipeline of real parts: the kubelets' resource metrics, metrics-server behind the API
// server's aggregation layer (e2e/node/addons.sh), and kube-controller-manager's own HPA controller. A base load runs
// throughout and a surge comes on top: the Deployment scales out from its minimum, a `pulumi up` of a new image during
// the surge keeps the surge's count, and when the surge ends it scales back in to the minimum, with no request failed
// and the disruption budget held at every count. The exporter's request counter, read by a scraper in the namespace
// the NetworkPolicies admit, agrees with vegeta's count once the kubelet's probes and the reads themselves are taken
// off. A control, the same stack with the replica count put back into its manifest, takes the same surge while the
// preset scales in: its `pulumi up` resets the count its autoscaler chose, the outage the preset avoids.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { ConfigMap, PulumiFn, Stack } from '@pulumi/pulumi/automation';
import { guideProgram } from '../../pulumi/program';
import { startEngine, stackOf, Engine } from '../e2e/engine';
import { eventually, getJson, kubeconfigPath, kubectl, ok } from '../e2e/kubectl';
import { formatLoad, fromChange, Load, LoadReport, nginxPods, RATE, serviceAnswers, serviceLoads, settled } from './load';
import { assertInsideNode, clusterNodes, CURL_IMAGE, newKeys, NGINX_IMAGE } from './node';

const MIN = 2;
const MAX = 6;
/** How long the load must stay low before the autoscaler removes pods: short, so the scale-in is seen within a minute. */
const SCALE_DOWN_SECONDS = 20;
/** The surge's rate: new https connections (each a TLS handshake, what costs nginx CPU) on top of the base load. */
const SURGE_RATE = 40;
/** The base load, each mode: what the app serves when there is no surge, well below the target. */
const BASE_RATE = 10;
const EXPORTER_IMAGE = 'guide.local/nginx-prometheus-exporter:1.4.0';
const SCRAPER_NAMESPACE = 'monitoring';

const ns = 'guide-autoscale';
const controlNs = 'guide-autoscale-control';
const outsiderNs = 'guide-autoscale-outsider';

/** The stack config of the preset with autoscaling and metrics, in `namespace`, on these nodes with these images. */
function scaledConfig(namespace: string, keys: string): ConfigMap {
  const plain = (value: string) => ({ value, secret: false });
  return {
    'guide-as-code:kubeconfig': { value: readFileSync(kubeconfigPath(), 'utf8'), secret: true },
    'guide-as-code:context': plain('guide-node'),
    'guide-as-code:namespace': plain(namespace),
    'guide-as-code:hardening': plain('true'),
    'guide-as-code:autoscaling': plain('true'),
    'guide-as-code:minReplicas': plain(String(MIN)),
    'guide-as-code:maxReplicas': plain(String(MAX)),
    'guide-as-code:scaleDownStabilizationSeconds': plain(String(SCALE_DOWN_SECONDS)),
    'guide-as-code:metrics': plain('true'),
    'guide-as-code:exporterImage': plain(EXPORTER_IMAGE),
    'guide-as-code:nginxImage': plain(NGINX_IMAGE),
    'guide-as-code:curlImage': plain(CURL_IMAGE),
    'guide-as-code:certificateSource': plain('config'),
    'guide-as-code:certificatePem': plain(readFileSync(join(keys, 'tls.crt'), 'utf8')),
    'guide-as-code:privateKeyPem': { value: readFileSync(join(keys, 'tls.key'), 'utf8'), secret: true },
  };
}

/**
 * The control's program: the same program and config, with the replica count put back into the nginx Deployment, as
 * a manifest that was not made for an autoscaler has it.
 */
const withFixedReplicas = (replicas: number): PulumiFn => async () => {
  pulumi.runtime.registerStackTransformation((args) => (args.type === 'kubernetes:apps/v1:Deployment' && args.name.endsWith('-my-nginx')
    ? { props: { ...args.props, spec: { ...args.props.spec, replicas } }, opts: args.opts } : undefined));
  return guideProgram();
};

interface Sample { at: number; replicas: number; ready: number; budget?: { expected: number; desired: number; healthy: number } }

/**
 * Records the Deployment's replica count and ready pods, and its disruption budget's status, at every change: two
 * `kubectl get --watch` streams, not a poll, since a count an apply set and the autoscaler undid seconds later would
 * fall between polls.
 */
class Watch {
  readonly samples: Sample[] = [];
  private deployment?: { replicas: number; ready: number };
  private budget?: Sample['budget'];
  private readonly streams: ChildProcess[] = [];
  private stopped = false;

  constructor(readonly namespace: string) {
    this.follow('deployment/my-nginx', '{.spec.replicas} {.status.readyReplicas}', ([replicas, ready]) => {
      this.deployment = { replicas: Number(replicas), ready: Number(ready || 0) };
    });
    this.follow('poddisruptionbudget/my-nginx', '{.status.expectedPods} {.status.desiredHealthy} {.status.currentHealthy}',
      ([expected, desired, healthy]) => {
        this.budget = expected ? { expected: Number(expected), desired: Number(desired), healthy: Number(healthy) } : undefined;
      });
  }

  /** The state now (as the last event left it): once the first events came. */
  async latest(): Promise<Sample> {
    return eventually(`the first state of ${this.namespace}'s Deployment`, () => this.samples[this.samples.length - 1]);
  }

  /** The samples from `from` on (ms since the epoch). */
  since(from: number): Sample[] { return this.samples.filter((s) => s.at >= from); }

  stop(): void {
    this.stopped = true;
    for (const stream of this.streams) stream.kill();
  }

  /**
   * Each event of `resource`: its fields of `template`, space-separated, to `update`. A stream that ends is restarted
   * after a second, so a kubectl that cannot watch (the API server busy or gone) is retried, not respawned in a loop
   * that takes the CPU the measurement needs.
   */
  private follow(resource: string, template: string, update: (fields: string[]) => void): void {
    if (this.stopped) return;
    const stream = spawn('kubectl', ['-n', this.namespace, 'get', resource, '--watch', '-o', `jsonpath=${template}{"\\n"}`],
      { env: { ...process.env, KUBECONFIG: kubeconfigPath() }, stdio: ['ignore', 'pipe', 'ignore'] });
    this.streams.push(stream);
    createInterface({ input: stream.stdout }).on('line', (line) => {
      update(line.split(' '));
      if (this.deployment) this.samples.push({ at: Date.now(), ...this.deployment, budget: this.budget });
    });
    stream.on('exit', () => { setTimeout(() => this.follow(resource, template, update), 1000).unref(); });
  }
}

/**
 * Waits until the Deployment has `check`ed replicas, every one ready and none terminating: when that was. On a
 * timeout, what the autoscaler saw and said comes with the error.
 */
async function replicasReach(watch: Watch, what: string, check: (replicas: number) => boolean, timeoutMs: number): Promise<number> {
  try {
    return await eventually(what, () => {
      const s = watch.samples[watch.samples.length - 1];
      if (!s) return undefined;
      const pods = nginxPods(watch.namespace);
      return check(s.replicas) && s.ready === s.replicas && pods.length === s.replicas && pods.every((p) => !p.metadata.deletionTimestamp)
        ? s.at : undefined;
    }, timeoutMs);
  } catch (e) {
    const seen = [...new Set(watch.samples.map((s) => `${s.replicas}/${s.ready}`))].join(' ');
    throw new Error(`${(e as Error).message}\nreplicas/ready seen: ${seen}\n${kubectl(['-n', watch.namespace, 'describe', 'hpa', 'my-nginx']).stdout}`
      + `${kubectl(['-n', watch.namespace, 'top', 'pods', '--containers']).stdout}`);
  }
}

/** curl of `url` with `options`, run in `pod` of `namespace`: kubectl's result. */
const curlFrom = (namespace: string, pod: string, url: string, ...options: string[]) =>
  kubectl(['-n', namespace, 'exec', pod, '--', 'curl', '--silent', ...options, url]);

/** The exporter's metrics of the nginx pod at `podIp`, as the scraper reads them: kubectl's result. */
const scrape = (podIp: string) => curlFrom(SCRAPER_NAMESPACE, 'scraper', `http://${podIp}:9113/metrics`, '--fail', '--max-time', '5');

/** The exporter's `nginx_http_requests_total` of each nginx pod, read from the scraper's pod: by pod name. */
function requestCounters(namespace: string): Map<string, number> {
  return new Map(nginxPods(namespace).map((p) => {
    const read = scrape(p.status.podIP);
    if (read.status !== 0) throw new Error(`the scraper could not read the exporter of ${p.metadata.name}: ${read.stderr}`);
    const text = read.stdout;
    const total = /^nginx_http_requests_total (\d+)$/m.exec(text);
    if (!total) throw new Error(`no nginx_http_requests_total in the exporter's answer of ${p.metadata.name}:\n${text}`);
    return [p.metadata.name as string, Number(total[1])];
  }));
}

/** The kubelet's probes each nginx pod has logged so far (its access log; the stub_status server logs nothing): by pod. */
function probesLogged(namespace: string): Map<string, number> {
  return new Map(nginxPods(namespace).map((p) => [p.metadata.name as string,
    ok(['-n', namespace, 'logs', p.metadata.name, '-c', p.spec.containers[0].name]).split('\n').filter((l) => l.includes('kube-probe/')).length]));
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** One app of the suite: its stack, namespace, certificate and Service address. */
interface Deployed { readonly stack: Stack; readonly namespace: string; readonly keys: string; readonly clusterIp: string }

let engine: Engine;
let preset: Deployed;
let control: Deployed;

/** The stack of `namespace` (with `program`, the control's), up and settled at the minimum. */
async function deploy(name: string, namespace: string, program?: PulumiFn): Promise<Deployed> {
  const keys = newKeys(['--namespace', namespace]);
  const stack = await stackOf(engine, name, scaledConfig(namespace, keys), program);
  expect((await stack.up()).summary.result).toBe('succeeded');
  await settled(namespace, MIN);
  return { stack, namespace, keys, clusterIp: getJson(['-n', namespace, 'service', 'my-nginx']).spec.clusterIP };
}

/** A constant load named `what` on an app's Service, from node 1, at `rate` requests per second. */
const loadOn = (app: Deployed, what: string, rate: number, keepalive: boolean) => new Load(clusterNodes()[0], {
  url: 'https://my-nginx/', dial: `${app.clusterIp}:443`, rootCerts: [join(app.keys, 'tls.crt')], rate, keepalive,
  resultsFile: join(engine.backend, '..', `${app.namespace}-${what}.bin`),
});

/** The surge: new connections (no keep-alive, each a TLS handshake) on an app's Service. */
const surgeOn = (app: Deployed) => loadOn(app, 'surge', SURGE_RATE, false);

beforeAll(async () => {
  assertInsideNode();
  expect(clusterNodes().length).toBeGreaterThanOrEqual(2);
  engine = await startEngine();
  [preset, control] = await Promise.all([deploy('autoscale', ns), deploy('autoscale-control', controlNs, withFixedReplicas(MIN))]);
  // Who owns the count: the preset's applier (Pulumi's provider, server-side apply) never set it; the control's did.
  const appliedReplicas = (namespace: string) => getJson(['-n', namespace, 'deployment', 'my-nginx', '--show-managed-fields']).metadata.managedFields
    .filter((f: { operation: string }) => f.operation === 'Apply').some((f: { fieldsV1?: { 'f:spec'?: Record<string, unknown> } }) => 'f:replicas' in (f.fieldsV1?.['f:spec'] ?? {}));
  expect([appliedReplicas(ns), appliedReplicas(controlNs)]).toEqual([false, true]);
  // A scraper where the policies admit one, and a pod of another namespace that they do not.
  for (const [namespace, pod] of [[SCRAPER_NAMESPACE, 'scraper'], [outsiderNs, 'outsider']]) {
    ok(['create', 'namespace', namespace]);
    ok(['-n', namespace, 'run', pod, `--image=${CURL_IMAGE}`, '--image-pull-policy=Never', '--restart=Never', '--command', '--', 'sleep', 'infinity']);
  }
  for (const [namespace, pod] of [[SCRAPER_NAMESPACE, 'scraper'], [outsiderNs, 'outsider']]) ok(['-n', namespace, 'wait', '--for=condition=Ready', `pod/${pod}`, '--timeout=90s']);
  // Each autoscaler acts once it reads its pods' CPU from the resource metrics API.
  for (const namespace of [ns, controlNs]) {
    await eventually(`the autoscaler of ${namespace} to read its pods' CPU utilization`, () =>
      getJson(['-n', namespace, 'hpa', 'my-nginx']).status.currentMetrics?.[0]?.resource?.current?.averageUtilization, 120_000);
  }
}, 420_000);

afterAll(async () => {
  await Promise.all([preset?.stack.destroy(), control?.stack.destroy()]);
  for (const namespace of [SCRAPER_NAMESPACE, outsiderNs, ns, controlNs]) kubectl(['delete', 'namespace', namespace, '--wait=false']);
}, 300_000);

test('the exporter is reached from the scraper\'s namespace on its port, and from no other namespace', () => {
  const pod = nginxPods(ns)[0];
  expect(scrape(pod.status.podIP).stdout).toMatch(/^nginx_up 1$/m);
  const fromOutsider = curlFrom(outsiderNs, 'outsider', `http://${pod.status.podIP}:9113/metrics`, '--max-time', '3');
  expect(fromOutsider.status).not.toBe(0);
  // stub_status itself is on the pod's loopback: not even the scraper reaches it.
  const stubStatus = curlFrom(SCRAPER_NAMESPACE, 'scraper', `http://${pod.status.podIP}:8081/stub_status`, '--max-time', '3');
  expect(stubStatus.status).not.toBe(0);
}, 60_000);

test('metrics: the exporter\'s counter agrees with vegeta\'s count, once the kubelet\'s probes and the reads are taken off', async () => {
  await serviceAnswers(ns, [join(preset.keys, 'tls.crt')]);
  const pods = nginxPods(ns).map((p) => p.metadata.name as string).sort();
  const probesBefore = probesLogged(ns);
  const before = requestCounters(ns);
  const load = loadOn(preset, 'metrics-window', RATE / 2, true);
  await new Promise((r) => setTimeout(r, 12_000));
  const report = await load.stop();
  const after = requestCounters(ns);
  const probesAfter = probesLogged(ns);
  // The same pods throughout (a load this light does not scale), so no count was lost with a pod.
  expect([...after.keys()].sort()).toEqual(pods);
  expect(report.failed).toBe(0);
  const rose = sum(pods.map((p) => after.get(p)! - before.get(p)!));
  const probes = sum(pods.map((p) => probesAfter.get(p)! - probesBefore.get(p)!));
  // Each read of the counters is a request to stub_status: the second read's are in the rise, one per pod.
  const reads = pods.length;
  const counted = rose - probes - reads;
  console.log(`metrics: exporter counted ${counted} of ${report.requests} requests (its counter rose ${rose}: ${probes} kubelet probes and `
    + `${reads} reads of its own besides)`);
  // A probe that lands between reading a pod's counter and its log is on one side of the window only.
  expect(Math.abs(counted - report.requests)).toBeLessThanOrEqual(2 * pods.length);
  expect(report.requests).toBeGreaterThanOrEqual(RATE / 2 * 11);
}, 120_000);

test('autoscale: a surge scales the preset out, a pulumi up of a new image keeps the count, it scales back in with nothing '
  + 'failed; the control\'s pulumi up under the same surge resets its count', async () => {
  const watches = { preset: new Watch(ns), control: new Watch(controlNs) };
  const base = await serviceLoads(ns, 'autoscale base', [join(preset.keys, 'tls.crt')], BASE_RATE);
  try {
    await new Promise((r) => setTimeout(r, 3000));
    // The surge's count, as the app's autoscaler holds it when a pulumi up of a new image starts, and the least it had
    // during the up.
    const upDuringSurge = async (app: Deployed, watch: Watch) => {
      const before = (await watch.latest()).replicas;
      const upStarted = Date.now();
      await app.stack.setConfig('guide-as-code:nginxImage', { value: 'guide.local/nginx:next' });
      expect((await app.stack.up()).summary.result).toBe('succeeded');
      ok(['-n', app.namespace, 'rollout', 'status', 'deployment/my-nginx', '--timeout=180s']);
      return { before, least: Math.min(...watch.since(upStarted).map((s) => s.replicas)) };
    };

    // The preset: the surge, the autoscaler's scale-out, the up.
    const surgeStarted = Date.now();
    const surge = surgeOn(preset);
    let surgeReport: LoadReport;
    let outAt: number;
    let kept: { before: number; least: number };
    try {
      outAt = await replicasReach(watches.preset, `the preset's autoscaler to scale out from ${MIN}`, (r) => r > MIN, 180_000);
      kept = await upDuringSurge(preset, watches.preset);
    } finally {
      surgeReport = await surge.stop();
    }
    const surgeEnded = Date.now();

    // While the preset scales back in, the control takes the same surge and the same up.
    const controlSurge = surgeOn(control);
    let controlReport: LoadReport;
    let reset: { before: number; least: number };
    const scaledIn = replicasReach(watches.preset, `the preset's autoscaler to scale back in to ${MIN}`, (r) => r === MIN, 300_000);
    try {
      await replicasReach(watches.control, `the control's autoscaler to scale out from ${MIN}`, (r) => r > MIN, 180_000);
      reset = await upDuringSurge(control, watches.control);
    } finally {
      controlReport = await controlSurge.stop();
      watches.control.stop();
    }
    const inAt = await scaledIn;
    await new Promise((r) => setTimeout(r, 3000));
    watches.preset.stop();
    const baseRuns: [string, LoadReport][] = [];
    for (const [mode, load] of base) baseRuns.push([mode, fromChange(await load.stop(), surgeStarted)]);

    const during = watches.preset.since(surgeStarted);
    const most = Math.max(...during.map((s) => s.replicas));
    const runs: [string, LoadReport][] = [['surge, no keep-alive', surgeReport], ...baseRuns.map(([m, r]) => [`base, ${m}`, r] as [string, LoadReport])];
    for (const [mode, r] of runs) console.log(formatLoad(`autoscale ${mode}`, r));
    const requests = sum(runs.map(([, r]) => r.requests));
    const failed = sum(runs.map(([, r]) => r.failed));
    const counts = [...new Set(during.filter((s) => s.budget).map((s) => s.budget!.expected))].sort((a, b) => a - b);
    console.log(`autoscale: ${MIN} -> ${most} -> ${(await watches.preset.latest()).replicas} replicas, scale-out `
      + `${seconds(outAt - surgeStarted)} s, scale-in ${seconds(inAt - surgeEnded)} s, ${requests} requests, ${failed} failed; a pulumi up of a new `
      + `image during the surge kept ${kept.before} replicas (the least seen ${kept.least}); the disruption budget let one pod go at every count `
      + `seen (${counts.join(', ')}) and held through the scale-in`);
    console.log(`autoscale control: the same pulumi up with the replica count in the manifest, under the same surge, reset ${reset.before} -> `
      + `${reset.least} replicas (${controlReport.failed} of ${controlReport.requests} requests failed)`);

    expect(most).toBeGreaterThan(MIN);
    expect(most).toBeLessThanOrEqual(MAX);
    expect(kept.least).toBeGreaterThanOrEqual(kept.before);
    expect(reset.before).toBeGreaterThan(MIN);
    expect(reset.least).toBe(MIN);
    expect(nginxPods(ns).map((p) => p.spec.containers[0].image)).toEqual(Array(MIN).fill('guide.local/nginx:next'));
    expect({ failed, errors: runs.flatMap(([, r]) => r.errors) }).toEqual({ failed: 0, errors: [] });
    // The budget follows every count the autoscaler chose: one pod of them may go at a time.
    expect(during.filter((s) => s.budget && s.budget.desired !== s.budget.expected - 1)).toEqual([]);
    // The scale-in removed pods without breaking it (a scale-out's new pods are not ready yet, which is no disruption),
    // and there were never fewer ready pods than the minimum.
    expect(watches.preset.since(surgeEnded).filter((s) => s.budget && s.budget.healthy < s.budget.desired)).toEqual([]);
    expect(during.filter((s) => s.ready < MIN)).toEqual([]);
  } finally {
    watches.preset.stop();
    watches.control.stop();
    for (const [, load] of base) await load.stop().catch(() => undefined);
  }
}, 900_000);
