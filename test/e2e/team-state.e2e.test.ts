// Team state: the dev and prod stacks on Pulumi's PostgreSQL DIY backend (`pulumi login postgres://...`), Debian's
// PostgreSQL started by e2e/state-db.sh, deployed from two machines (two engines: a PULUMI_HOME and a working folder
// each). A second `up` of a stack while one runs is refused with the backend's lock error and the first completes;
// the private keys are in the database only encrypted, and `pulumi stack export` shows none.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigMap, Stack } from '@pulumi/pulumi/automation';
import { generateSelfSigned, SelfSignedPem } from '../../scripts/self-signed';
import { readStackFile } from '../../pulumi/stack-file';
import { clusterOverrides, expectDeployedAsSynthesized } from './deployed';
import { Engine, stackOf, startEngine } from './engine';
import { apiServer, eventually, ok } from './kubectl';

const run = promisify(execFile);

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this suite under \`bash e2e/state-db.sh run ...\` (npm run e2e does), `
      + 'which starts PostgreSQL (the Debian package postgresql)');
  }
  return value;
}

const backendUrl = required('GUIDE_E2E_POSTGRES_URL');
const psql = required('GUIDE_E2E_PSQL');
const password = new URL(backendUrl).password;

/** The backend's connection as libpq's variables: a password on psql's command line would show in `ps`. */
function libpqEnv(url: URL): Record<string, string> {
  return {
    PGHOST: url.hostname, PGPORT: url.port, PGUSER: decodeURIComponent(url.username), PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: url.pathname.slice(1), PGSSLMODE: url.searchParams.get('sslmode') ?? 'prefer',
  };
}

/**
 * The backend's blobs, key and content, from its table (`pulumi_state`, the default): the backend keeps each blob as
 * `{"data": "<base64>"}`, so a key in plain text would only show once decoded. Keys start with the database's name.
 */
function stateBlobs(where = 'true'): { key: string; content: string }[] {
  const r = spawnSync(psql, ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', `SELECT key, data::text FROM pulumi_state WHERE ${where} ORDER BY key`],
    { encoding: 'utf8', env: { PATH: process.env.PATH, ...libpqEnv(new URL(backendUrl)) }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((line) => line !== '').map((line) => {
    const [key, data] = [line.slice(0, line.indexOf('|')), line.slice(line.indexOf('|') + 1)];
    return { key, content: Buffer.from((JSON.parse(data) as { data: string }).data, 'base64').toString('utf8') };
  });
}

const keysOf = (where: string) => stateBlobs(where).map((b) => b.key);

/** `pulumi stack export` of `stack` as a user runs it on machine B: in its working folder, logged in to the backend. */
async function stackExport(stack: Stack, flags: string[] = []): Promise<string> {
  const { stdout } = await run(machineB.cli.command, ['stack', 'export', '--stack', stack.name, ...flags], {
    cwd: stack.workspace.workDir, env: { ...process.env, ...machineB.env, PULUMI_BACKEND_URL: backendUrl }, maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

let machineA: Engine;
let machineB: Engine;
const pems: Record<string, SelfSignedPem> = {};
const configs: Record<string, ConfigMap> = {};

/** The example stack `stack`'s settings in namespace `ns`, the certificate from config (no TLS provider here). */
async function teamConfig(stack: 'dev' | 'prod', ns: string, file: ConfigMap, extra: ConfigMap): Promise<ConfigMap> {
  pems[stack] = await generateSelfSigned({ namespace: ns, days: 30 });
  return {
    ...file,
    ...clusterOverrides(),
    'guide-as-code:namespace': { value: ns, secret: false },
    'guide-as-code:certificateSource': { value: 'config', secret: false },
    'guide-as-code:certificatePem': { value: pems[stack].certificatePem, secret: false },
    'guide-as-code:privateKeyPem': { value: pems[stack].privateKeyPem, secret: true },
    ...extra,
  };
}

/** The first line of the key's PEM body, and the start of the PEM in base64: how a key in plain text would show. */
const plainKeyNeedles = (pem: SelfSignedPem) =>
  [pem.privateKeyPem.split('\n')[1], Buffer.from(pem.privateKeyPem).toString('base64').slice(0, 64)];

beforeAll(async () => {
  expect(apiServer().hostname).toBe('127.0.0.1');
  expect(new URL(backendUrl).hostname).toBe('127.0.0.1');
  [machineA, machineB] = [await startEngine(backendUrl), await startEngine(backendUrl)];
  expect(machineA.pulumiHome).not.toBe(machineB.pulumiHome);
  // Node ports are one per cluster: the team's stacks leave them to the cluster. prod patches a namespace the
  // operator made, and its load balancer is never provisioned on kwok, so its up does not wait for one.
  configs.dev = await teamConfig('dev', 'team-dev', readStackFile('dev'), { 'guide-as-code:nodePorts': { value: '{}', secret: false } });
  // prod's example certificate is an existing Secret; here it comes from config, which reads no Secret name.
  const { 'guide-as-code:existingSecretName': _unread, ...prodFile } = readStackFile('prod');
  configs.prod = await teamConfig('prod', 'team-prod', prodFile, {
    'guide-as-code:nodePorts': { value: '{}', secret: false },
    'guide-as-code:waitForLoadBalancer': { value: 'false', secret: false },
  });
  ok(['create', 'namespace', 'team-prod']);
}, 120_000);

afterAll(() => {
  ok(['delete', 'namespace', 'team-dev', 'team-prod', '--ignore-not-found', '--wait=true', '--timeout=90s']);
});

describe('two machines, one PostgreSQL backend', () => {
  let devOnA: Stack;
  let devOnB: Stack;
  let prodOnB: Stack;

  test('a stack made on one machine is seen from the other', async () => {
    devOnA = await stackOf(machineA, 'dev', configs.dev);
    prodOnB = await stackOf(machineB, 'prod', configs.prod);
    const names = async (stack: Stack) => (await stack.workspace.listStacks()).map((s) => s.name).sort();
    expect(await names(devOnA)).toEqual(['dev', 'prod']);
    expect(await names(prodOnB)).toEqual(['dev', 'prod']);
    expect(keysOf("key LIKE '%/.pulumi/stacks/%' AND key NOT LIKE '%.bak'")).toEqual(
      ['pulumi_state/.pulumi/stacks/guide-as-code/dev.json', 'pulumi_state/.pulumi/stacks/guide-as-code/prod.json']);
  }, 120_000);

  test('while machine A runs `up` of dev, machine B\'s `up` of dev is refused with the lock error; A\'s completes', async () => {
    // Machine A's up in a process of its own, as on another machine; its lock is a row of the backend's table.
    const started = Date.now();
    const upOnA = run(process.execPath, ['--import', 'tsx', join(__dirname, 'up-with-config.ts'), 'dev', JSON.stringify(configs.dev),
      backendUrl], { cwd: join(__dirname, '..', '..'), env: { ...process.env, PULUMI_HOME: machineA.pulumiHome } });
    const [lock] = await eventually('machine A\'s lock in the database', () => {
      const locks = stateBlobs("key LIKE '%/.pulumi/locks/%'");
      return locks.length > 0 ? locks : undefined;
    }, 60_000);
    expect(lock.key).toMatch(/^pulumi_state\/\.pulumi\/locks\/organization\/guide-as-code\/dev\/[0-9a-f-]+\.json$/);
    expect(JSON.parse(lock.content)).toMatchObject({ pid: expect.any(Number), hostname: expect.any(String) });
    devOnB = await stackOf(machineB, 'dev', configs.dev);
    const refused = await devOnB.up().then(() => undefined, (e: Error) => e.message);
    const refusedAt = (Date.now() - started) / 1000;
    expect(refused).toMatch(/the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`/);
    // The lock's URL in the message has the credentials masked.
    expect(refused).toContain('postgres://****:****@127.0.0.1');
    expect(refused).not.toContain(password);
    const outcome = JSON.parse((await upOnA).stdout) as { ok: boolean; result?: string; message?: string };
    expect(outcome).toEqual({ ok: true, result: 'succeeded' });
    process.stdout.write(`team-state: machine B's up of dev refused at ${refusedAt.toFixed(1)} s (locked by machine A); `
      + `machine A's up succeeded after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    expect(keysOf("key LIKE '%/.pulumi/locks/%'")).toEqual([]);
    expectDeployedAsSynthesized(configs.dev);
  }, 240_000);

  test('machine B then sees A\'s deployment: its preview of dev has no changes', async () => {
    const preview = await devOnB.preview({ expectNoChanges: true });
    expect(preview.changeSummary).toEqual({ same: expect.any(Number) });
  }, 120_000);

  test('machine B deploys prod', async () => {
    const up = await prodOnB.up();
    expect(up.summary.result).toBe('succeeded');
    expectDeployedAsSynthesized(configs.prod);
  }, 180_000);

  test('the private keys are in the database only encrypted, and `pulumi stack export` shows neither', async () => {
    const everything = stateBlobs().map((b) => b.content).join('\n');
    for (const stack of ['dev', 'prod'] as const) {
      for (const needle of plainKeyNeedles(pems[stack])) expect(everything.includes(needle)).toBe(false);
      const exported = await stackExport(stack === 'dev' ? devOnB : prodOnB);
      for (const needle of plainKeyNeedles(pems[stack])) expect(exported.includes(needle)).toBe(false);
      // The control: what the passphrase decrypts (`--show-secrets`, which the Automation API's exportStack passes).
      const decrypted = await stackExport(stack === 'dev' ? devOnB : prodOnB, ['--show-secrets']);
      expect(decrypted.includes(plainKeyNeedles(pems[stack])[1])).toBe(true);
      // The key is in the state, as the secrets provider's ciphertext: the checks above look where it would be.
      const secret = (JSON.parse(exported).deployment.resources as { type: string; outputs?: { data?: unknown } }[])
        .find((r) => r.type === 'kubernetes:core/v1:Secret');
      expect(secret?.outputs?.data).toMatchObject({ '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: expect.any(String) });
    }
    expect(everything).toContain('"ciphertext"');
  }, 60_000);

  test('destroy from either machine empties the stacks', async () => {
    expect((await devOnA.destroy()).summary.result).toBe('succeeded');
    expect((await prodOnB.destroy()).summary.result).toBe('succeeded');
    await devOnA.workspace.removeStack('dev');
    await prodOnB.workspace.removeStack('prod');
    expect(keysOf("key LIKE '%/.pulumi/stacks/%' AND key NOT LIKE '%.bak'")).toEqual([]);
  }, 180_000);
});
