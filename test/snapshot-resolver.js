// Maps test/<name>.test.ts to __snapshots__/<name>.test.ts.snap at the top level, and back.
const path = require('node:path');

const root = path.resolve(__dirname, '..');

module.exports = {
  resolveSnapshotPath: (testPath, extension) =>
    path.join(root, '__snapshots__', path.relative(path.join(root, 'test'), testPath) + extension),
  resolveTestPath: (snapshotPath, extension) =>
    path.join(root, 'test', path.relative(path.join(root, '__snapshots__'), snapshotPath).slice(0, -extension.length)),
  testPathForConsistencyCheck: path.join(root, 'test', 'main.test.ts'),
};
