// The docs a newcomer navigates stay true to the code: every setting and stack config key has its row, every
// construct of the public API is described, and every relative link (and its #anchor) leads somewhere.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Construct } from 'constructs';
import * as library from '../lib';
import { SYNTH_VARIABLES } from '../lib/synth-settings';
import { STACK_CONFIG_KEYS } from '../pulumi/stack-settings';

const ROOT = join(__dirname, '..');
const DOCS = ['README.md', 'CHANGELOG.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The rows of the table under a heading: the first cell of each, with its backticked names. */
function tableNames(file: string, heading: string): string[] {
  const lines = text(file).split('\n');
  const start = lines.findIndex((l) => l.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`${file} has no heading "${heading}"`);
  const end = lines.findIndex((l, i) => i > start && /^#{1,2} /.test(l));
  const rows = lines.slice(start, end < 0 ? undefined : end).filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

/** GitHub's anchor of a heading: lower case, punctuation but '-' dropped, spaces as '-'. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

test('every GUIDE_* setting has its row in docs/settings.md, and no row names a setting that does not exist', () => {
  const rows = tableNames('docs/settings.md', 'Synth settings');
  expect([...new Set(rows)].sort()).toEqual(Object.keys(SYNTH_VARIABLES).sort());
});

test('every stack config key has its row in docs/settings.md, and no row names a key the program does not read', () => {
  const rows = tableNames('docs/settings.md', 'Stack config');
  expect([...new Set(rows)].sort()).toEqual([...STACK_CONFIG_KEYS].sort());
});

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
