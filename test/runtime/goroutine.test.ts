import t from 'tap';
import {
  Waiter,
  chan,
  go,
  goroutines,
  gosched,
  numGoroutine,
  park,
  ready,
  readyError,
  recvCase,
  select,
  sendCase,
} from '../../src/index.js';
import { quiesce } from './_util.js';

const opts = { timeout: 10_000 };

t.test('go() runs the function synchronously until its first await', opts, async (t) => {
  const log: string[] = [];
  go(async () => {
    log.push('start');
    await null;
    log.push('after await');
  });
  log.push('caller');
  t.same(log, ['start', 'caller'], 'the goroutine ran before go() returned, up to its await');
  await quiesce();
  t.same(log, ['start', 'caller', 'after await']);
});

t.test('go() passes its arguments and returns distinct increasing ids', opts, async (t) => {
  const seen: [string, number][] = [];
  const ids = [
    go((s: string, n: number) => {
      seen.push([s, n]);
    }, 'a', 1),
    go((s: string, n: number) => {
      seen.push([s, n]);
    }, 'b', 2),
    go(async () => {}),
  ];
  t.same(seen, [
    ['a', 1],
    ['b', 2],
  ]);
  t.ok(ids[0] > 1, 'id 1 is reserved for main');
  t.ok(ids[0] < ids[1] && ids[1] < ids[2], `ids increase: ${ids.join(', ')}`);
});

t.test('numGoroutine() counts live goroutines and returns to its baseline', opts, async (t) => {
  await quiesce();
  const base = numGoroutine();
  const ch = chan<void>();
  for (let i = 0; i < 10; i++) {
    go(async () => {
      await ch.recv();
    });
  }
  t.equal(numGoroutine(), base + 10);
  go(() => {}); // a plain function returns at once
  t.equal(numGoroutine(), base + 10, 'a goroutine that returned synchronously is not counted');
  ch.close();
  await quiesce();
  t.equal(numGoroutine(), base);
});

t.test('gosched() lets a pending setImmediate callback run first', opts, async (t) => {
  let ran = false;
  setImmediate(() => {
    ran = true;
  });
  const done = chan<boolean>();
  go(async () => {
    await gosched();
    await done.send(ran);
  });
  t.equal(await done.recv(), true);
});

t.test('gosched() in a loop lets a timer fire', opts, async (t) => {
  let fired = false;
  setTimeout(() => {
    fired = true;
  }, 5);
  const done = chan<number>();
  go(async () => {
    let n = 0;
    while (!fired) {
      await gosched();
      n++;
    }
    await done.send(n);
  });
  const n = await done.recv();
  t.ok(fired);
  t.ok((n ?? 0) > 0, `yielded ${n} times before the timer fired`);
});

t.test('gosched() leaves the goroutine runnable (as Go shows it) until it continues', opts, async (t) => {
  const id = go(async () => {
    await gosched();
  });
  t.equal(goroutines().find((g) => g.id === id)?.state, 'runnable');
  await quiesce();
  t.equal(goroutines().find((g) => g.id === id), undefined);
});

class TestWaiter extends Waiter {
  tag = 'test';
}

t.test('park() parks the goroutine with its wait reason; ready() resumes it with a value', opts, async (t) => {
  const w = new TestWaiter();
  let result: number | undefined;
  const id = go(async function parker() {
    result = await park<number>(w, 'test wait');
  });
  const info = goroutines().find((g) => g.id === id);
  t.equal(info?.state, 'waiting');
  t.equal(info?.waitReason, 'test wait');
  t.equal(info?.fn, 'parker');
  ready(w, 1);
  t.equal(result, undefined, 'ready() never resumes the goroutine synchronously');
  ready(w, 2); // a second ready is a no-op
  readyError(w, new Error('late'));
  await quiesce();
  t.equal(result, 1, 'the first ready wins');
});

t.test('readyError() makes the parked await throw', opts, async (t) => {
  const w = new TestWaiter();
  let caught: unknown;
  go(async () => {
    try {
      await park(w, 'test wait');
    } catch (err) {
      caught = err;
    }
  });
  const err = new Error('wake with error');
  readyError(w, err);
  ready(w, 'ignored');
  await quiesce();
  t.equal(caught, err);
});

t.test('fairness: two goroutines ping-ponging forever do not starve a setTimeout', opts, async (t) => {
  const ping = chan<number>();
  const pong = chan<number>();
  const quit = chan<void>();
  let rounds = 0;
  go(async function pinger() {
    const sc = sendCase(ping, 0);
    const qc = recvCase(quit);
    for (;;) {
      sc.value = rounds;
      if ((await select([sc, qc])) === 1) break;
      await pong.recv();
      rounds++;
    }
    ping.close();
  });
  go(async function ponger() {
    for await (const v of ping) await pong.send(v);
  });
  const start = performance.now();
  await new Promise<void>((resolve) => setTimeout(resolve, 5));
  const elapsed = performance.now() - start;
  const atTimer = rounds;
  quit.close();
  await quiesce();
  // Starvation would mean never; the bound is generous for a loaded machine.
  t.ok(elapsed < 1000, `a 5 ms timer fired after ${elapsed.toFixed(1)} ms while the ping-pong ran`);
  t.ok(atTimer > 0, `the ping-pong was running (${atTimer} round trips)`);
});

t.test('fairness: a try-first ping-pong that never awaits a plain value still lets I/O run', opts, async (t) => {
  const ping = chan<number>();
  const pong = chan<number>();
  let stop = false;
  go(async function pinger() {
    while (!stop) {
      if (!ping.trySend(1)) await ping.send(1);
      let v = pong.tryRecv();
      if (typeof v === 'symbol') v = await pong.recvOrClosed();
    }
    ping.close();
  });
  go(async function ponger() {
    for (;;) {
      let v = ping.tryRecv();
      if (typeof v === 'symbol') v = await ping.recvOrClosed();
      if (typeof v === 'symbol') return;
      if (!pong.trySend(v)) await pong.send(v);
    }
  });
  const start = performance.now();
  await new Promise<void>((resolve) => setImmediate(resolve));
  const elapsed = performance.now() - start;
  stop = true;
  await quiesce();
  t.ok(elapsed < 1000, `setImmediate ran after ${elapsed.toFixed(1)} ms`);
});
