#!/usr/bin/env node
// `npm run synth [-- --output DIR]`: what `cdk8s synth` does, without its CLI's start-up cost and without emptying
// dist/ first. It runs the precompiled app (build/main.js, compiled again when a source is newer) into a new folder
// and puts that in place of the output folder (default dist/, relative to the current folder, which is also where
// .keys/ is looked for) only when synthesis succeeded, so bad settings leave the previous output as it was and print
// one error line.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'build', 'main.js');

/** The output folder: `--output DIR` (as `cdk8s synth` names it), else the CLI's CDK8S_OUTDIR, else dist/. */
function outputDir(args) {
  // `cdk8s synth` (cdk8s.yaml's app) runs this with the folder it reads back in CDK8S_OUTDIR.
  if (args.length === 0) return process.env.CDK8S_OUTDIR || 'dist';
  if ((args[0] === '--output' || args[0] === '-o') && args.length === 2 && args[1] !== '') return args[1];
  process.stderr.write(`error: unexpected arguments ${JSON.stringify(args)}: use npm run synth -- [--output DIR]\n`);
  process.exit(2);
}
const dist = path.resolve(outputDir(process.argv.slice(2)));

/** Newest modification time of the app's sources (main.ts, lib/, the compiler settings), in ms. */
function newestSource() {
  let newest = 0;
  const visit = (file) => {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
    } else if (/\.(ts|json)$/.test(file)) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const source of ['main.ts', 'lib', 'tsconfig.json', 'tsconfig.build.json']) visit(path.join(root, source));
  return newest;
}

/** Runs `fn` holding a lock folder, so synths started side by side compile build/ once, not over each other. */
function withBuildLock(fn) {
  const lock = path.join(root, 'build.lock');
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock left by a killed process is older than any compile takes.
      if (Date.now() - fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      if (Date.now() - started > 600_000) throw new Error(`${lock} is held for 10 minutes: remove it if no synth is running`);
    }
  }
  try {
    fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function ensureBuilt() {
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource()) return;
  withBuildLock(compile);
}

function compile() {
  // Another synth may have compiled while this one waited for the lock.
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource()) return;
  process.stderr.write('compiling main.ts and lib/ to build/ (a source changed since the last build)\n');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')],
    { cwd: root, encoding: 'utf8' });
  if (tsc.status !== 0) {
    process.stderr.write(`${tsc.stdout}${tsc.stderr}error: TypeScript did not compile; dist/ is unchanged\n`);
    process.exit(1);
  }
  // tsc leaves an unchanged output file's time alone; the check above compares against this one.
  const now = new Date();
  fs.utimesSync(built, now, now);
}

ensureBuilt();
// `cdk8s synth --format helm` runs the app into the chart's templates/, beside the Chart.yaml it scaffolded: a chart
// holds one deployable state, so the app writes the final state alone, and the chart takes the product's name (the
// CLI names it after the current folder).
const chartYaml = path.join(dist, '..', 'Chart.yaml');
const helm = path.basename(dist) === 'templates' && fs.existsSync(chartYaml);
if (helm) process.env.CDK8S_DEPLOYABLE_ONLY = 'true';
const next = `${dist}.next-${process.pid}`;
fs.rmSync(next, { recursive: true, force: true });
// Runs on the app's process.exit(1) after a one-line error, and on any throw: nothing half-written stays behind.
process.on('exit', (code) => {
  if (code !== 0) fs.rmSync(next, { recursive: true, force: true });
});
process.env.CDK8S_OUTDIR = next;
require(built);

const old = `${dist}.old-${process.pid}`;
if (fs.existsSync(dist)) fs.renameSync(dist, old);
fs.renameSync(next, dist);
fs.rmSync(old, { recursive: true, force: true });
if (helm) {
  const { name, description } = require('../package.json');
  const chart = fs.readFileSync(chartYaml, 'utf8').replace(/^name: .*$/m, `name: ${name}`).replace(/^description: .*$/m, `description: ${JSON.stringify(description)}`);
  fs.writeFileSync(chartYaml, chart);
}
