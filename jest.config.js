/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // Jest's default is one worker fewer than the cores: on the 2-core machines here, one. The test files are mostly
  // child processes (synth, keys, diff), so two workers keep both cores busy.
  maxWorkers: 2,
  // A timeout guards against a hang, not a slow machine: a test that makes RSA keys took over jest's 5 s default on a
  // loaded 2-core machine. What a test asserts never depends on how fast it runs (bench/ measures speed).
  testTimeout: 120_000,
  // @pulumi/pulumi keeps its runtime state on the global object; Jest's soft clean-up of globals only warns about it.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The e2e suites need a running control plane or node; `npm run e2e` runs them with their own configs.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/e2e-node/', '<rootDir>/test/e2e-apiservers/'],
  // Snapshots live in the top-level __snapshots__/ so a PR's manifest diff is one folder to review.
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  // tsconfig.json's isolatedModules makes ts-jest transpile only: `npm test` type-checks everything with tsc first.
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/sandbox/setup.js',
  globalTeardown: '<rootDir>/test/sandbox/teardown.js',
};
