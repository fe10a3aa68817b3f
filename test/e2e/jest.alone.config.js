// `npm run e2e`, after jest.config.js: the control-plane suites of alone.js, one at a time.
const sideBySide = require('./jest.config.js');
const alone = require('./alone');

/** @type {import('jest').Config} */
module.exports = {
  ...sideBySide,
  testMatch: alone.map((file) => `**/${file}`),
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
};
