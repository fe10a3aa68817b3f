// Jest's global setup: every temporary folder the tests make (their own, cdk8s' Testing.app() outdirs, the diff
// command's checkouts) goes under one folder of this run, which teardown.js removes, so no run leaves any behind.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-test-run-'));
  globalThis.guideTestTmpdir = { dir, before: process.env.TMPDIR };
  // Workers start after global setup and inherit this environment; os.tmpdir() reads TMPDIR on every call.
  process.env.TMPDIR = dir;
  // Where test helpers share what one run computes once (test/support/helpers.ts testCertificate); not GUIDE_*, which
  // synth reads as its own settings.
  process.env.JEST_GUIDE_RUN_DIR = dir;
};
