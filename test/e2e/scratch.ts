// What the e2e suites synthesize and generate, as a user's commands would, but in folders of their own: synth runs
// with the settings given and no GUIDE_* of the caller's, in a new current folder (where it writes its output and looks
// for .keys/), so the working tree's dist/ and .keys/ are neither written nor read, and a user's own files cannot
// change a suite's outcome.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envWithoutSynthSettings } from '../support/helpers';

const ROOT = join(__dirname, '..', '..');

/** `npm run synth` with only `settings`, in a new folder: the path of its output folder (`<folder>/dist`). */
export function synthInScratch(settings: Record<string, string>): string {
  const cwd = mkdtempSync(join(tmpdir(), 'guide-e2e-synth-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'synth.js')], { cwd, encoding: 'utf8', env: { ...envWithoutSynthSettings(), ...settings } });
  if (r.status !== 0) throw new Error(`npm run synth with ${JSON.stringify(settings)} failed:\n${r.stderr}`);
  return join(cwd, 'dist');
}

/** `npm run keys -- <options>` (e.g. --namespace ns) into a new folder of its own: that folder. */
export function keysInScratch(options: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'guide-e2e-keys-'));
  execFileSync(process.execPath, ['--require', require.resolve('sucrase/register/ts'), join(ROOT, 'scripts', 'keys.ts'), '--out', dir, '--force', ...options],
    { cwd: dir, stdio: 'pipe', env: envWithoutSynthSettings() });
  return dir;
}
