// A real Pulumi engine for the e2e suite: the CLI and Kubernetes provider e2e/build.sh built (paths from
// e2e/cluster.sh), a file:// backend (or the one given: the team-state suite's postgres://) and PULUMI_HOME of its own
// in a temporary folder, no plugin downloads, and the program of pulumi/program.ts run inline through the Automation
// API (no Node.js language host is needed). Each engine is one machine: two engines on one backend are a team.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMap, LocalWorkspace, PulumiCommand, PulumiFn, Stack } from '@pulumi/pulumi/automation';
import { guideProgram } from '../../pulumi/program';

export interface Engine {
  /** The folder of the file:// backend: every state file, backup and history entry is under it. */
  readonly backend: string;
  /** What the engine logs in to: `file://<backend>` unless another backend was given. */
  readonly backendUrl: string;
  readonly pulumiHome: string;
  readonly cli: PulumiCommand;
  readonly env: Record<string, string>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e suite with \`npm run e2e\`, which builds the engine`);
  return value;
}

/**
 * Sets up the engine once: its own PULUMI_HOME with the built provider installed from its file, offline, logged in to
 * `backendUrl` (default: a file:// backend of its own).
 */
export async function startEngine(backendUrl?: string): Promise<Engine> {
  const root = required('GUIDE_E2E_PULUMI_ROOT');
  const pluginDir = required('GUIDE_E2E_PULUMI_KUBERNETES');
  const work = mkdtempSync(join(tmpdir(), 'guide-e2e-pulumi-'));
  const backend = join(work, 'state');
  const pulumiHome = join(work, 'home');
  mkdirSync(backend);
  mkdirSync(pulumiHome);
  const env = {
    PULUMI_HOME: pulumiHome,
    // A test passphrase for the test backend's secrets provider.
    PULUMI_CONFIG_PASSPHRASE: 'guide-as-code e2e',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    // Only plugins installed into this PULUMI_HOME count, never one that happens to be on PATH.
    PULUMI_IGNORE_AMBIENT_PLUGINS: 'true',
  };
  const version = readFileSync(join(pluginDir, 'VERSION'), 'utf8').trim();
  execFileSync(join(root, 'bin', 'pulumi'), ['plugin', 'install', 'resource', 'kubernetes', version, '--file',
    join(pluginDir, 'pulumi-resource-kubernetes')], { env: { ...process.env, ...env }, stdio: 'pipe' });
  const cli = await PulumiCommand.get({ root });
  return { backend, backendUrl: backendUrl ?? `file://${backend}`, pulumiHome, cli, env };
}

/**
 * The stack `name` of this project on the engine's backend, running the same program `pulumi up` runs (or `program`,
 * for a control that deploys something else).
 */
export async function stackOf(engine: Engine, name: string, config: ConfigMap, program: PulumiFn = async () => guideProgram()): Promise<Stack> {
  const workDir = mkdtempSync(join(tmpdir(), `guide-e2e-${name}-`));
  const stack = await LocalWorkspace.createOrSelectStack({
    stackName: name,
    projectName: 'guide-as-code',
    program,
  }, {
    workDir,
    pulumiHome: engine.pulumiHome,
    pulumiCommand: engine.cli,
    envVars: engine.env,
    projectSettings: { name: 'guide-as-code', runtime: 'nodejs', backend: { url: engine.backendUrl } },
  });
  await stack.setAllConfig(config);
  return stack;
}
