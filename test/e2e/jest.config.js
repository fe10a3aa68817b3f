// `npm run e2e`: the suites that need the control plane e2e/cluster.sh starts (KUBECONFIG must point at it).
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
  // One cluster, one default namespace: the guide's steps run in order, never in parallel.
  maxWorkers: 1,
  verbose: true,
  testTimeout: 120000,
};
