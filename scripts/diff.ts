// `npm run diff -- [git ref]`: what the working tree changes, object by object, against a ref (default: the merge
// base with main). Both are rendered with the same settings (the GUIDE_* synth settings of this environment): every
// file synth writes, and every object each example stack registers (its program under mocks). Key material is
// redacted. Exits 1 only on an error, never on a difference. An untracked .keys/ is not read (the ref has none, so
// its certificate would show as a change), unless GUIDE_TLS_KEYS names the keys to synthesize from.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isSynthSettingName } from '../lib/synth-settings';
import { diffObjects, formatChanges, objectId, RenderedObject } from './review/object-diff';
import { baseBranch } from './review/base-branch';
import { redact } from './review/redact';

const root = join(__dirname, '..');
const USAGE = 'npm run diff -- [git ref]   (default: the merge base of HEAD and the base branch: a pull request\'s base, main or origin/main)';

class DiffError extends Error {}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new DiffError(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function resolveCommit(ref: string): string {
  const resolved = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' });
  if (resolved.status !== 0) {
    throw new DiffError(`"${ref}" is not a commit of this repository: give a branch, tag or commit (${USAGE})`);
  }
  return resolved.stdout.trim();
}

/** The commit's files in a folder of their own, run with this checkout's node_modules. */
function checkout(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'guide-diff-'));
  execFileSync('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', commit, dir], { cwd: root });
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Runs a script of `tree` from `cwd` (a folder without .keys/, unless the settings name keys). */
function run(tree: string, cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, failed) => {
    // Sucrase's require hook for .ts files, by path: it is resolved from the current folder, which is not a project
    // folder here. It leaves node_modules alone, so loading the Pulumi SDK costs what it does in plain Node.
    const register = require.resolve('sucrase/register/ts', { paths: [tree] });
    execFile(process.execPath, ['--require', register, ...args.map((a, i) => (i === 0 ? join(tree, a) : a))],
      { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
        if (error) failed(new DiffError(`${args.join(' ')} failed in ${tree === root ? 'the working tree' : 'the ref'}: ${stderr.trim() || error.message}`));
        else done(stdout);
      });
  });
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? yamlFiles(path) : entry.endsWith('.yaml') ? [path] : [];
  }).sort();
}

interface Rendered { objects: RenderedObject[]; stacks: boolean }

/** Every object a tree's synth writes and its example stacks register, rendered side by side. */
async function render(tree: string, env: NodeJS.ProcessEnv): Promise<Rendered> {
  const out = mkdtempSync(join(tmpdir(), 'guide-diff-out-'));
  const cwd = env.GUIDE_TLS_KEYS !== undefined ? process.cwd() : out;
  try {
    // Versions before the stack renderer existed show the charts only.
    const stacks = existsSync(join(tree, 'scripts', 'stack-objects.ts'));
    const stackNames = stacks ? readdirSync(tree).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort() : [];
    // Versions that render several stacks in one process say so in their usage line; older ones take one each.
    const together = stacks && readFileSync(join(tree, 'scripts', 'stack-objects.ts'), 'utf8').includes('several: {');
    const [, ...rendered] = await Promise.all([
      run(tree, cwd, ['main.ts'], { ...env, CDK8S_OUTDIR: join(out, 'dist') }),
      ...(together && stackNames.length > 1 ? [run(tree, tree, ['scripts/stack-objects.ts', ...stackNames], env)]
        : stackNames.map((stack) => run(tree, tree, ['scripts/stack-objects.ts', stack], env))),
    ]);
    const registrations = together && stackNames.length > 1
      ? stackNames.map((stack) => JSON.stringify((JSON.parse(rendered[0]) as Record<string, unknown>)[stack])) : rendered;
    const objects: RenderedObject[] = [];
    for (const file of yamlFiles(join(out, 'dist'))) {
      const source = `dist/${relative(join(out, 'dist'), file)}`;
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const body = doc.toJS();
        if (body) objects.push({ source, id: objectId(body, '?'), body: redact(body) });
      }
    }
    stackNames.forEach((stack, i) => {
      const registered = JSON.parse(registrations[i]) as { type: string; name: string; inputs: unknown }[];
      for (const r of registered) {
        objects.push({ source: `stack ${stack}`, id: objectId(r.inputs, `${r.type} ${r.name}`), body: redact(r.inputs) });
      }
    });
    return { objects, stacks };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * The ref's rendering, cached in the repository's git folder by commit, installed dependencies and settings: a
 * commit never changes, so reviewing several working-tree edits against one ref renders the ref once.
 */
async function renderRef(commit: string, env: NodeJS.ProcessEnv): Promise<Rendered> {
  const settings = Object.entries(env).filter(([k]) => isSynthSettingName(k)).sort();
  const lock = existsSync(join(root, 'package-lock.json')) ? readFileSync(join(root, 'package-lock.json')) : '';
  const key = createHash('sha256').update(JSON.stringify([commit, settings])).update(lock).digest('hex').slice(0, 16);
  const cacheDir = join(resolve(root, git(['rev-parse', '--git-dir'])), 'guide-diff-cache');
  const cached = join(cacheDir, `${key}.json`);
  // With keys named by the settings the rendering depends on files outside git: never cached.
  const cacheable = env.GUIDE_TLS_KEYS === undefined;
  if (cacheable && existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as Rendered;
  const base = checkout(commit);
  try {
    const rendered = await render(base, env);
    if (cacheable) {
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(cached, JSON.stringify(rendered));
    }
    return rendered;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Whether the working tree's files are exactly the commit's: no tracked file changed, no untracked file unignored. */
function sameAsRef(commit: string): boolean {
  const changed = spawnSync('git', ['diff', '--quiet', commit, '--'], { cwd: root });
  return changed.status === 0 && git(['ls-files', '--others', '--exclude-standard']) === '';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.length > 1) throw new DiffError(`expected at most one git ref, got ${args.length}: ${USAGE}`);
  const ref = args[0] ?? (() => {
    const base = baseBranch(root, process.env);
    if ('problem' in base) throw new DiffError(base.problem);
    return git(['merge-base', 'HEAD', base.found]);
  })();
  const commit = resolveCommit(ref);
  const env = { ...process.env };
  if (env.GUIDE_TLS_KEYS !== undefined) env.GUIDE_TLS_KEYS = resolve(env.GUIDE_TLS_KEYS);
  // A working tree that is the ref (no change to a tracked file, no new file git would see) renders as the ref does.
  const [before, after] = sameAsRef(commit)
    ? await renderRef(commit, env).then((r) => [r, r])
    : await Promise.all([renderRef(commit, env), render(root, env)]);
  const keep = (r: Rendered, other: boolean) => (other ? r.objects : r.objects.filter((o) => !o.source.startsWith('stack ')));
  const changes = diffObjects(keep(before, after.stacks), keep(after, before.stacks));
  process.stdout.write(`# ${ref} -> working tree\n\n`);
  if (!before.stacks || !after.stacks) process.stdout.write(`note: ${before.stacks ? 'the working tree' : ref} cannot render the stacks; comparing the charts only\n\n`);
  process.stdout.write(formatChanges(changes));
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
