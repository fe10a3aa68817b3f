// The API-server matrix: `bash e2e/cluster.sh matrix npx jest -c test/e2e-apiservers/jest.config.js` (npm run e2e
// runs it), with GUIDE_E2E_APISERVERS naming one kube-apiserver per supported minor. The control-plane suite's
// settings, with its own tests: one file, so one worker and no sequencer.
const controlPlane = require('../e2e/jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...controlPlane,
  roots: ['<rootDir>/test/e2e-apiservers'],
  testPathIgnorePatterns: ['/node_modules/'],
  testSequencer: undefined,
  maxWorkers: 1,
};
