// `npm run diff -- <ref>` against real git refs, in a throwaway repository holding this checkout's files.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { baseBranch } from '../scripts/review/base-branch';
import { writePemFiles } from '../scripts/self-signed';
import { envWithoutSynthSettings, testCertificate } from './support/helpers';

const root = join(__dirname, '..');
let repo: string;

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'guide-diff-repo-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    try { cpSync(join(root, file), join(repo, file)); } catch { /* deleted in the working tree */ }
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'base');
  // After the commit: a symlink is not matched by .gitignore's `node_modules/`.
  symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'));
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

function diff(...args: string[]) {
  return spawnSync(process.execPath, ['--require', 'sucrase/register/ts', 'scripts/diff.ts', ...args], { cwd: repo, env: envWithoutSynthSettings(), encoding: 'utf8' });
}

function editStack(stack: string, edit: (text: string) => string): () => void {
  const file = join(repo, `Pulumi.${stack}.yaml`);
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, edit(original));
  return () => writeFileSync(file, original);
}

test('an unchanged tree shows no object (the tree is the ref, rendered once)', () => {
  const r = diff('HEAD');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('# HEAD -> working tree\n\n0 changed, 0 added, 0 removed\n');
}, 60_000);

// One edit of two stacks' files, both trees rendered: each change is reported on its own, nothing else differs (so the
// renderings are deterministic), and the ref (the merge base with main by default) comes from the cache.
test('a replicas change is one changed object with that line, a dropped check removed objects, an untracked .keys/ nothing; exit 0', async () => {
  const restoreDev = editStack('dev', (t) => t.replace('guide-as-code:replicas: 1', 'guide-as-code:replicas: 3'));
  const restoreProd = editStack('prod', (t) => `${t}  guide-as-code:check: false\n`);
  // `npm run keys` writes .keys/, which git ignores: the ref has none, so reading it would show certificate changes too.
  writePemFiles(join(repo, '.keys'), await testCertificate());
  try {
    const r = diff();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('~ changed Deployment/guide-dev/my-nginx (stack dev)\n@@ ');
    expect(r.stdout).toContain("\n-  replicas: 1\n+  replicas: 3\n");
    expect(r.stdout).toMatch(/\n- removed Job\/guide-prod\/my-nginx-https-check-[0-9a-f]{8} \(stack prod\)\n/);
    // prod is hardened: the check Job's egress policy goes with it.
    expect(r.stdout).toContain('\n- removed NetworkPolicy/guide-prod/curl-deployment-check-egress (stack prod)\n');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('1 changed, 0 added, 2 removed');
    expect(r.stdout).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  } finally {
    restoreDev();
    restoreProd();
    rmSync(join(repo, '.keys'), { recursive: true });
  }
}, 60_000);

test('an unknown ref is an error: one line, exit 1', () => {
  const r = diff('no-such-ref');
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('error: "no-such-ref" is not a commit of this repository: give a branch, tag or commit '
    + '(npm run diff -- [git ref]   (default: the merge base of HEAD and the base branch: a pull request\'s base, main or origin/main))\n');
});

describe('the base branch a clone has', () => {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
  // Run last: each step moves the repository's branches a step further from what the tests above use.
  test('main, then origin/main in a clone without a local main, then a pull request\'s base; with none, what to pass', () => {
    expect(baseBranch(repo, {})).toEqual({ found: 'main' });
    git('checkout', '-q', '-b', 'feature');
    git('update-ref', 'refs/remotes/origin/main', 'main');
    git('branch', '-q', '-D', 'main');
    expect(baseBranch(repo, {})).toEqual({ found: 'origin/main' });
    git('update-ref', 'refs/remotes/origin/release', 'refs/remotes/origin/main');
    expect(baseBranch(repo, { GITHUB_BASE_REF: 'release' })).toEqual({ found: 'origin/release' });
    git('update-ref', '-d', 'refs/remotes/origin/main');
    git('update-ref', '-d', 'refs/remotes/origin/release');
    expect(baseBranch(repo, {})).toEqual({ problem: 'found no base branch to compare with (tried main, origin/main): pass the ref, e.g. npm run '
      + 'diff -- origin/develop, or fetch one (git fetch origin main)' });
    // And npm run diff says it as its one error line.
    const r = diff();
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: ${(baseBranch(repo, {}) as { problem: string }).problem}\n`);
  });
});
