/** procsFromArgs, resolveProcs and sharing: the parsing and the per-Node-line choice. */
import t from 'tap';
import { availableParallelism } from 'node:os';
import { procsFromArgs, resolveProcs, reusePortAvailable, sharing, procsCodes, workerId } from '../../src/procs/index.js';

t.test('procsFromArgs() reads --procs, then STRAND_PROCS, default 1', { timeout: 5_000 }, async (t) => {
  t.equal(procsFromArgs([], {}), 1);
  t.equal(procsFromArgs(['--procs', '3'], {}), 3);
  t.equal(procsFromArgs(['--addr', 'x', '--procs=4'], {}), 4);
  t.equal(procsFromArgs([], { STRAND_PROCS: '2' }), 2);
  t.equal(procsFromArgs(['--procs', '5'], { STRAND_PROCS: '2' }), 5, 'the flag wins');
  t.equal(procsFromArgs(['--procs', 'auto'], {}), availableParallelism());
  t.equal(procsFromArgs([], { STRAND_PROCS: 'auto' }), availableParallelism());
  t.equal(procsFromArgs(['--', '--procs', '9'], {}), 1, 'nothing after --');
});

t.test('procsFromArgs() refuses what is not a positive integer or auto', { timeout: 5_000 }, async (t) => {
  for (const bad of [['--procs', '0'], ['--procs', '-1'], ['--procs', '1.5'], ['--procs', 'many'], ['--procs']]) {
    t.throws(() => procsFromArgs(bad, {}), { code: 'STRAND_ERR_INVALID_ARG', message: /^procs: / }, bad.join(' '));
  }
  t.throws(() => procsFromArgs([], { STRAND_PROCS: 'x' }), { code: 'STRAND_ERR_INVALID_ARG', message: /STRAND_PROCS/ });
  t.throws(() => resolveProcs(0), { code: 'STRAND_ERR_INVALID_ARG' });
  t.equal(resolveProcs('auto'), availableParallelism());
});

t.test('sharing() is reusePort on Linux with Node >= 22.12 / 23.1, cluster elsewhere', { timeout: 5_000 }, async (t) => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const capable = process.platform === 'linux' && (major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12));
  t.equal(reusePortAvailable(), capable);
  t.equal(sharing('auto'), capable ? 'reusePort' : 'cluster');
  t.equal(sharing('reusePort'), capable ? 'reusePort' : 'cluster', 'never fails for lack of reusePort');
  t.equal(sharing('cluster'), 'cluster');
  t.throws(() => sharing('nope' as 'cluster'), { code: 'STRAND_ERR_INVALID_ARG' });
});

t.test('workerId() is 0 outside a supervisor; codes are stable', { timeout: 5_000 }, async (t) => {
  t.equal(workerId(), 0);
  t.equal(procsCodes.START_FAILED, 'STRAND_ERR_PROCS_START_FAILED');
});
