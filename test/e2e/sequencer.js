// The control-plane suites run two at a time (jest.config.js): longest first, so no worker is left running a long
// suite alone at the end. Jest's own order (by file size, without timings cached for the folder) ran the longest
// suite last beside nothing: 187 s. The order is what the suites took in a warm run (pulumi 135 s, faults 81 s,
// drift 68 s, guide 38 s, restricted 25 s), which puts this order at about 174 s; the next warm run took 183 s in it
// (drift 83 s there). A suite not listed runs after them, by name.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

// team-state (64 s alone) came later and goes after drift.
const LONGEST_FIRST = ['pulumi.e2e.test.ts', 'faults.e2e.test.ts', 'drift.e2e.test.ts', 'team-state.e2e.test.ts', 'guide.e2e.test.ts',
  'restricted.e2e.test.ts'];

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (t) => {
      const i = LONGEST_FIRST.findIndex((name) => t.path.endsWith(`/${name}`));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}

module.exports = LongestFirstSequencer;
