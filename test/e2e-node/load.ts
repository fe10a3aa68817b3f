// A constant https load through the Service while something changes, and what it saw (vegeta, e2e/build.sh load):
// the zero-downtime measurements of the real-node suites.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, getJson, ok } from '../e2e/kubectl';
import { ClusterNode, clusterNodes, curl, inNodeArgs } from './node';

/** Requests per second of each of the two runs (with and without keep-alive): above the 20 per second asked for. */
export const RATE = 40;
const resultsDir = mkdtempSync(join(tmpdir(), 'guide-load-'));

export interface LoadOptions {
  /** The URL requested, e.g. https://my-nginx/ (its host is what the certificate is checked against, and the SNI). */
  readonly url: string;
  /** host:port to dial instead of the URL's (vegeta's -connect-to), e.g. the Service's cluster IP. */
  readonly dial: string;
  /** PEM files of the certificates to trust (vegeta's -root-certs replaces the system's). */
  readonly rootCerts: readonly string[];
  /** Requests per second. */
  readonly rate: number;
  readonly keepalive: boolean;
  /** Where vegeta writes its results. */
  readonly resultsFile: string;
}

export interface LoadReport {
  readonly requests: number;
  /** Requests that got no 2xx/3xx answer in time (transport errors included); of a change's run, those from its start on. */
  readonly failed: number;
  /** Of a change's run, the requests that failed before the change began (none is expected: see {@link underLoad}). */
  readonly failedBefore?: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly seconds: number;
  readonly errors: readonly string[];
  /** When each failed request was sent (ms since the epoch), and why it failed. */
  readonly failures: readonly { readonly at: number; readonly error: string }[];
}

/**
 * A constant-rate https load from `node`'s network namespace (vegeta, e2e/build.sh load), until stop() is called:
 * each request verifies the certificate and keeps the URL's host as SNI while dialing `dial`.
 */
export class Load {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(node: ClusterNode, private readonly options: LoadOptions) {
    const vegeta = process.env.GUIDE_E2E_VEGETA;
    if (!vegeta) throw new Error('GUIDE_E2E_VEGETA is not set: run this suite with `e2e/node.sh run` (npm run e2e)');
    const host = new URL(options.url);
    const port = host.port || (host.protocol === 'https:' ? '443' : '80');
    this.child = spawn('nsenter', inNodeArgs(node, [vegeta, 'attack', `-rate=${options.rate}/1s`, '-duration=0', '-timeout=5s',
      `-keepalive=${options.keepalive}`, `-root-certs=${options.rootCerts.join(',')}`,
      `-connect-to=${host.hostname}:${port}:${options.dial}`, `-output=${options.resultsFile}`]), { stdio: ['pipe', 'ignore', 'ignore'] });
    this.child.stdin!.end(`GET ${options.url}\n`);
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
  }

  /** Stops the attack (vegeta finishes what is in flight on SIGINT) and reports what it saw. */
  async stop(): Promise<LoadReport> {
    this.child.kill('SIGINT');
    await this.exited;
    const r = spawnSync(process.env.GUIDE_E2E_VEGETA!, ['report', '-type=json', this.options.resultsFile], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`vegeta report failed: ${r.stderr}`);
    const encoded = spawnSync(process.env.GUIDE_E2E_VEGETA!, ['encode', '-to', 'json', this.options.resultsFile], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const failures = encoded.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { timestamp: string; code: number; error: string })
      .filter((h) => h.code < 200 || h.code >= 400).map((h) => ({ at: Date.parse(h.timestamp), error: h.error || `HTTP ${h.code}` }));
    const report = JSON.parse(r.stdout) as { requests: number; duration: number; latencies: Record<string, number>; errors: string[] | null };
    return {
      requests: report.requests,
      failed: failures.length,
      p50Ms: Math.round(report.latencies['50th'] / 1e5) / 10,
      p99Ms: Math.round(report.latencies['99th'] / 1e5) / 10,
      seconds: report.duration / 1e9,
      errors: report.errors ?? [],
      failures,
    };
  }
}

/** One line per load run: `zero-downtime: <change>: N requests, F failed, p50 .. ms, p99 .. ms`. */
export function formatLoad(change: string, r: LoadReport): string {
  return `zero-downtime: ${change}: ${r.requests} requests, ${r.failed} failed, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`
    + (r.failedBefore ? `, ${r.failedBefore} more failed before the change began` : '')
    + (r.errors.length ? ` (${r.errors.slice(0, 3).join('; ')})` : '');
}

/** The report of a change's run: the failures from `started` on are the change's, the earlier ones counted apart. */
export function fromChange(r: LoadReport, started: number): LoadReport {
  const failures = r.failures.filter((f) => f.at >= started);
  return { ...r, failed: failures.length, failedBefore: r.failures.length - failures.length, failures, errors: [...new Set(failures.map((f) => f.error))] };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const nginxPods = (ns: string): any[] => getJson(['-n', ns, 'pods', '-l', 'run=my-nginx']).items;

/** Waits until the Deployment's rollout is done and exactly `replicas` pods (none terminating) are ready. */
export async function settled(ns: string, replicas: number): Promise<void> {
  ok(['-n', ns, 'rollout', 'status', 'deployment/my-nginx', '--timeout=180s']);
  await eventually(`${replicas} ready nginx pods and no other in ${ns}`, () => {
    const pods = nginxPods(ns);
    return pods.length === replicas && pods.every((p) => !p.metadata.deletionTimestamp
      && p.status.containerStatuses?.every((c: { ready: boolean }) => c.ready)) ? true : undefined;
  }, 120_000);
}

/**
 * Waits until the my-nginx Service of `ns` answers https from the load's node (node 1, this process's namespace) on
 * each of several tries in a row: pods that are ready are not yet a Service that answers there, as kube-proxy writes
 * its rules on its own time.
 */
export async function serviceAnswers(ns: string, rootCerts: readonly string[], tries = 5): Promise<void> {
  const clusterIp = getJson(['-n', ns, 'service', 'my-nginx']).spec.clusterIP as string;
  // curl takes one --cacert (the last): the certificates in play, as one bundle.
  const bundle = join(resultsDir, `${ns}-trusted.pem`);
  writeFileSync(bundle, rootCerts.map((c) => readFileSync(c, 'utf8')).join(''));
  let inARow = 0;
  await eventually(`the Service my-nginx of ${ns} to answer https from ${clusterNodes()[0].name} ${tries} times in a row`, () => {
    const answer = curl(['--fail', '--output', '/dev/null', '--max-time', '2', '--resolve', `my-nginx:443:${clusterIp}`,
      '--cacert', bundle, 'https://my-nginx/']);
    inARow = answer.status === 0 ? inARow + 1 : 0;
    return inARow >= tries ? true : undefined;
  });
}

/**
 * Two loads on the my-nginx Service of `ns`, from node 1's namespace to its cluster IP, started once the Service
 * answers there: one with keep-alive and one without, each with its mode's name. `rate` requests per second each.
 */
export async function serviceLoads(ns: string, change: string, rootCerts: string[], rate = RATE): Promise<(readonly [string, Load])[]> {
  await serviceAnswers(ns, rootCerts);
  const clusterIp = getJson(['-n', ns, 'service', 'my-nginx']).spec.clusterIP as string;
  return ([true, false] as const).map((keepalive) => [keepalive ? 'keep-alive' : 'no keep-alive', new Load(clusterNodes()[0], {
    url: 'https://my-nginx/', dial: `${clusterIp}:443`, rootCerts, rate, keepalive,
    resultsFile: join(resultsDir, `${ns}-${change.replace(/\W+/g, '-')}-${keepalive}.bin`),
  })] as const);
}

export interface Measured { change: string; seconds: number; runs: [string, LoadReport][] }

/**
 * Runs `change` under two loads through the Service's cluster IP (keep-alive on and off), from a few seconds before
 * it to a few seconds after the app settled again, and prints one line per run. The loads start once the Service
 * answers from their node; what fails before the change is counted apart from what fails from its start on, which is
 * the change's.
 */
export async function underLoad(ns: string, change: string, rootCerts: string[], act: () => Promise<void>): Promise<Measured> {
  const loads = await serviceLoads(ns, change, rootCerts);
  await new Promise((r) => setTimeout(r, 3000));
  const started = Date.now();
  try {
    await act();
  } finally {
    const seconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000));
    const runs: [string, LoadReport][] = [];
    for (const [mode, load] of loads) runs.push([mode, fromChange(await load.stop(), started)]);
    for (const [mode, report] of runs) {
      // When each failure happened, counted from the start of the change: what a reader needs to find its cause.
      const when = report.failures.map((f) => `${((f.at - started) / 1000).toFixed(1)} s`).slice(0, 10).join(', ');
      console.log(`${formatLoad(`${change} (${mode})`, report)}; the change took ${seconds.toFixed(1)} s${when ? `; failed at ${when}` : ''}`);
    }
    // eslint-disable-next-line no-unsafe-finally
    return { change, seconds, runs };
  }
}

/** The assertion of every change: nothing failed, at a rate of at least 20 requests per second of the change. */
export function expectNothingDropped(m: Measured): void {
  for (const [mode, r] of m.runs) {
    expect({ change: `${m.change} (${mode})`, failed: r.failed, errors: r.errors }).toEqual({ change: `${m.change} (${mode})`, failed: 0, errors: [] });
    expect(r.requests).toBeGreaterThanOrEqual(Math.ceil(20 * m.seconds));
  }
}
