/**
 * synctest: Go's own examples ported (a context deadline tested without waiting, a cache with
 * expiry, a ticker-driven loop over virtual hours), each finishing in milliseconds of real time
 * (printed, never asserted), and the bubble's rules: durable blocking, wait(), deadlocks that
 * fail only their own test, panics, misuse.
 */
import t from 'tap';
import { performance } from 'node:perf_hooks';
import {
  DeadlineExceeded,
  Hour,
  Minute,
  Mutex,
  Second,
  WaitGroup,
  after,
  afterFunc,
  background,
  chan,
  go,
  newTicker,
  now,
  recvCase,
  select,
  sleep,
  withTimeout,
  type Chan,
} from '../../src/index.js';
import { BubbleDeadlockError, synctest, testingCodes } from '../../src/testing/index.js';

const opts = { timeout: 20_000 };

/** Runs `fn` and prints how long it took in real time. */
async function timed(t: { comment(...m: unknown[]): void }, name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await fn();
  t.comment(`${name}: ${(performance.now() - t0).toFixed(1)} ms of real time`);
}

t.test('synctest.test(): a context deadline tested without waiting (Go: TestWithTimeout)', opts, async (t) => {
  const seen: (Error | null)[] = [];
  await timed(t, 'context deadline', () =>
    synctest.test(async () => {
      const timeout = 5 * Second;
      const [ctx, cancel] = withTimeout(background(), timeout);
      // Wait just less than the timeout.
      await sleep(timeout - 1);
      await synctest.wait();
      seen.push(ctx.err());
      // Wait the rest of the way until the timeout.
      await sleep(1);
      await synctest.wait();
      seen.push(ctx.err());
      cancel();
    }),
  );
  t.equal(seen[0], null, 'before the timeout: ctx.err() is null');
  t.equal(seen[1], DeadlineExceeded, 'at the timeout: DeadlineExceeded');
});

/** A cache whose entries expire after a TTL; a janitor goroutine sweeps every `ttl`. */
class Cache<V> {
  readonly #items = new Map<string, { v: V; expires: number }>();
  readonly #mu = new Mutex();
  readonly #stop = chan<void>();
  readonly #ttl: number;
  readonly #done = chan<void>();

  constructor(ttl: number) {
    this.#ttl = ttl;
    go(async () => {
      const tk = newTicker(ttl);
      const stop = recvCase(this.#stop), t = recvCase(tk.c);
      for (;;) {
        if ((await select([stop, t])) === 0) break;
        await this.#mu.lock();
        const n = now().getTime();
        for (const [k, e] of this.#items) if (e.expires <= n) this.#items.delete(k);
        this.#mu.unlock();
      }
      tk.stop();
      this.#done.close();
    });
  }

  async set(k: string, v: V): Promise<void> {
    await this.#mu.lock();
    this.#items.set(k, { v, expires: now().getTime() + this.#ttl });
    this.#mu.unlock();
  }

  async get(k: string): Promise<V | undefined> {
    await this.#mu.lock();
    const e = this.#items.get(k);
    this.#mu.unlock();
    return e !== undefined && e.expires > now().getTime() ? e.v : undefined;
  }

  get size(): number {
    return this.#items.size;
  }

  async close(): Promise<void> {
    this.#stop.close();
    await this.#done.recv();
  }
}

t.test('synctest.test(): a cache with expiry, over virtual minutes', opts, async (t) => {
  const got: unknown[] = [];
  const sizes: number[] = [];
  await timed(t, 'cache with expiry', () =>
    synctest.test(async () => {
      const c = new Cache<string>(10 * Minute);
      await c.set('k', 'v');
      await sleep(10 * Minute - 1);
      got.push(await c.get('k')); // still fresh
      await sleep(1);
      got.push(await c.get('k')); // expired at exactly 10 minutes
      await synctest.wait(); // the janitor's sweep at 10 minutes has run
      sizes.push(c.size);
      await c.close();
    }),
  );
  t.same(got, ['v', undefined], 'fresh 1 ms before the TTL, expired at it');
  t.same(sizes, [0], 'the janitor removed the entry');
});

t.test('synctest.test(): a ticker-driven loop over 24 virtual hours', opts, async (t) => {
  let ticks = 0;
  let elapsed = 0;
  await timed(t, 'ticker loop over 24 h', () =>
    synctest.test(async () => {
      const start = now().getTime();
      const tk = newTicker(Minute);
      const deadline = after(24 * Hour);
      const tc = recvCase(tk.c), dc = recvCase(deadline);
      for (;;) {
        if ((await select([tc, dc])) === 1) break;
        ticks++;
      }
      tk.stop();
      elapsed = now().getTime() - start;
    }),
  );
  // At 24 h both the 1440th tick and the deadline are due; the deadline's timer is older, so it
  // fires first and select may see both ready: 1439 or 1440 ticks.
  t.ok(ticks === 1439 || ticks === 1440, `${ticks} ticks, one a minute`);
  t.comment(`${ticks} ticks`);
  t.equal(elapsed, 24 * Hour, 'exactly 24 virtual hours passed');
});

t.test('synctest.test(): sleep(24 h) returns at once, the clock starts at 2000-01-01', opts, async (t) => {
  const times: string[] = [];
  await timed(t, 'sleep 24 h', () =>
    synctest.test(async () => {
      times.push(now().toISOString());
      await sleep(24 * Hour);
      times.push(now().toISOString());
    }),
  );
  t.same(times, ['2000-01-01T00:00:00.000Z', '2000-01-02T00:00:00.000Z']);
});

t.test('synctest.test(): goroutines, afterFunc and a WaitGroup share the virtual clock', opts, async (t) => {
  const log: string[] = [];
  await synctest.test(async () => {
    const start = now().getTime();
    const at = (): number => (now().getTime() - start) / Second;
    const wg = new WaitGroup();
    for (const d of [3, 1, 2]) {
      wg.go(async () => {
        await sleep(d * Second);
        log.push(`g${d}@${at()}`);
      });
    }
    afterFunc(1500, () => void log.push(`f@${at()}`));
    await wg.wait();
    log.push(`done@${at()}`);
  });
  t.same(log, ['g1@1', 'f@1.5', 'g2@2', 'g3@3', 'done@3']);
});

t.test('synctest.wait(): returns once the other goroutines are durably blocked', opts, async (t) => {
  const steps: string[] = [];
  await synctest.test(async () => {
    const c = chan<number>();
    go(async () => {
      steps.push('started');
      const v = await c.recv();
      steps.push(`got ${v}`);
    });
    await synctest.wait();
    steps.push('waited');
    await c.send(1);
    await synctest.wait();
    steps.push('end');
  });
  t.same(steps, ['started', 'waited', 'got 1', 'end']);
});

t.test('synctest.test(): a deadlock rejects that test only, with the bubble report', opts, async (t) => {
  let err: unknown;
  const t0 = performance.now();
  try {
    await synctest.test(async () => {
      const c = chan<number>();
      go(async function sender() {
        await c.send(1);
      });
      await c.recv();
      await c.recv(); // the sender has ended: nobody will ever send again
    });
  } catch (e) {
    err = e;
  }
  t.comment(`deadlock detected after ${(performance.now() - t0).toFixed(1)} ms`);
  t.ok(err instanceof BubbleDeadlockError, 'rejects with a BubbleDeadlockError');
  const e = err as BubbleDeadlockError;
  t.equal(e.code, testingCodes.BUBBLE_DEADLOCK);
  t.match(e.message, /^synctest: deadlock: all goroutines in bubble are blocked/);
  t.match(e.report, /goroutine \d+ \[chan receive \(durable\), synctest bubble \d+/, 'the report names the wait');
  // The process and later tests carry on: a new bubble works.
  await synctest.test(async () => {
    await sleep(Hour);
  });
  t.pass('a later bubble runs normally');
});

t.test('synctest.test(): goroutines left blocked after the function returns fail the test', opts, async (t) => {
  const err = await synctest
    .test(async () => {
      go(async function leaked() {
        await sleep(Hour); // durably blocked; time no longer moves once main has returned
      });
    })
    .catch((e: unknown) => e);
  t.ok(err instanceof BubbleDeadlockError);
  t.match((err as Error).message, /main bubble goroutine has exited but blocked goroutines remain/);
  t.match((err as BubbleDeadlockError).report, /\[sleep \(durable\), synctest bubble/);
});

t.test('synctest.test(): a goroutine that throws fails the test, not the process', opts, async (t) => {
  const err = await synctest
    .test(async () => {
      go(async () => {
        await sleep(Second);
        throw new Error('boom in the bubble');
      });
      await sleep(Hour);
    })
    .catch((e: unknown) => e);
  t.match(err, { message: 'boom in the bubble' });
  const err2 = await synctest
    .test(() => {
      throw new Error('sync throw');
    })
    .catch((e: unknown) => e);
  t.match(err2, { message: 'sync throw' });
});

t.test('synctest: a channel from outside the bubble is not durably blocking', opts, async (t) => {
  const outside: Chan<string> = chan<string>();
  setTimeout(() => outside.trySend('hello'), 30);
  let got: string | undefined;
  let virtual = -1;
  await synctest.test(async () => {
    const start = now().getTime();
    got = await outside.recv(); // real 30 ms: no deadlock reported meanwhile, time stands still
    virtual = now().getTime() - start;
  });
  t.equal(got, 'hello');
  t.equal(virtual, 0, 'virtual time did not move while a goroutine was not durably blocked');
});

t.test('synctest: misuse is reported', opts, async (t) => {
  await t.rejects(synctest.wait(), { code: testingCodes.SYNCTEST_MISUSE }, 'wait outside a bubble');
  const err = await synctest.test(async () => {
    await synctest.test(async () => {});
  }).catch((e: unknown) => e);
  t.match(err, { code: testingCodes.SYNCTEST_MISUSE }, 'a bubble inside a bubble');
});
