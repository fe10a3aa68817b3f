// Jest's global teardown: removes the run's temporary folder that setup.js made.
'use strict';
const fs = require('node:fs');

module.exports = async function teardown() {
  const { dir, before } = globalThis.guideTestTmpdir;
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
  delete process.env.JEST_GUIDE_RUN_DIR;
  fs.rmSync(dir, { recursive: true, force: true });
};
