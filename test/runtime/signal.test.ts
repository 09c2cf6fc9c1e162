/**
 * os/signal (signal.ts), in process: signals are raised with process.kill(process.pid, …) on
 * SIGUSR2 and SIGHUP (SIGUSR1 belongs to Node's inspector). The exit-rule side (a goroutine
 * waiting for a signal keeps the process alive) is in deadlock.test.ts, in child processes.
 */
import t from 'tap';
import { StrandError, WOULD_BLOCK, background, chan, codes, recv, signal } from '../../src/index.js';
import { runProgram } from './_spawn.js';

const opts = { timeout: 10_000 };
/** Listeners the test runner itself keeps (tap watches some signals): strand's are counted above these. */
const base = { SIGUSR2: process.listenerCount('SIGUSR2'), SIGHUP: process.listenerCount('SIGHUP') };
const ours = (sig: 'SIGUSR2' | 'SIGHUP'): number => process.listenerCount(sig) - base[sig];

t.test('signal.notify() delivers each listed signal on the channel', opts, async (t) => {
  const sigs = chan<NodeJS.Signals>(1);
  signal.notify(sigs, 'SIGUSR2', 'SIGHUP');
  process.kill(process.pid, 'SIGUSR2');
  t.equal(await sigs.recv(), 'SIGUSR2');
  process.kill(process.pid, 'SIGHUP');
  t.equal(await sigs.recv(), 'SIGHUP');
  signal.stop(sigs);
});

t.test('signal.notify() never blocks: a signal arriving while the buffer is full is dropped', opts, async (t) => {
  const sigs = chan<NodeJS.Signals>(1);
  const probe = chan<NodeJS.Signals>(4); // a second registration sees every delivery
  signal.notify(sigs, 'SIGUSR2');
  signal.notify(probe, 'SIGUSR2');
  for (let i = 0; i < 3; i++) {
    process.kill(process.pid, 'SIGUSR2');
    await probe.recv(); // each signal has been delivered (to both channels) before the next
  }
  t.equal(sigs.len, 1, 'one buffered, two dropped');
  t.equal(await sigs.recv(), 'SIGUSR2');
  t.equal(sigs.tryRecv(), WOULD_BLOCK);
  signal.stop(sigs);
  signal.stop(probe);
});

t.test('signal.stop() ends delivery to that channel only; the others keep receiving', opts, async (t) => {
  const a = chan<NodeJS.Signals>(1);
  const b = chan<NodeJS.Signals>(1);
  signal.notify(a, 'SIGUSR2');
  signal.notify(b, 'SIGUSR2');
  signal.stop(a);
  process.kill(process.pid, 'SIGUSR2');
  t.equal(await b.recv(), 'SIGUSR2');
  t.equal(a.tryRecv(), WOULD_BLOCK, 'a stopped channel receives nothing');
  signal.stop(b);
  t.equal(ours('SIGUSR2'), 0, "no listener is left: Node's default action is back");
});

t.test('signal.reset() undoes every notify for a signal', opts, async (t) => {
  const a = chan<NodeJS.Signals>(1);
  signal.notify(a, 'SIGUSR2', 'SIGHUP');
  signal.reset('SIGHUP');
  t.equal(ours('SIGHUP'), 0);
  t.equal(ours('SIGUSR2'), 1, 'other signals stay');
  signal.reset();
  t.equal(ours('SIGUSR2'), 0);
});

t.test('signal.notify() refuses no signals and uncatchable ones with STRAND_ERR_INVALID_ARG', opts, async (t) => {
  const ch = chan<NodeJS.Signals>(1);
  t.throws(() => signal.notify(ch), { code: codes.INVALID_ARG, message: /signal: notify needs at least one signal/ });
  t.throws(() => signal.notify(ch, 'SIGKILL'), { code: codes.INVALID_ARG, message: /cannot catch SIGKILL/ });
  t.throws(() => signal.notify(null as never, 'SIGUSR2'), StrandError);
  t.equal(process.listenerCount('SIGKILL'), 0);
});

t.test('signal.notifyContext() cancels its context when the signal arrives, with the signal as cause', opts, async (t) => {
  const [ctx, stop] = signal.notifyContext(background(), 'SIGUSR2');
  t.equal(ctx.err(), null);
  process.kill(process.pid, 'SIGUSR2');
  await recv(ctx.done());
  t.equal(ctx.err()?.message, 'context canceled');
  const { cause } = await import('../../src/index.js');
  t.match(cause(ctx)?.message, /signal: received SIGUSR2/);
  stop();
  t.equal(ours('SIGUSR2'), 0);
});

t.test('signal.notifyContext() stop() unregisters and cancels', opts, async (t) => {
  const [ctx, stop] = signal.notifyContext(background(), 'SIGHUP');
  stop();
  t.equal(ctx.err()?.message, 'context canceled');
  t.equal(ours('SIGHUP'), 0);
});

t.test('a signal delivered to a closed notified channel is a panic (send on closed channel), exit 2', opts, async (t) => {
  const r = await runProgram(`
    import { chan, signal } from 'STRAND';
    const sigs = chan(1);
    signal.notify(sigs, 'SIGUSR2');
    sigs.close();
    process.kill(process.pid, 'SIGUSR2');
    setTimeout(() => {}, 5000);
  `);
  t.equal(r.code, 2);
  t.match(r.stderr, /^panic: chan: send on closed channel\n/);
});
