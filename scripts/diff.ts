// `npm run diff -- [git ref]`: what the working tree changes, object by object, against a ref (default: the merge
// base with main). Both are rendered with the same settings (the GUIDE_* synth settings of this environment): every
// file synth writes, and every object each example stack registers (its program under mocks). Key material is
// redacted. Exits 1 only on an error, never on a difference.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { diffObjects, formatChanges, objectId, RenderedObject } from './review/object-diff';
import { redact } from './review/redact';

const root = join(__dirname, '..');
const USAGE = 'npm run diff -- [git ref]   (default: the merge base of HEAD and main)';

class DiffError extends Error {}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new DiffError(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The ref's files in a folder of their own, run with this checkout's node_modules. */
function checkout(ref: string): string {
  const resolved = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' });
  if (resolved.status !== 0) {
    throw new DiffError(`"${ref}" is not a commit of this repository: give a branch, tag or commit (${USAGE})`);
  }
  const commit = resolved.stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'guide-diff-'));
  execFileSync('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', commit, dir], { cwd: root });
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function run(tree: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: tree, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new DiffError(`${args.join(' ')} failed in ${tree === root ? 'the working tree' : 'the ref'}: ${r.stderr.trim()}`);
  return r.stdout;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? yamlFiles(path) : entry.endsWith('.yaml') ? [path] : [];
  }).sort();
}

/** Every object a tree's synth writes and its example stacks register. */
function render(tree: string): { objects: RenderedObject[]; stacks: boolean } {
  const out = mkdtempSync(join(tmpdir(), 'guide-diff-out-'));
  try {
    run(tree, ['main.ts'], { ...process.env, CDK8S_OUTDIR: out });
    const objects: RenderedObject[] = [];
    for (const file of yamlFiles(out)) {
      const source = `dist/${relative(out, file)}`;
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const body = doc.toJS();
        if (body) objects.push({ source, id: objectId(body, '?'), body: redact(body) });
      }
    }
    // Versions before the stack renderer existed show the charts only.
    const stacks = existsSync(join(tree, 'scripts', 'stack-objects.ts'));
    if (stacks) {
      for (const stack of readdirSync(tree).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort()) {
        const registered = JSON.parse(run(tree, ['scripts/stack-objects.ts', stack], process.env)) as { type: string; name: string; inputs: unknown }[];
        for (const r of registered) {
          objects.push({ source: `stack ${stack}`, id: objectId(r.inputs, `${r.type} ${r.name}`), body: redact(r.inputs) });
        }
      }
    }
    return { objects, stacks };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.length > 1) throw new DiffError(`expected at most one git ref, got ${args.length}: ${USAGE}`);
  const ref = args[0] ?? git(['merge-base', 'HEAD', 'main']);
  const base = checkout(ref);
  try {
    const before = render(base);
    const after = render(root);
    const keep = (r: { objects: RenderedObject[]; stacks: boolean }, other: boolean) =>
      (other ? r.objects : r.objects.filter((o) => !o.source.startsWith('stack ')));
    const changes = diffObjects(keep(before, after.stacks), keep(after, before.stacks));
    process.stdout.write(`# ${ref} -> working tree\n\n`);
    if (!before.stacks || !after.stacks) process.stdout.write(`note: ${before.stacks ? 'the working tree' : ref} cannot render the stacks; comparing the charts only\n\n`);
    process.stdout.write(formatChanges(changes));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
