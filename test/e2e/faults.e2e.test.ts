// Faults of the engine on the real engine (the CLI and provider built here, the file backend, the local control plane):
// an `up` killed (SIGKILL, as a CI timeout) or interrupted (SIGINT, as Ctrl-C) while it creates the stack's objects,
// then the recovery the README documents. Each ends converged (faults.ts) and prints `fault: <case>: converged in <s> s`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** Whether the stack's checkpoint file records a create of `type` as begun and not finished. */
function pendingCreate(checkpoint: string, type: string): boolean {
  try {
    const state = JSON.parse(readFileSync(checkpoint, 'utf8')) as { checkpoint: { latest?: { pending_operations?: PendingOperation[] } } };
    return (state.checkpoint.latest?.pending_operations ?? []).some((p) => p.type === 'creating' && p.resource.type === type);
  } catch {
    return false; // not written yet, or caught mid-write: the next read sees it whole
  }
}
interface PendingOperation { type: string; resource: { type: string } }

/**
 * Runs `up` and sends `signal` to the engine once it has begun creating a resource of `type`: with `checkpoint`, when
 * that file records the create as pending (the engine rewrites it at each step); else at the create's first event.
 * The SIGKILL case needs the file: events reach this process through a log file the SDK tails, and under load one
 * can arrive after a short create has finished, so the kill would find no pending create.
 */
async function upInterrupted(stack: Stack, type: string, signal: 'SIGKILL' | 'SIGINT', checkpoint?: string): Promise<{ error?: Error; sent: boolean }> {
  let failure: unknown;
  let sent = false;
  const send = () => {
    if (sent || failure) return;
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
  const onEvent = (e: EngineEvent) => {
    const m = e.resourcePreEvent?.metadata;
    if (!checkpoint && m?.type === type && m.op === 'create') send();
  };
  let running = true;
  const watcher = (async () => {
    while (checkpoint && running && !sent && !failure) {
      if (pendingCreate(checkpoint, type)) send();
      else await new Promise((r) => setTimeout(r, 20));
    }
  })();
  let error: Error | undefined;
  try {
    await stack.up({ onEvent });
  } catch (e) {
    error = e as Error;
  } finally {
    running = false;
    await watcher;
  }
  if (failure) throw failure;
  return { error, sent };
}

describe('a killed up (SIGKILL of the engine while it creates the stack\'s objects)', () => {
  const ns = 'guide-fault-kill';

  test('leaves a lock and pending creates; cancel, refresh clearing pending creates, up converges with nothing orphaned', async () => {
    const { stack, config, checkpoint } = await faultStack('fault-kill', ns);
    const started = Date.now();
    const killed = await upInterrupted(stack, 'kubernetes:apps/v1:Deployment', 'SIGKILL', checkpoint);
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
