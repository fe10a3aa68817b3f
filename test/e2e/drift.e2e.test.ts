// The cluster disagreeing with the stack's state, on the real engine: drift made with kubectl, found by a refreshing
// preview and undone by `up --refresh`; and an object the API server refuses half-way through `up`, then `destroy`.
// Drift ends converged (faults.ts) and prints `fault: drift: converged in <s> s`.
import { EngineEvent } from '@pulumi/pulumi/automation';
import { objectsIn } from './deployed';
import { expectConverged, faultStacks, report } from './faults';
import { eventually, getJson, kubectl, ok } from './kubectl';

const faultStack = faultStacks();

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
    // Another Service already holds the node port, so the API server refuses the stack's Service. The port is in the
    // range's lower band, which the API server hands out at random only once the rest is taken: no suite beside this
    // one gets it by chance.
    ok(['create', 'namespace', squatter]);
    ok(['-n', squatter, 'create', 'service', 'nodeport', 'squatter', '--tcp=443:443', '--node-port=30085']);
    const { stack } = await faultStack('fault-failed', ns, { 'guide-as-code:nodePorts': { value: '{"https": 30085}', secret: false } });
    const started = Date.now();
    const error = await stack.up().then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/30085.*already allocated|provided port is already allocated/s);
    // Half-way: what came before the Service exists.
    expect(objectsIn(ns)).toEqual(expect.arrayContaining(['configmap/nginxconfigmap', 'secret/nginxsecret']));
    await stack.destroy();
    await eventually('the namespace to be gone', () => (kubectl(['get', 'namespace', ns]).status !== 0 ? true : undefined), 90_000);
    expect(((await stack.exportStack()).deployment as { resources?: unknown[] }).resources ?? []).toEqual([]);
    process.stdout.write(`fault: failed up, then destroy: nothing left in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, 300_000);
});
