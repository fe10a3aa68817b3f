// The docs a newcomer navigates stay true to the code: every construct of the public API is described, and every
// relative link (and its #anchor) leads somewhere. The settings' tables are the schema's own (test/settings.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Construct } from 'constructs';
import * as library from '../lib';

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
