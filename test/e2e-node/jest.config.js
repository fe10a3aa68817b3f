// The guide's steps on a real node (e2e/node.sh run): jest itself runs inside the node's network namespace.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  preset: 'ts-jest',
  testEnvironment: 'node',
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/test/e2e-node'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  maxWorkers: 1,
  verbose: true,
  testTimeout: 180000,
};
