// The docs a newcomer navigates stay true to the code: every construct of the public API is described, and every
// relative link (and its #anchor) leads somewhere. The settings' tables are the schema's own (test/settings.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Construct } from 'constructs';
import * as library from '../lib';
import { envWithoutSynthSettings } from './support/helpers';

const ROOT = join(__dirname, '..');
const DOCS = ['README.md', 'CHANGELOG.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation but '-' dropped, spaces as '-'. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

test('every construct of the public API is described in docs/constructs.md', () => {
  const constructs = Object.entries(library)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Construct).map(([name]) => name);
  expect(constructs.length).toBeGreaterThanOrEqual(6);
  const page = text('docs/constructs.md');
  expect(constructs.filter((name) => !page.includes(`\`${name}\``))).toEqual([]);
});

test('every relative link of the README and docs leads to a file, and every #anchor to a heading of it', () => {
  const broken: string[] = [];
  for (const file of DOCS) {
    for (const [, target] of text(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const linked = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), path));
      let content: string;
      try {
        content = text(linked);
      } catch {
        broken.push(`${file}: ${target} (no file ${linked})`);
        continue;
      }
      if (anchor !== undefined) {
        const anchors = content.split('\n').filter((l) => /^#+ /.test(l)).map((l) => anchorOf(l.replace(/^#+ /, '')));
        if (!anchors.includes(anchor)) broken.push(`${file}: ${target} (no heading #${anchor} in ${linked})`);
      }
    }
  }
  expect(broken).toEqual([]);
});

test('docs/settings.md\'s walkthrough works top to bottom up to the cluster: its keys, then its synth, in a fresh folder', () => {
  const block = /<!-- walkthrough -->\n```sh\n([\s\S]*?)\n```/.exec(text('docs/settings.md'))?.[1];
  expect(block).toBeDefined();
  const lines = block!.split('\n').map((l) => l.replace(/\s+#.*$/, '')).filter((l) => /^(GUIDE_\S+ )*npm run (keys|synth)\b/.test(l));
  expect(lines.map((l) => l.replace(/ .*npm run /, ' npm run ').split(' -- ')[0])).toEqual(['npm run keys', 'GUIDE_NAMESPACE=shop npm run synth']);
  const cwd = mkdtempSync(join(tmpdir(), 'guide-walkthrough-'));
  try {
    // A plain `npm run keys` before (the certificate section's), which the walkthrough's keys must replace.
    const commands = ['npm run keys', ...lines].map((line) => {
      const vars = Object.fromEntries([...line.matchAll(/(GUIDE_\w+)=(\S+) /g)].map((m) => [m[1], m[2]]));
      const [, script, rest] = /npm run (\w+)(?: -- (.*))?$/.exec(line)!;
      const argv = script === 'keys' ? ['--require', 'sucrase/register/ts', join(ROOT, 'scripts', 'keys.ts'), ...(rest ?? '').split(' ').filter(Boolean)]
        : [join(ROOT, 'scripts', 'synth.js')];
      return { vars, argv };
    });
    for (const { vars, argv } of commands) {
      const r = spawnSync(process.execPath, argv, { cwd, env: { ...envWithoutSynthSettings(), NODE_PATH: join(ROOT, 'node_modules'), ...vars }, encoding: 'utf8' });
      expect({ argv: argv.slice(-3), status: r.status, stderr: r.stderr.replace(/^compiling .*\n/, '') }).toEqual({ argv: argv.slice(-3), status: 0, stderr: '' });
    }
    expect(readdirSync(join(cwd, 'dist'))).toContain('guide-final-state.k8s.yaml');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('every GUIDE_E2E_* variable the e2e scripts and suites use is in docs/testing.md\'s table, and the table names no other', () => {
  const sources = (dir: string): string[] => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(sh|ts|js)$/.test(f)).map((f) => join(dir, f));
  const used = new Set([...sources('e2e'), ...sources('test'), '.ci/run', 'bench/e2e']
    .flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/GUIDE_E2E_[A-Z_]+/g)].map((m) => m[0])));
  const page = text('docs/testing.md');
  const table = page.slice(page.indexOf('### The e2e variables'), page.indexOf('## Benchmarks'));
  const listed = new Set([...table.matchAll(/^\|([^|]+)\|/gm)].flatMap(([, cell]) => [...cell.matchAll(/GUIDE_E2E_[A-Z_]+/g)].map((m) => m[0])));
  expect(used.size).toBeGreaterThanOrEqual(15);
  expect([...used].filter((v) => !listed.has(v)).sort()).toEqual([]);
  expect([...listed].filter((v) => !used.has(v)).sort()).toEqual([]);
});
