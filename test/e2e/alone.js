// The control-plane suites that cannot run beside the others, which jest.config.js runs two at a time. cluster-gone
// stops the API server they all share; stacks applies the example stacks' objects into the namespaces that
// pulumi.e2e's real `up`s of the same stacks own. jest.alone.config.js runs these, one after the other.
'use strict';
module.exports = ['stacks.e2e.test.ts', 'cluster-gone.e2e.test.ts'];
