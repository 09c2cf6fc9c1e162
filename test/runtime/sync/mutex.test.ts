import t from 'tap';
import { Mutex, StrandError, chan, go, gosched } from '../../../src/index.js';
import { quiesce, reasonOf, thrown } from './_helpers.js';

const opts = { timeout: 10_000 };

t.test('Mutex.lock() on a free mutex completes at once, without a promise', opts, async (t) => {
  const mu = new Mutex();
  t.equal(mu.lock(), undefined);
  mu.unlock();
});

t.test('Mutex.lock() parks with reason "sync.Mutex.Lock" until unlock', opts, async (t) => {
  const mu = new Mutex();
  mu.lock();
  let got = false;
  const id = go(async () => {
    await mu.lock();
    got = true;
    mu.unlock();
  });
  await quiesce();
  t.equal(got, false);
  t.equal(reasonOf(id), 'sync.Mutex.Lock');
  mu.unlock();
  await quiesce();
  t.equal(got, true);
  t.equal(mu.tryLock(), true, 'free again');
  mu.unlock();
});

t.test('Mutex hands the lock to waiters in FIFO order', opts, async (t) => {
  const mu = new Mutex();
  mu.lock();
  const order: number[] = [];
  const done = chan<void>(5);
  for (let i = 0; i < 5; i++) {
    go(async () => {
      await mu.lock();
      order.push(i);
      await gosched(); // hold it across a park
      mu.unlock();
      done.trySend();
    });
  }
  await quiesce();
  mu.unlock();
  for (let i = 0; i < 5; i++) await done.recv();
  t.same(order, [0, 1, 2, 3, 4]);
});

t.test('Mutex.tryLock() fails while locked, and cannot overtake a waiter the lock was handed to', opts, async (t) => {
  const mu = new Mutex();
  t.equal(mu.tryLock(), true);
  t.equal(mu.tryLock(), false, 'already locked');
  const got = chan<void>(1);
  go(async () => {
    await mu.lock();
    got.trySend();
  });
  await quiesce();
  mu.unlock(); // hand-off to the waiter
  t.equal(mu.tryLock(), false, 'the waiter owns it now');
  await got.recv();
  mu.unlock();
  t.equal(mu.tryLock(), true);
  mu.unlock();
});

t.test('Mutex.unlock() of an unlocked mutex throws "sync: unlock of unlocked mutex"', opts, async (t) => {
  const mu = new Mutex();
  const e = thrown(() => mu.unlock());
  t.ok(e instanceof StrandError);
  t.equal((e as StrandError).message, 'sync: unlock of unlocked mutex');
  t.equal((e as StrandError).code, 'STRAND_ERR_SYNC');
});

t.test('Mutex gives mutual exclusion to goroutines that park inside the critical section', opts, async (t) => {
  const mu = new Mutex();
  let inside = 0;
  let maxInside = 0;
  const done = chan<void>(20);
  for (let i = 0; i < 20; i++) {
    go(async () => {
      for (let j = 0; j < 5; j++) {
        await mu.lock();
        inside++;
        maxInside = Math.max(maxInside, inside);
        await gosched();
        inside--;
        mu.unlock();
      }
      done.trySend();
    });
  }
  for (let i = 0; i < 20; i++) await done.recv();
  t.equal(maxInside, 1);
});
