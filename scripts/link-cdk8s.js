#!/usr/bin/env node
// Part of `npm ci` (package.json's prepare): points node_modules/.bin/cdk8s, which npm links to the cdk8s CLI, at
// scripts/cdk8s.js, which runs that same CLI offline and keeps the last output when a synth fails. Only this project's
// own node_modules is touched; the package the library ships has no command of its own.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = path.join(root, 'node_modules', '.bin', 'cdk8s');
if (!fs.existsSync(path.join(root, 'node_modules', 'cdk8s-cli'))) process.exit(0); // installed without devDependencies
fs.rmSync(bin, { force: true });
fs.mkdirSync(path.dirname(bin), { recursive: true });
fs.symlinkSync(path.relative(path.dirname(bin), path.join(__dirname, 'cdk8s.js')), bin);
