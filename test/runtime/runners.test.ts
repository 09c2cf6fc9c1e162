/**
 * Test runners and strand's exit rule: a test file in which a test leaves a goroutine parked
 * passes (a leak is not a deadlock without main), under node:test and under tap, each run
 * directly with node as a user would.
 */
import t from 'tap';
import { runFixture } from './_util.js';

const opts = { timeout: 60_000 };

t.test('runners: a node:test file that leaves a goroutine parked passes every test and exits 0', opts, async (t) => {
  const r = await runFixture('runner-node-test', { nodeArgs: ['--test-reporter=tap'], env: { NODE_OPTIONS: '' } });
  t.equal(r.code, 0, 'exit status 0');
  t.match(r.stdout, /^# pass 2$/m, 'both tests passed');
  t.match(r.stdout, /^# fail 0$/m);
  t.notMatch(r.stderr, /deadlock/);
});

t.test('runners: a tap file that leaves a goroutine parked prints its summary and exits 0', opts, async (t) => {
  const r = await runFixture('runner-tap', { env: { NODE_OPTIONS: '', TAP: '' } });
  t.equal(r.code, 0, 'exit status 0');
  // The TAP stream ends: both tests ok, the plan printed (tap's own summary comment is printed
  // too when it is not itself running under a tap runner, as here).
  t.match(r.stdout, /^ok 1 - leaves a goroutine parked/m);
  t.match(r.stdout, /^ok 2 - a later test still runs/m);
  t.match(r.stdout, /^1\.\.2$/m, 'the plan: the file ran to its end');
  t.notMatch(r.stdout, /^not ok/m);
  t.notMatch(r.stderr, /deadlock/);
});
