import t from 'tap';
import {
  Hour,
  Millisecond,
  Minute,
  Second,
  StrandError,
  WOULD_BLOCK,
  after,
  afterFunc,
  chan,
  go,
  goroutines,
  newTicker,
  newTimer,
  recvCase,
  select,
  sleep,
  tick,
  trySelect,
  type Ticker,
  type Timer,
} from '../../src/index.js';
import { quiesce, runProgram } from './_spawn.js';

const opts = { timeout: 10_000 };
/** Tests that spawn Node processes get more time on a loaded machine. */
const childOpts = { timeout: 30_000 };

/** Wait reason of goroutine `id`, or undefined if it is not waiting. */
function reasonOf(id: number): string | undefined {
  const g = goroutines().find((x) => x.id === id);
  return g?.state === 'waiting' ? g.waitReason : undefined;
}

t.test('Millisecond, Second, Minute, Hour are durations in ms', opts, async (t) => {
  t.equal(Millisecond, 1);
  t.equal(Second, 1000);
  t.equal(Minute, 60_000);
  t.equal(Hour, 3_600_000);
});

t.test('sleep() parks the goroutine with wait reason "sleep" for the duration', opts, async (t) => {
  const done = chan<number>();
  const id = go(async () => {
    const t0 = performance.now();
    await sleep(40);
    await done.send(performance.now() - t0);
  });
  await quiesce();
  t.equal(reasonOf(id), 'sleep', 'the dump shows the sleeping goroutine');
  const elapsed = (await done.recv())!;
  t.ok(elapsed >= 39, `slept ${elapsed.toFixed(1)} ms >= 40 ms`);
});

t.test('sleep() with a non-positive duration returns at once', opts, async (t) => {
  const t0 = performance.now();
  await sleep(0);
  await sleep(-5);
  t.ok(performance.now() - t0 < 50);
});

t.test('after() delivers the current time once the duration has passed', opts, async (t) => {
  const t0 = Date.now();
  const c = after(30);
  t.equal(c.tryRecv(), WOULD_BLOCK, 'nothing before the duration');
  const v = await c.recv();
  t.ok(v instanceof Date);
  t.ok(v!.getTime() - t0 >= 29, 'delivered after the duration');
  t.equal(c.tryRecv(), WOULD_BLOCK, 'a timer delivers exactly once');
});

t.test('newTimer() with a non-positive duration delivers at once', opts, async (t) => {
  const tm = newTimer(0);
  t.ok(tm.c.tryRecv() instanceof Date, 'value ready without waiting');
  t.equal(tm.stop(), false, 'already received: stop reports false');
});

t.test('after() works as a timeout case in select', opts, async (t) => {
  const never = chan<number>();
  const msg = recvCase(never);
  const timeout = recvCase(after(20));
  t.equal(trySelect([msg, timeout]), -1, 'not ready before the duration');
  t.equal(await select([msg, timeout]), 1);
  t.ok(timeout.value instanceof Date);
});

t.test('Timer.stop() before it fires returns true and nothing is delivered', opts, async (t) => {
  const tm = newTimer(20);
  t.equal(tm.stop(), true);
  await sleep(50); // time itself is under test
  t.equal(tm.c.tryRecv(), WOULD_BLOCK, 'no value after stop');
  t.equal(tm.stop(), false, 'second stop reports false');
});

t.test('Timer.stop() after it fired but before the value was received discards the stale value (Go 1.23)', opts, async (t) => {
  const tm = newTimer(5);
  await sleep(40);
  t.equal(tm.c.len, 1, 'the timer fired into its buffer');
  t.equal(tm.stop(), true, 'the value was never received: stop reports true');
  t.equal(tm.c.tryRecv(), WOULD_BLOCK, 'no stale value after stop');
});

t.test('Timer.stop() after the value was received returns false', opts, async (t) => {
  const tm = newTimer(5);
  t.ok((await tm.c.recv()) instanceof Date);
  t.equal(tm.stop(), false);
});

t.test('Timer.reset() discards a stale value; the next value comes from the new arming', opts, async (t) => {
  const tm = newTimer(5);
  await sleep(40);
  t.equal(tm.c.len, 1, 'fired, unreceived');
  const t0 = Date.now();
  t.equal(tm.reset(40), true, 'reset reports the unreceived value as pending');
  t.equal(tm.c.tryRecv(), WOULD_BLOCK, 'no stale value after reset');
  const v = await tm.c.recv();
  t.ok(v!.getTime() - t0 >= 39, 'value delivered by the new arming');
  t.equal(tm.reset(10), false, 'reset of an expired, received timer reports false');
  t.ok((await tm.c.recv()) instanceof Date, 'a reset timer fires again');
});

t.test('Timer.reset() of a pending timer postpones it and returns true', opts, async (t) => {
  const t0 = Date.now();
  const tm = newTimer(10);
  t.equal(tm.reset(60), true);
  const v = await tm.c.recv();
  t.ok(v!.getTime() - t0 >= 59, 'fired at the new time, not the old one');
});

t.test('Timer.reset() after stop() re-arms the timer', opts, async (t) => {
  const tm = newTimer(10);
  tm.stop();
  t.equal(tm.reset(10), false, 'stopped timer was not pending');
  t.ok((await tm.c.recv()) instanceof Date);
});

t.test('newTicker() delivers a tick every period', opts, async (t) => {
  const tk = newTicker(10);
  const t0 = Date.now();
  const a = (await tk.c.recv())!;
  const b = (await tk.c.recv())!;
  tk.stop();
  t.ok(a.getTime() - t0 >= 9);
  t.ok(b.getTime() >= a.getTime());
});

t.test('Ticker drops ticks for a slow receiver', opts, async (t) => {
  const tk = newTicker(5);
  await sleep(80); // ~16 periods pass without a receiver
  t.equal(tk.c.len, 1, 'the channel holds one tick; the rest were dropped');
  t.ok(tk.c.tryRecv() instanceof Date);
  t.equal(tk.c.tryRecv(), WOULD_BLOCK, 'no backlog of ticks');
  tk.stop();
});

t.test('Ticker.stop() stops the ticks and discards an unreceived tick', opts, async (t) => {
  const tk = newTicker(5);
  await sleep(30);
  tk.stop();
  t.equal(tk.c.len, 0, 'unreceived tick discarded');
  await sleep(30);
  t.equal(tk.c.tryRecv(), WOULD_BLOCK, 'no tick after stop');
});

t.test('Ticker.reset() changes the period and discards an unreceived tick', opts, async (t) => {
  const tk = newTicker(5);
  await sleep(30);
  const t0 = Date.now();
  tk.reset(50);
  t.equal(tk.c.tryRecv(), WOULD_BLOCK, 'stale tick discarded');
  const v = (await tk.c.recv())!;
  t.ok(v.getTime() - t0 >= 49, 'next tick one new period after the reset');
  tk.stop();
});

t.test('newTicker() and Ticker.reset() reject a non-positive interval', opts, async (t) => {
  t.throws(() => newTicker(0), { message: 'time: non-positive interval for NewTicker', code: 'STRAND_ERR_INVALID_ARG' });
  const tk = newTicker(1000);
  try {
    tk.reset(-1);
    t.fail('reset(-1) should throw');
  } catch (e) {
    t.ok(e instanceof StrandError);
    t.equal((e as StrandError).message, 'time: non-positive interval for Ticker.Reset');
  } finally {
    tk.stop();
  }
});

t.test('tick() delivers ticks; tick(0) never delivers (Go returns a nil channel)', opts, async (t) => {
  const c = tick(5);
  t.ok((await c.recv()) instanceof Date);
  const never = tick(0);
  const nc = recvCase(never);
  const to = recvCase(after(20));
  t.equal(await select([nc, to]), 1, 'tick(0) is never ready');
});

t.test('afterFunc() runs fn in its own goroutine after the duration; c is null', opts, async (t) => {
  const release = chan<void>();
  const started = chan<number>(1);
  const t0 = Date.now();
  const tm = afterFunc(20, async function afterFuncBody() {
    started.trySend(Date.now());
    await release.recv();
  });
  t.equal(tm.c, null);
  const at = (await started.recv())!;
  t.ok(at - t0 >= 19, 'ran after the duration');
  await quiesce();
  const g = goroutines().find((x) => x.fn === 'afterFuncBody');
  t.ok(g, 'fn runs as a goroutine of its own');
  t.equal(g?.waitReason, 'chan receive');
  release.close();
  t.equal(tm.stop(), false, 'stop after the call started reports false');
});

t.test('FuncTimer.stop() prevents the call', opts, async (t) => {
  let called = false;
  const tm = afterFunc(10, () => {
    called = true;
  });
  t.equal(tm.stop(), true);
  await sleep(40);
  t.equal(called, false);
  t.equal(tm.stop(), false, 'second stop reports false');
});

t.test('FuncTimer.reset() re-arms the call', opts, async (t) => {
  const ran = chan<number>(2);
  const tm = afterFunc(10, () => {
    ran.trySend(Date.now());
  });
  t.ok(await ran.recv());
  const t0 = Date.now();
  t.equal(tm.reset(20), false, 'it had fired: not pending');
  const at = (await ran.recv())!;
  t.ok(at - t0 >= 19, 'ran again after the new duration');
});

t.test('a timer fires on time while two goroutines ping-pong endlessly', opts, async (t) => {
  const ping = chan<number>();
  const pong = chan<number>();
  let stop = false;
  go(async function pinger() {
    for (let i = 0; !stop; i++) {
      await ping.send(i);
      await pong.recv();
    }
    ping.close();
  });
  go(async function ponger() {
    for (;;) {
      const [v, ok] = await ping.recvOk();
      if (!ok) return;
      await pong.send(v!);
    }
  });
  const t0 = performance.now();
  const v = await after(30).recv();
  const late = performance.now() - t0 - 30;
  stop = true;
  t.ok(v instanceof Date, 'the timer fired at all');
  t.ok(late < 100, `fired ${late.toFixed(1)} ms late (bound 100 ms)`);
  await quiesce();
});

// ---- what keeps a process alive ------------------------------------------------------------

t.test('a process whose only timer is stopped exits at once', childOpts, async (t) => {
  const r = await runProgram(`
    import { newTimer } from 'STRAND';
    const tm = newTimer(30_000);
    tm.stop();
  `);
  t.equal(r.code, 0, r.stderr);
  t.ok(r.ms < 10_000, `exited after ${r.ms.toFixed(0)} ms, before the 30 s timer`);
});

t.test('a process with only unreceived timers and tickers exits at once (unreferenced timers)', childOpts, async (t) => {
  const r = await runProgram(`
    import { newTimer, after, newTicker, tick } from 'STRAND';
    globalThis.keep = [newTimer(30_000), after(30_000), newTicker(30_000), tick(30_000)];
  `);
  t.equal(r.code, 0, r.stderr);
  t.ok(r.ms < 10_000, `exited after ${r.ms.toFixed(0)} ms`);
});

t.test('a goroutine parked on after() keeps the process alive until the timer fires', childOpts, async (t) => {
  const r = await runProgram(`
    import { go, after } from 'STRAND';
    const t0 = Date.now();
    go(async () => {
      await after(300).recv();
      console.log('fired after', Date.now() - t0);
    });
  `);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^fired after (\d+)/);
  t.ok(Number(/(\d+)/.exec(r.stdout)?.[1]) >= 299, 'waited for the timer');
  t.notMatch(r.stderr, /deadlock/);
});

t.test('a goroutine parked in select on a timer channel keeps the process alive', childOpts, async (t) => {
  const r = await runProgram(`
    import { go, after, chan, select, recvCase } from 'STRAND';
    go(async () => {
      const i = await select([recvCase(chan()), recvCase(after(200))]);
      console.log('case', i);
    });
  `);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), 'case 1');
});

t.test('a pending afterFunc() keeps the process alive; a stopped one does not', childOpts, async (t) => {
  const pending = await runProgram(`
    import { afterFunc } from 'STRAND';
    afterFunc(200, () => console.log('ran'));
  `);
  t.equal(pending.code, 0, pending.stderr);
  t.equal(pending.stdout.trim(), 'ran');
  const stopped = await runProgram(`
    import { afterFunc } from 'STRAND';
    afterFunc(30_000, () => console.log('ran')).stop();
  `);
  t.equal(stopped.code, 0, stopped.stderr);
  t.equal(stopped.stdout, '');
  t.ok(stopped.ms < 10_000, `exited after ${stopped.ms.toFixed(0)} ms`);
});

t.test('an unreferenced ticker is cleared once its channel is garbage-collected', childOpts, async (t) => {
  const r = await runProgram(
    `
    const cleared = [];
    const realClear = globalThis.clearInterval;
    globalThis.clearInterval = (h) => { cleared.push(h); return realClear(h); };
    const { tick } = await import('STRAND');
    (() => { tick(2); })(); // drop the channel at once
    const t0 = Date.now();
    while (cleared.length === 0 && Date.now() - t0 < 3000) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    console.log(cleared.length > 0 ? 'cleared' : 'leaked');
  `,
    { nodeArgs: ['--expose-gc'] },
  );
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), 'cleared');
});

t.test('a timer channel a goroutine waits on is not collected (the goroutine still wakes)', childOpts, async (t) => {
  const r = await runProgram(
    `
    import { go, after } from 'STRAND';
    go(async () => {
      const c = after(300);
      await c.recv();
      console.log('woke');
    });
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
  `,
    { nodeArgs: ['--expose-gc'] },
  );
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), 'woke');
});

t.test('a timer case abandoned by select stops keeping the process alive', childOpts, async (t) => {
  const r = await runProgram(`
    import { go, after, chan, select, recvCase, sleep } from 'STRAND';
    const ch = chan();
    go(async () => {
      console.log('case', await select([recvCase(after(30_000)), recvCase(ch)]));
    });
    await sleep(50);
    ch.trySend(1);
  `);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), 'case 1');
  t.ok(r.ms < 10_000, `exited after ${r.ms.toFixed(0)} ms, long before the 30 s timer`);
});

t.test('Timer[Symbol.dispose]: `using` stops the timer at scope exit, nothing is delivered', opts, async (t) => {
  let tm: Timer;
  {
    using scoped = newTimer(20);
    tm = scoped;
  }
  await sleep(50); // past the duration: time itself is under test
  t.equal(tm.c.tryRecv(), WOULD_BLOCK, 'no value after the scope ended');
  t.equal(tm.stop(), false, 'already stopped by the disposal');
});

t.test('Ticker[Symbol.dispose]: `using` stops the ticker at scope exit, no more ticks', opts, async (t) => {
  let tk: Ticker;
  {
    using scoped = newTicker(10);
    tk = scoped;
    t.ok((await scoped.c.recv()) instanceof Date, 'ticks inside the scope');
  }
  await sleep(50);
  t.equal(tk.c.tryRecv(), WOULD_BLOCK, 'no tick after the scope ended');
});

t.test('FuncTimer[Symbol.dispose]: `using` an afterFunc timer prevents the call at scope exit', opts, async (t) => {
  let called = false;
  {
    using _timer = afterFunc(20, () => {
      called = true;
    });
  }
  await sleep(50);
  t.equal(called, false, 'the function never ran');
});
