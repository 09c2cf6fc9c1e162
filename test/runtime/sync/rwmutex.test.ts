import t from 'tap';
import { RWMutex, StrandError, chan, go } from '../../../src/index.js';
import { quiesce, reasonOf, thrown } from './_helpers.js';

const opts = { timeout: 10_000 };

t.test('RWMutex.rLock() admits many readers at once, without promises', opts, async (t) => {
  const mu = new RWMutex();
  t.equal(mu.rLock(), undefined);
  t.equal(mu.rLock(), undefined);
  t.equal(mu.tryRLock(), true);
  t.equal(mu.tryLock(), false, 'no writer while readers hold it');
  mu.rUnlock();
  mu.rUnlock();
  mu.rUnlock();
  t.equal(mu.tryLock(), true, 'free once the readers left');
  t.equal(mu.tryRLock(), false, 'no reader while a writer holds it');
  mu.unlock();
});

t.test('RWMutex.lock() waits for readers with reason "sync.RWMutex.Lock"', opts, async (t) => {
  const mu = new RWMutex();
  mu.rLock();
  let wrote = false;
  const id = go(async () => {
    await mu.lock();
    wrote = true;
    mu.unlock();
  });
  await quiesce();
  t.equal(reasonOf(id), 'sync.RWMutex.Lock');
  t.equal(wrote, false);
  mu.rUnlock();
  await quiesce();
  t.equal(wrote, true);
});

t.test('RWMutex: a waiting writer blocks new readers (writer preference)', opts, async (t) => {
  const mu = new RWMutex();
  const events: string[] = [];
  mu.rLock(); // reader 1 holds it
  go(async function writer() {
    await mu.lock();
    events.push('writer');
    mu.unlock();
  });
  await quiesce();
  t.equal(mu.tryRLock(), false, 'tryRLock fails while a writer waits');
  const rid = go(async function reader2() {
    await mu.rLock();
    events.push('reader2');
    mu.rUnlock();
  });
  await quiesce();
  t.equal(reasonOf(rid), 'sync.RWMutex.RLock', 'new reader waits behind the writer');
  mu.rUnlock(); // reader 1 leaves: the writer goes first, then reader 2
  await quiesce();
  t.same(events, ['writer', 'reader2']);
});

t.test('RWMutex.unlock() releases every reader that queued during the write before the next writer', opts, async (t) => {
  const mu = new RWMutex();
  mu.lock();
  const events: string[] = [];
  const readersIn = chan<void>(3);
  const release = chan<void>();
  for (let i = 0; i < 3; i++) {
    go(async () => {
      await mu.rLock();
      events.push(`r${i}`);
      readersIn.trySend();
      await release.recv();
      mu.rUnlock();
    });
  }
  await quiesce();
  go(async () => {
    await mu.lock();
    events.push('w2');
    mu.unlock();
  });
  await quiesce();
  mu.unlock();
  for (let i = 0; i < 3; i++) await readersIn.recv();
  t.same(events, ['r0', 'r1', 'r2'], 'all three readers hold it together');
  release.close();
  await quiesce();
  t.same(events, ['r0', 'r1', 'r2', 'w2'], 'then the second writer');
});

t.test('RWMutex unlock errors: "sync: RUnlock of unlocked RWMutex", "sync: Unlock of unlocked RWMutex"', opts, async (t) => {
  const mu = new RWMutex();
  const e1 = thrown(() => mu.rUnlock()) as StrandError;
  t.equal(e1.message, 'sync: RUnlock of unlocked RWMutex');
  t.equal(e1.code, 'STRAND_ERR_SYNC');
  const e2 = thrown(() => mu.unlock()) as StrandError;
  t.equal(e2.message, 'sync: Unlock of unlocked RWMutex');
  t.equal(e2.code, 'STRAND_ERR_SYNC');
});

t.test('RWMutex.rLocker() locks for reading', opts, async (t) => {
  const mu = new RWMutex();
  const l = mu.rLocker();
  await l.lock();
  t.equal(mu.tryRLock(), true, 'other readers still admitted');
  t.equal(mu.tryLock(), false);
  mu.rUnlock();
  l.unlock();
  t.equal(mu.tryLock(), true);
  mu.unlock();
});
