// Faults of the engine on the real engine (the CLI and provider built here, the file backend, the local control plane):
// an `up` killed (SIGKILL, as a CI timeout) or interrupted (SIGINT, as Ctrl-C) while it creates the stack's objects,
// then the recovery the README documents. Each ends converged (faults.ts) and prints `fault: <case>: converged in <s> s`.
import { spawnSync } from 'node:child_process';
import { EngineEvent, Stack } from '@pulumi/pulumi/automation';
import { faultStacks, upConverges } from './faults';

const faultStack = faultStacks();

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
