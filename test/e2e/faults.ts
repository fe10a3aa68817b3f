// What every fault case shares: a stack of its own on the real engine, and the end state each case must reach (the
// cluster equal to what synth writes for the stack's settings, `refresh --expect-no-changes` passing, no pending
// operation). The cases are in faults.e2e.test.ts (the engine stopped), drift.e2e.test.ts (the cluster changed or
// refusing) and cluster-gone.e2e.test.ts (the API server stopped, which runs alone).
import { join } from 'node:path';
import { ConfigMap, Stack } from '@pulumi/pulumi/automation';
import { generateSelfSigned } from '../../scripts/self-signed';
import { readStackFile } from '../../pulumi/stack-file';
import { clusterOverrides, expectDeployedAsSynthesized, objectsIn, synthesizedFor } from './deployed';
import { Engine, stackOf, startEngine } from './engine';
import { apiServer } from './kubectl';

/**
 * Makes one case's stack (see faultStack) on the engine of the suite that asked for it; `checkpoint` is the stack's
 * state file in the engine's file backend, which the engine rewrites at each step.
 */
export type FaultStacks = (name: string, ns: string, extra?: ConfigMap) => Promise<{ stack: Stack; config: ConfigMap; checkpoint: string }>;

/**
 * What each fault suite calls once at its top: the real engine is started before the file's tests (the control plane
 * checked to be the one on 127.0.0.1), and its cases make their stacks on it with the returned function.
 */
export function faultStacks(): FaultStacks {
  let engine: Engine | undefined;
  beforeAll(async () => {
    expect(apiServer().hostname).toBe('127.0.0.1');
    engine = await startEngine();
  }, 120_000);
  return (name, ns, extra = {}) => {
    if (!engine) throw new Error('the engine did not start (see the beforeAll failure above)');
    const checkpoint = join(engine.backend, '.pulumi', 'stacks', 'guide-as-code', `${name}.json`);
    return faultStack(engine, name, ns, extra).then((made) => ({ ...made, checkpoint }));
  };
}

/** A stack of its own for one case: the dev stack's settings in namespace `ns`, its certificate from config. */
async function faultStack(engine: Engine, name: string, ns: string, extra: ConfigMap): Promise<{ stack: Stack; config: ConfigMap }> {
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
export async function expectConverged(stack: Stack, config: ConfigMap): Promise<void> {
  const { namespace } = synthesizedFor(config);
  expect(objectsIn(namespace)).toEqual(expectedNames(config));
  expectDeployedAsSynthesized(config);
  const refresh = await stack.refresh({ expectNoChanges: true });
  expect(refresh.summary.result).toBe('succeeded');
  const state = (await stack.exportStack()).deployment as { pending_operations?: unknown[] };
  expect(state.pending_operations ?? []).toEqual([]);
}

export function report(name: string, started: number): void {
  process.stdout.write(`fault: ${name}: converged in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** The case's last step: an `up` that succeeds and converges; it reports the time since `started`, then cleans up. */
export async function upConverges(stack: Stack, config: ConfigMap, name: string, started: number): Promise<void> {
  const up = await stack.up();
  expect(up.summary.result).toBe('succeeded');
  await expectConverged(stack, config);
  report(name, started);
  await stack.destroy();
}
