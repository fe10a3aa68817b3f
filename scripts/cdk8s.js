#!/usr/bin/env node
// `npx cdk8s ...` in this project (npm ci links node_modules/.bin/cdk8s here, scripts/link-cdk8s.js): the cdk8s CLI of
// package-lock.json, with what `npm run synth` promises:
//   - offline: no check for a newer CLI on the npm registry unless --check-upgrade is given;
//   - `synth` replaces the output folder only when the app succeeded: the CLI empties it before it runs the app, so it
//     synthesizes into a folder beside it, and a bad setting leaves the last output as it was;
//   - a failure is its one-line error (the app's `error:` lines, or the CLI's own message), not a stack trace.
// Everything else is the CLI's, unchanged.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const env = { ...process.env };
if (!args.some((a) => a === '--check-upgrade' || a.startsWith('--check-upgrade='))) env.CDK8S_CHECK_UPGRADE ??= 'false';
// The CLI exports no subpath: its bin is found beside its package.json.
const cli = path.join(path.dirname(require.resolve('cdk8s-cli/package.json', { paths: [__dirname] })), 'bin', 'cdk8s');

const command = args.find((a) => !a.startsWith('-'));
const synth = (command === 'synth' || command === 'synthesize') && !args.some((a) => a === '--stdout' || a === '-p');

/** The output folder the CLI would write: --output/-o, CDK8S_OUTPUT, cdk8s.yaml's `output:`, else dist. */
function outputOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--output' || argv[i] === '-o') return { dir: argv[i + 1], at: i };
    const m = /^--output=(.*)$/.exec(argv[i]);
    if (m) return { dir: m[1], at: i };
  }
  if (env.CDK8S_OUTPUT) return { dir: env.CDK8S_OUTPUT };
  const config = path.join(process.cwd(), 'cdk8s.yaml');
  const configured = fs.existsSync(config) ? /^output:\s*(\S+)/m.exec(fs.readFileSync(config, 'utf8'))?.[1] : undefined;
  return { dir: configured ?? 'dist' };
}

let argv = args;
let output;
let staging;
if (synth) {
  output = outputOf(args);
  staging = `${path.resolve(output.dir)}.next-${process.pid}`;
  argv = output.at === undefined ? [...args, '--output', staging]
    : [...args.slice(0, output.at), '--output', staging, ...args.slice(output.at + (args[output.at].includes('=') ? 1 : 2))];
}

const child = spawn(process.execPath, [cli, ...argv], { env, stdio: ['inherit', synth ? 'pipe' : 'inherit', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => { stderr += d; });
// The files the CLI lists are in the folder beside the output; they are named where they will be.
if (synth) child.stdout.on('data', (d) => process.stdout.write(String(d).split(staging).join(path.resolve(output.dir))));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => {
  const status = code ?? (signal ? 1 : 0);
  if (status === 0) {
    process.stderr.write(stderr);
    if (synth) {
      const dir = path.resolve(output.dir);
      const old = `${dir}.old-${process.pid}`;
      if (fs.existsSync(dir)) fs.renameSync(dir, old);
      fs.renameSync(staging, dir);
      fs.rmSync(old, { recursive: true, force: true });
    }
    process.exit(0);
  }
  if (staging) fs.rmSync(staging, { recursive: true, force: true });
  // The app reports each problem as an `error:` line; the CLI then throws with a stack trace that says no more.
  const lines = stderr.split('\n');
  const reported = lines.filter((l) => l.startsWith('error: '));
  const message = reported.length > 0 ? reported
    : [lines.find((l) => /^\S*Error: /.test(l))?.replace(/^\S*Error: /, 'error: ') ?? stderr.trim()];
  process.stderr.write(`${message.join('\n')}\n`);
  process.exit(status);
});
