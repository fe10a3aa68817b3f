// The API-server matrix: `bash e2e/cluster.sh matrix npx jest -c test/e2e-apiservers/jest.config.js` (npm run e2e
// runs it), with GUIDE_E2E_APISERVERS naming one kube-apiserver per supported minor.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  preset: 'ts-jest',
  testEnvironment: 'node',
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/test/e2e-apiservers'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/sandbox/setup.js',
  globalTeardown: '<rootDir>/test/sandbox/teardown.js',
  verbose: true,
  testTimeout: 120000,
};
