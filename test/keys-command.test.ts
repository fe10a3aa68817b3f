// `npm run keys` as a user runs it: every argument checked before existing files are kept, and options that npm
// took for itself (given before `--`) named, with the command that works.
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(__dirname, '..', 'scripts', 'keys.ts');
const work = mkdtempSync(join(tmpdir(), 'guide-keys-command-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// As package.json's `keys` script runs it.
const command = (args: string[]) => ['--require', require.resolve('sucrase/register/ts'), script, ...args];
/** The environment without npm's own variables, plus `env`. */
const environment = (env: Record<string, string>) =>
  ({ ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_'))), ...env });

function keys(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, command(args), { cwd: work, env: environment(env), encoding: 'utf8' });
}

/** The same, run concurrently with others: exit code and standard error. */
function keysAsync(args: string[]): Promise<[number, string]> {
  return new Promise((done) => {
    execFile(process.execPath, command(args), { cwd: work, env: environment({}), encoding: 'utf8' },
      (error, _stdout, stderr) => done([error ? Number(error.code) : 0, stderr]));
  });
}

test('writes a certificate for the Service in the namespace, then keeps it; bad arguments fail even when files exist', async () => {
  const first = keys(['--namespace', 'shop', '--days', '30']);
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  const certificate = new X509Certificate(readFileSync(join(work, '.keys', 'tls.crt')));
  expect(certificate.subjectAltName).toBe('DNS:my-nginx, DNS:my-nginx.shop, DNS:my-nginx.shop.svc, DNS:my-nginx.shop.svc.cluster.local');
  expect(keys([]).stdout).toMatch(/^kept \.keys\/tls\.crt and \.keys\/tls\.key/);

  const help = ' (npm run keys -- --help lists the options)\n';
  const cases: [string[], string][] = [
    [['--namespace', 'BAD_NS'], '--namespace "BAD_NS" is not a valid DNS-1123 label: use at most 63 lower-case letters, digits and \'-\', '
      + 'starting and ending with a letter or digit (e.g. "my-nginx") (it is part of the Service\'s DNS names)'],
    [['--service', 'my.nginx'], '--service "my.nginx" is not a valid DNS-1035 label: use at most 63 lower-case letters, digits and \'-\', '
      + 'starting with a letter and ending with a letter or digit (e.g. "my-nginx") (it is the Service\'s DNS name)'],
    [['--days', '0'], '--days "0" is not a whole number of at least 1: use e.g. --days 365'],
    [['--days', '1e3'], '--days "1e3" is not a whole number of at least 1: use e.g. --days 365'],
    [['--out', ''], '--out is empty: name a folder, e.g. --out .keys'],
  ];
  const runs = await Promise.all(cases.map(([args]) => keysAsync(args)));
  expect(runs).toEqual(cases.map(([, message]) => [2, `error: ${message}${help}`]));
}, 60_000);

test('options npm took for itself (`npm run keys --force`) are named, with the command to type instead', () => {
  const run = keys([], { npm_lifecycle_event: 'keys', npm_config_force: 'true', npm_config_namespace: 'true' });
  expect(run.status).toBe(2);
  expect(run.stderr).toBe('error: npm took --force, --namespace for itself (they came before `--`), so this script never saw them: '
    + 'put the options after `--`, e.g. npm run keys -- --force --namespace … (npm run keys -- --help lists the options)\n');
}, 60_000);
