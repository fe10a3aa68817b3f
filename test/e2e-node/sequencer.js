// The real-node suites share one cluster and run one at a time: in name order, with the node-loss suite last, since
// it stops a node for good.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

const LAST = 'node-loss.e2e.test.ts';

class RealNodeSequencer extends Sequencer {
  sort(tests) {
    const rank = (t) => (t.path.endsWith(LAST) ? 1 : 0);
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}

module.exports = RealNodeSequencer;
