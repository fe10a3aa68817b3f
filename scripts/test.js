#!/usr/bin/env node
// `npm test [-- jest arguments]`: the type check (npm run typecheck) and jest side by side. ts-jest only transpiles,
// so tsc is what checks types; run one after the other, its seconds of parsing were added to every test run. Jest's
// output streams as usual; the type check's is printed after it, and either failing fails the command.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const node = process.execPath;

function run(command, args, stdio, env) {
  const child = spawn(command, args, { cwd: root, stdio, env });
  let output = '';
  if (stdio === 'pipe') {
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
  }
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

// package.json's typecheck script, as npm would run it (its bin folder on PATH) without npm's own start-up.
const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };
const typecheck = run('sh', ['-c', require('../package.json').scripts.typecheck], 'pipe', env);
const jest = run(node, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], 'inherit', process.env);

Promise.all([typecheck, jest]).then(([types, tests]) => {
  if (types.code !== 0) process.stderr.write(`${types.output}\nnpm test: the type check failed (npm run typecheck shows the same)\n`);
  process.exit(tests.code !== 0 ? tests.code : types.code);
});
