// The README's Pulumi steps on a fresh backend, as a newcomer runs them: the real CLI, a home of its own (so `pulumi
// login --local` makes a new ~/.pulumi), the passphrase line, `stack select --create` and `config set` as printed, then
// the stack they made previewed against the e2e cluster by the same program `pulumi up` runs (the README's `pulumi up`
// itself is the real-engine suite's, test/e2e/pulumi.e2e.test.ts, which also deploys the dev stack).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWorkspace } from '@pulumi/pulumi/automation';
import { guideProgram } from '../../pulumi/program';
import { startEngine } from './engine';

const ROOT = join(__dirname, '..', '..');

/** The README's Pulumi block, one command per line, its comments dropped. */
function readmeSteps(): string[] {
  const block = /<!-- pulumi steps -->\n```sh\n([\s\S]*?)\n```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1];
  if (!block) throw new Error('README.md has no <!-- pulumi steps --> block');
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

test('the README\'s steps work on a fresh backend, and the stack they make previews against a cluster', async () => {
  const engine = await startEngine();
  const steps = readmeSteps();
  expect(steps.at(-1)).toBe('pulumi up');
  const home = mkdtempSync(join(tmpdir(), 'guide-readme-home-'));
  const project = mkdtempSync(join(tmpdir(), 'guide-readme-project-'));
  // The project's files as a clone has them (Pulumi.yaml names pulumi/index.ts as its program).
  mkdirSync(join(project, 'pulumi'));
  for (const file of ['Pulumi.yaml', 'Pulumi.dev.yaml', 'pulumi/index.ts']) copyFileSync(join(ROOT, file), join(project, file));
  const bin = join(process.env.GUIDE_E2E_PULUMI_ROOT!, 'bin');
  const env = { PATH: `${bin}:${process.env.PATH}`, HOME: home, PULUMI_HOME: engine.pulumiHome, PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true', PULUMI_IGNORE_AMBIENT_PLUGINS: 'true' };
  // Everything before `pulumi up`, in one shell as a reader types it (the export holds for the lines after it).
  execFileSync('bash', ['-euc', steps.slice(0, -1).join('\n')], { cwd: project, env, stdio: 'pipe' });

  expect(readFileSync(join(project, 'Pulumi.dev.yaml'), 'utf8')).toMatch(/^ {2}guide-as-code:context: kind-guide-dev$/m);
  const stacks = execFileSync('pulumi', ['stack', 'ls', '--json'], { cwd: project, env: { ...env, PULUMI_CONFIG_PASSPHRASE: 'choose one' }, encoding: 'utf8' });
  expect(JSON.parse(stacks).map((s: { name: string }) => s.name)).toEqual(['dev']);
  // The backend is the new ~/.pulumi of this home, not the engine's.
  expect(execFileSync('pulumi', ['whoami', '-v'], { cwd: project, env, encoding: 'utf8' })).toContain(`file://~`);

  // The stack as the README made it, pointed at the e2e cluster: the program previews without an error.
  const context = execFileSync('kubectl', ['config', 'current-context'], { encoding: 'utf8' }).trim();
  const stack = await LocalWorkspace.selectStack({ stackName: 'dev', projectName: 'guide-as-code', program: async () => guideProgram() },
    { workDir: project, pulumiHome: engine.pulumiHome, pulumiCommand: engine.cli,
      envVars: { ...env, PULUMI_CONFIG_PASSPHRASE: 'choose one', KUBECONFIG: process.env.KUBECONFIG! } });
  await stack.setConfig('guide-as-code:context', { value: context });
  // The e2e engine has the Kubernetes provider only (as the real-engine suite: test/e2e/pulumi.e2e.test.ts): the
  // certificate is an existing Secret's instead of @pulumi/tls's.
  await stack.setConfig('guide-as-code:certificateSource', { value: 'existingSecret' });
  const preview = await stack.preview();
  expect(preview.changeSummary.create).toBeGreaterThan(5);
}, 300_000);
