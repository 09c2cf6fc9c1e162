import t from 'tap';
import {
  Canceled,
  DeadlineExceeded,
  Semaphore,
  StrandError,
  background,
  chan,
  go,
  withCancel,
  withTimeout,
} from '../../../src/index.js';
import { runProgram } from '../_spawn.js';
import { quiesce, reasonOf, thrown } from './_helpers.js';

const opts = { timeout: 10_000 };

t.test('Semaphore.acquire() takes weights at once while they fit, without promises', opts, async (t) => {
  const sem = new Semaphore(10);
  t.equal(sem.acquire(3), undefined);
  t.equal(sem.acquire(7), undefined);
  t.equal(sem.tryAcquire(1), false, 'full');
  sem.release(3);
  t.equal(sem.tryAcquire(2), true);
  t.equal(sem.tryAcquire(), true, 'default weight 1');
  t.equal(sem.tryAcquire(), false);
  sem.release(10);
});

t.test('Semaphore.acquire() parks with reason "semaphore.Weighted.Acquire" until release makes room', opts, async (t) => {
  const sem = new Semaphore(2);
  sem.acquire(2);
  const got = chan<void>(1);
  const id = go(async () => {
    await sem.acquire(2);
    got.trySend();
  });
  await quiesce();
  t.equal(reasonOf(id), 'semaphore.Weighted.Acquire');
  sem.release(1);
  await quiesce();
  t.equal(got.len, 0, 'one unit is not enough for a weight of 2');
  sem.release(1);
  await got.recv();
  t.equal(sem.tryAcquire(), false, 'the waiter holds both units');
  sem.release(2);
});

t.test('Semaphore serves waiters in FIFO order: a large request at the front is not overtaken', opts, async (t) => {
  const sem = new Semaphore(4);
  sem.acquire(4);
  const order: string[] = [];
  const done = chan<void>(3);
  const waiter = (name: string, n: number): void => {
    go(async () => {
      await sem.acquire(n);
      order.push(name);
      done.trySend();
    });
  };
  waiter('big', 3);
  await quiesce();
  waiter('small', 1);
  await quiesce();
  t.equal(sem.tryAcquire(1), false, 'tryAcquire does not overtake waiters');
  sem.release(1); // 1 free: "small" would fit but "big" is first
  await quiesce();
  t.same(order, [], 'nobody overtakes the front waiter');
  sem.release(2); // 3 free: big, then 0 left
  await done.recv();
  t.same(order, ['big']);
  sem.release(1); // small fits now
  await done.recv();
  t.same(order, ['big', 'small']);
  sem.release(4);
});

t.test('Semaphore.acquire() fails with ctx.err() when the context ends first, and holds nothing', opts, async (t) => {
  const sem = new Semaphore(2);
  sem.acquire(2);
  const [ctx, cancel] = withCancel(background());
  const out = chan<unknown>(1);
  go(async () => {
    try {
      await sem.acquire(1, ctx);
      out.trySend('acquired');
    } catch (e) {
      out.trySend(e);
    }
  });
  await quiesce();
  cancel();
  t.equal(await out.recv(), Canceled);
  sem.release(2);
  t.equal(sem.tryAcquire(2), true, 'the abandoned waiter holds nothing');
  sem.release(2);
});

t.test('Semaphore: an abandoned front waiter lets the smaller ones behind it through', opts, async (t) => {
  const sem = new Semaphore(3);
  sem.acquire(2); // 1 free
  const [ctx, cancel] = withCancel(background());
  const out = chan<string>(2);
  go(async () => {
    try {
      await sem.acquire(3, ctx);
    } catch {
      out.trySend('big gave up');
    }
  });
  await quiesce();
  go(async () => {
    await sem.acquire(1);
    out.trySend('small acquired');
  });
  await quiesce();
  t.equal(out.len, 0, 'small waits behind big');
  cancel();
  const got = [await out.recv(), await out.recv()].sort();
  t.same(got, ['big gave up', 'small acquired']);
  sem.release(3);
});

t.test('Semaphore.acquire() with a context that is already done fails even if the weight is free', opts, async (t) => {
  const sem = new Semaphore(1);
  const [ctx, cancel] = withCancel(background());
  cancel();
  t.equal(thrown(() => sem.acquire(1, ctx)), Canceled);
  t.equal(sem.tryAcquire(1), true, 'nothing was taken');
  sem.release(1);
});

t.test('Semaphore.acquire() of more than the size waits until the context is done, without blocking others', opts, async (t) => {
  const sem = new Semaphore(2);
  const [ctx, cancel] = withTimeout(background(), 30);
  const out = chan<unknown>(1);
  go(async () => {
    try {
      await sem.acquire(5, ctx);
    } catch (e) {
      out.trySend(e);
    }
  });
  await quiesce();
  t.equal(sem.acquire(1), undefined, 'others are not held up by the doomed request');
  t.equal(await out.recv(), DeadlineExceeded);
  sem.release(1);
  cancel();
});

t.test('Semaphore.release() of more than held throws "semaphore: released more than held"', opts, async (t) => {
  const sem = new Semaphore(2);
  sem.acquire(1);
  const e = thrown(() => sem.release(2)) as StrandError;
  t.ok(e instanceof StrandError);
  t.equal(e.message, 'semaphore: released more than held');
  t.equal(e.code, 'STRAND_ERR_SYNC');
  sem.release(1);
});

t.test('Semaphore: a goroutine waiting with a timeout context keeps the process alive until the deadline', { timeout: 30_000 }, async (t) => {
  const r = await runProgram(`
    import { go, Semaphore, withTimeout, background } from 'STRAND';
    const sem = new Semaphore(1);
    sem.acquire(1);
    const [ctx] = withTimeout(background(), 200);
    go(async () => {
      try { await sem.acquire(1, ctx); } catch (e) { console.log(e.message); }
    });
  `);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), 'context deadline exceeded');
});
