// Faults and drift on the real engine (the CLI and provider built here, the file backend, the local control plane):
// each case breaks a deploy the way it breaks for users, recovers with the commands the README documents, and ends
// with the cluster equal to what synth writes for the stack's settings and `refresh --expect-no-changes` passing.
// Each prints `fault: <case>: converged in <s> s`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ConfigMap, EngineEvent, Stack } from '@pulumi/pulumi/automation';
import { generateSelfSigned } from '../../lib/self-signed';
import { readStackFile } from '../../pulumi/stack-file';
import { clusterOverrides, expectDeployedAsSynthesized, objectsIn, synthesizedFor } from './deployed';
import { Engine, stackOf, startEngine } from './engine';
import { apiServer, eventually, getJson, kubectl, ok } from './kubectl';

let engine: Engine;

beforeAll(async () => {
  expect(apiServer().hostname).toBe('127.0.0.1');
  engine = await startEngine();
}, 120_000);

/** A stack of its own for one case: the dev stack's settings in namespace `ns`, its certificate from config. */
async function faultStack(name: string, ns: string, extra: ConfigMap = {}): Promise<{ stack: Stack; config: ConfigMap }> {
  const pem = await generateSelfSigned({ namespace: ns, days: 30 });
  const config: ConfigMap = {
    ...readStackFile('dev'),
    ...clusterOverrides(),
    'guide-as-code:namespace': { value: ns, secret: false },
    // Node ports are one per cluster: each case leaves them to the cluster.
    'guide-as-code:nodePorts': { value: '{}', secret: false },
    'guide-as-code:certificateSource': { value: 'config', secret: false },
    'guide-as-code:certificatePem': { value: pem.certificatePem, secret: false },
    'guide-as-code:privateKeyPem': { value: pem.privateKeyPem, secret: true },
    ...extra,
  };
  return { stack: await stackOf(engine, name, config), config };
}

/** The names `kubectl get -o name` gives for what synth writes for the stack, plus the Secret the stack makes. */
function expectedNames(config: ConfigMap): string[] {
  const { objects } = synthesizedFor(config);
  const resource: Record<string, string> = { Deployment: 'deployment.apps', Job: 'job.batch', Service: 'service', ConfigMap: 'configmap' };
  return [...objects.map((o) => `${resource[o.kind]}/${o.metadata.name}`), 'secret/nginxsecret'].sort();
}

/** The case's end state: every object once and nothing else in the namespace, as synthesized, and no drift left. */
async function expectConverged(stack: Stack, config: ConfigMap): Promise<void> {
  const { namespace } = synthesizedFor(config);
  expect(objectsIn(namespace)).toEqual(expectedNames(config));
  expectDeployedAsSynthesized(config);
  const refresh = await stack.refresh({ expectNoChanges: true });
  expect(refresh.summary.result).toBe('succeeded');
  const state = (await stack.exportStack()).deployment as { pending_operations?: unknown[] };
  expect(state.pending_operations ?? []).toEqual([]);
}

function report(name: string, started: number): void {
  process.stdout.write(`fault: ${name}: converged in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** The case's last step: an `up` that succeeds and converges; it reports the time since `started`, then cleans up. */
async function upConverges(stack: Stack, config: ConfigMap, name: string, started: number): Promise<void> {
  const up = await stack.up();
  expect(up.summary.result).toBe('succeeded');
  await expectConverged(stack, config);
  report(name, started);
  await stack.destroy();
}

/** The Pulumi CLI running `up` of `stack` (the Automation API starts one per operation), then its plugins. */
function engineProcesses(stack: string): number[] {
  const children = (pid: number): number[] => {
    const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
    const out = r.stdout.trim();
    return out === '' ? [] : out.split(/\s+/).map(Number).flatMap((c) => [c, ...children(c)]);
  };
  const cli = spawnSync('pgrep', ['-f', '-o', `${process.env.GUIDE_E2E_PULUMI_ROOT}/bin/pulumi up .*--stack ${stack}( |$)`], { encoding: 'utf8' })
    .stdout.trim();
  if (cli === '') throw new Error(`no pulumi up of stack ${stack} is running`);
  return [Number(cli), ...children(Number(cli))];
}

/** Runs `up` and, when the engine starts creating a resource of `type`, sends `signal` to the engine. */
async function upInterrupted(stack: Stack, type: string, signal: 'SIGKILL' | 'SIGINT'): Promise<{ error?: Error; sent: boolean }> {
  let failure: unknown;
  let sent = false;
  const onEvent = (e: EngineEvent) => {
    const m = e.resourcePreEvent?.metadata;
    if (sent || failure || !m || m.type !== type || m.op !== 'create') return;
    try {
      // The CLI, then (for SIGKILL, as a CI timeout kills a process group) its plugins too.
      const [cli, ...plugins] = engineProcesses(stack.name);
      process.kill(cli, signal);
      if (signal === 'SIGKILL') for (const pid of plugins) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      sent = true;
    } catch (e) {
      failure = e;
    }
  };
  let error: Error | undefined;
  try {
    await stack.up({ onEvent });
  } catch (e) {
    error = e as Error;
  }
  if (failure) throw failure;
  return { error, sent };
}

describe('a killed up (SIGKILL of the engine while it creates the stack\'s objects)', () => {
  const ns = 'guide-fault-kill';

  test('leaves a lock and pending creates; cancel, refresh clearing pending creates, up converges with nothing orphaned', async () => {
    const { stack, config } = await faultStack('fault-kill', ns);
    const started = Date.now();
    const killed = await upInterrupted(stack, 'kubernetes:apps/v1:Deployment', 'SIGKILL');
    expect(killed.sent).toBe(true);
    expect(killed.error).toBeDefined();
    // What users hit next: the lock the killed engine left.
    await expect(stack.up()).rejects.toThrow(/locked/);
    // The documented recovery (README "When a deploy goes wrong").
    await stack.cancel();
    // The create the engine had begun is recorded as pending: the object may or may not exist on the server.
    const pending = ((await stack.exportStack()).deployment as { pending_operations?: { type: string }[] }).pending_operations ?? [];
    expect(pending.map((p) => p.type)).toContain('creating');
    await stack.refresh({ clearPendingCreates: true });
    await upConverges(stack, config, 'killed up', started);
  }, 300_000);
});

describe('an interrupted up (SIGINT, as Ctrl-C)', () => {
  const ns = 'guide-fault-interrupt';

  test('the engine finishes its in-flight steps and leaves a consistent state; the next up converges', async () => {
    const { stack, config } = await faultStack('fault-interrupt', ns);
    const started = Date.now();
    const interrupted = await upInterrupted(stack, 'kubernetes:apps/v1:Deployment', 'SIGINT');
    expect(interrupted.sent).toBe(true);
    // Cancelled, so the operation fails, but only after the steps in flight finished.
    expect(interrupted.error).toBeDefined();
    const state = (await stack.exportStack()).deployment as { pending_operations?: unknown[] };
    expect(state.pending_operations ?? []).toEqual([]);
    await upConverges(stack, config, 'interrupted up', started);
  }, 300_000);
});

/** The kube-apiserver of the e2e control plane: its pid, command line and working folder, to stop and start it again. */
function apiServerProcess(): { pid: number; argv: string[]; cwd: string } {
  const pid = Number(execFileSync('pgrep', ['-f', '-o', `${process.env.KWOK_WORKDIR ?? ''}.*kube-apiserver`], { encoding: 'utf8' }).trim().split('\n')[0]);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  return { pid, argv, cwd: execFileSync('readlink', [`/proc/${pid}/cwd`], { encoding: 'utf8' }).trim() };
}

describe('the cluster gone mid-deploy (the API server stopped during up)', () => {
  const ns = 'guide-fault-gone';

  test('up fails within a bounded time naming the cluster; once the API server is back, up converges', async () => {
    const { stack, config } = await faultStack('fault-gone', ns);
    const apiserver = apiServerProcess();
    const started = Date.now();
    let stoppedAt = 0;
    // Right after the Service is created, the engine's next step is the Deployment it fronts: the API server goes
    // away between the two, so that create is the call that finds no cluster.
    const onEvent = (e: EngineEvent) => {
      const m = e.resOutputsEvent?.metadata;
      if (stoppedAt || !m || m.type !== 'kubernetes:core/v1:Service' || m.op !== 'create') return;
      stoppedAt = Date.now();
      process.kill(apiserver.pid, 'SIGKILL');
    };
    // A bound of the test's own, so a hang fails here (and the API server still comes back for the suites after).
    const abort = new AbortController();
    const bound = setTimeout(() => abort.abort(), 180_000);
    let error: Error | undefined;
    try {
      error = await stack.up({ onEvent, signal: abort.signal }).then(() => undefined, (e: Error) => e);
    } finally {
      clearTimeout(bound);
      if (stoppedAt) {
        // The same API server, started again as it was (etcd kept the state).
        const restarted = spawn(apiserver.argv[0], apiserver.argv.slice(1), { cwd: apiserver.cwd, detached: true, stdio: 'ignore' });
        restarted.unref();
        await eventually('the API server to answer again', () => (kubectl(['get', '--raw', '/readyz']).status === 0 ? true : undefined), 90_000);
      }
    }
    const failedAfter = (Date.now() - stoppedAt) / 1000;
    expect(stoppedAt).toBeGreaterThan(0);
    expect(abort.signal.aborted).toBe(false);
    expect(error).toBeDefined();
    const said = error!.message.split('\n').find((l) => l.includes(apiServer().host))?.trim();
    process.stdout.write(`fault: cluster gone: up failed ${failedAfter.toFixed(1)} s after the API server stopped: ${said}\n`);
    expect(failedAfter).toBeLessThan(120);
    // It names the cluster (its address), and it is the engine's error, not a stack trace of the program.
    expect(said).toBeDefined();
    expect(error!.message).not.toMatch(/at guideProgram|at new SecureNginxDeployment/);

    await stack.cancel();
    await stack.refresh({ clearPendingCreates: true });
    await upConverges(stack, config, 'cluster gone', started);
  }, 420_000);
});

describe('drift: kubectl scale, kubectl patch of the Service type, a deleted ConfigMap', () => {
  const ns = 'guide-fault-drift';

  test('preview with refresh lists exactly those three and fails with expectNoChanges; up with refresh restores all three', async () => {
    const { stack, config } = await faultStack('fault-drift', ns);
    expect((await stack.up()).summary.result).toBe('succeeded');
    const started = Date.now();
    ok(['-n', ns, 'scale', 'deployment/my-nginx', '--replicas=3']);
    ok(['-n', ns, 'patch', 'service', 'my-nginx', '-p', '{"spec":{"type":"LoadBalancer"}}']);
    ok(['-n', ns, 'delete', 'configmap', 'nginxconfigmap']);

    // `up` alone compares with the stored state, which has not seen the drift: a CI drift gate needs the refresh.
    const changed: string[] = [];
    const onEvent = (e: EngineEvent) => {
      const m = e.resourcePreEvent?.metadata;
      if (m && m.op !== 'same' && m.op !== 'refresh') changed.push(`${m.op} ${m.type}`);
    };
    const preview = await stack.preview({ refresh: true, onEvent });
    expect(changed.sort()).toEqual([
      'create kubernetes:core/v1:ConfigMap', 'update kubernetes:apps/v1:Deployment', 'update kubernetes:core/v1:Service',
    ]);
    expect(preview.changeSummary).toMatchObject({ create: 1, update: 2 });
    await expect(stack.preview({ refresh: true, expectNoChanges: true })).rejects.toThrow(/no changes were expected/i);

    const up = await stack.up({ refresh: true });
    expect(up.summary.result).toBe('succeeded');
    expect(getJson(['-n', ns, 'deployment', 'my-nginx']).spec.replicas).toBe(1);
    expect(getJson(['-n', ns, 'service', 'my-nginx']).spec.type).toBe('NodePort');
    await expectConverged(stack, config);
    report('drift', started);
    await stack.destroy();
  }, 300_000);
});

describe('a failed up (an object the API server refuses), then destroy', () => {
  const ns = 'guide-fault-failed';
  const squatter = 'guide-fault-squatter';

  afterAll(() => {
    ok(['delete', 'namespace', squatter, '--ignore-not-found', '--wait=false']);
  });

  test('up fails half-way on the refused Service; destroy leaves nothing in the namespace and removes it', async () => {
    // Another Service already holds the node port, so the API server refuses the stack's Service.
    ok(['create', 'namespace', squatter]);
    ok(['-n', squatter, 'create', 'service', 'nodeport', 'squatter', '--tcp=443:443', '--node-port=30999']);
    const { stack } = await faultStack('fault-failed', ns, { 'guide-as-code:nodePorts': { value: '{"https": 30999}', secret: false } });
    const started = Date.now();
    const error = await stack.up().then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/30999.*already allocated|provided port is already allocated/s);
    // Half-way: what came before the Service exists.
    expect(objectsIn(ns)).toEqual(expect.arrayContaining(['configmap/nginxconfigmap', 'secret/nginxsecret']));
    await stack.destroy();
    await eventually('the namespace to be gone', () => (kubectl(['get', 'namespace', ns]).status !== 0 ? true : undefined), 90_000);
    expect(((await stack.exportStack()).deployment as { resources?: unknown[] }).resources ?? []).toEqual([]);
    process.stdout.write(`fault: failed up, then destroy: nothing left in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, 300_000);
});
