import t from 'tap';
import { Cond, Mutex, chan, go } from '../../../src/index.js';
import { quiesce, reasonOf } from './_helpers.js';

const opts = { timeout: 10_000 };

t.test('Cond.wait() releases the lock, parks with reason "sync.Cond.Wait" and relocks before returning', opts, async (t) => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  let ready = false;
  const out = chan<boolean>(1);
  const id = go(async () => {
    // try-first: awaiting a plain value would lose the goroutine's identity for the dump
    const p = mu.lock();
    if (p !== undefined) await p;
    while (!ready) await cond.wait();
    out.trySend(mu.tryLock()); // must be false: we hold it
    mu.unlock();
  });
  await quiesce();
  t.equal(reasonOf(id), 'sync.Cond.Wait');
  t.equal(mu.tryLock(), true, 'wait released the lock');
  ready = true;
  cond.signal();
  mu.unlock();
  t.equal(await out.recv(), false, 'the waiter held the lock when wait returned');
});

t.test('Cond.signal() wakes one waiter, the longest waiting', opts, async (t) => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  const woke = chan<number>(3);
  for (let i = 0; i < 3; i++) {
    go(async () => {
      await mu.lock();
      await cond.wait();
      woke.trySend(i);
      mu.unlock();
    });
  }
  await quiesce();
  cond.signal();
  t.equal(await woke.recv(), 0);
  await quiesce();
  t.equal(woke.len, 0, 'only one woke');
  cond.signal();
  cond.signal();
  t.equal(await woke.recv(), 1);
  t.equal(await woke.recv(), 2);
});

t.test('Cond.broadcast() wakes every waiter', opts, async (t) => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  const woke = chan<number>(4);
  for (let i = 0; i < 4; i++) {
    go(async () => {
      await mu.lock();
      await cond.wait();
      woke.trySend(i);
      mu.unlock();
    });
  }
  await quiesce();
  cond.broadcast();
  const got = new Set<number>();
  for (let i = 0; i < 4; i++) got.add((await woke.recv())!);
  t.equal(got.size, 4);
});
