// The API server stopped during `up`, on the real engine: `up` fails within a bounded time naming the cluster, and
// once the API server is back, the documented recovery converges (faults.ts). It stops the cluster every suite of the
// control plane shares, so it runs alone, after the others (test/e2e/jest.alone.config.js).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EngineEvent } from '@pulumi/pulumi/automation';
import { faultStacks, upConverges } from './faults';
import { apiServer, eventually, kubectl } from './kubectl';

const faultStack = faultStacks();

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
