// The guide's steps on a real node (e2e/node.sh run): jest itself runs inside the node's network namespace. The same
// settings as the control-plane suite, with its own tests and more time (pods really start).
const controlPlane = require('../e2e/jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...controlPlane,
  roots: ['<rootDir>/test/e2e-node'],
  testPathIgnorePatterns: ['/node_modules/'],
  // One at a time: the load tests' timing is the point, and the suites share the nodes' default namespace.
  maxWorkers: 1,
  testTimeout: 180000,
  testSequencer: '<rootDir>/test/e2e-node/sequencer.js',
};
