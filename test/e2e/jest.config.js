// `npm run e2e`: the suites that need the control plane e2e/cluster.sh starts (KUBECONFIG must point at it), two at a
// time; the ones in alone.js run after them with jest.alone.config.js.
const alone = require('./alone');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  preset: 'ts-jest',
  testEnvironment: 'node',
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // As for the unit tests: every temporary folder of the run (keys, dist/, Pulumi backends) is removed after it.
  globalSetup: '<rootDir>/test/sandbox/setup.js',
  globalTeardown: '<rootDir>/test/sandbox/teardown.js',
  // One cluster: each suite side by side has namespaces, stacks and node ports of its own (the guide's steps use the
  // default namespace, in order, in one file). The engine's steps wait on the cluster more than on the two cores.
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/e2e/sequencer.js',
  testPathIgnorePatterns: ['/node_modules/', ...alone.map((file) => `/${file.replace(/\./g, '\\.')}$`)],
  verbose: true,
  testTimeout: 120000,
};
