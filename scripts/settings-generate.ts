// `npm run settings:generate`: writes what lib/settings.ts's table makes, lib/settings.generated.ts and the tables of
// docs/settings.md, after a setting is added or changed. test/settings.test.ts fails while either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTypes, withTables } from './settings-render';

const root = join(__dirname, '..');
writeFileSync(join(root, 'lib', 'settings.generated.ts'), renderTypes());
const docs = join(root, 'docs', 'settings.md');
writeFileSync(docs, withTables(readFileSync(docs, 'utf8')));
console.log('wrote lib/settings.generated.ts and the tables of docs/settings.md');
