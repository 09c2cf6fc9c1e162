import t from 'tap';
import { StrandError, WaitGroup, chan, go } from '../../../src/index.js';
import { quiesce, reasonOf, thrown } from './_helpers.js';

const opts = { timeout: 10_000 };

t.test('WaitGroup.wait() returns at once when the counter is zero', opts, async (t) => {
  const wg = new WaitGroup();
  t.equal(wg.wait(), undefined);
});

t.test('WaitGroup.wait() parks with reason "sync.WaitGroup.Wait" until the counter reaches zero; all waiters wake', opts, async (t) => {
  const wg = new WaitGroup();
  wg.add(2);
  const woke = chan<number>(2);
  const a = go(async () => {
    await wg.wait();
    woke.trySend(1);
  });
  go(async () => {
    await wg.wait();
    woke.trySend(2);
  });
  await quiesce();
  t.equal(reasonOf(a), 'sync.WaitGroup.Wait');
  wg.done();
  await quiesce();
  t.equal(woke.len, 0, 'still one outstanding');
  wg.done();
  t.ok(await woke.recv());
  t.ok(await woke.recv());
});

t.test('WaitGroup.add() below zero throws "sync: negative WaitGroup counter"', opts, async (t) => {
  const wg = new WaitGroup();
  const e = thrown(() => wg.done()) as StrandError;
  t.ok(e instanceof StrandError);
  t.equal(e.message, 'sync: negative WaitGroup counter');
  t.equal(e.code, 'STRAND_ERR_SYNC');
  wg.add(1);
  t.ok(thrown(() => wg.add(-2)) instanceof StrandError);
  wg.done();
  t.equal(wg.wait(), undefined, 'the failed add left the counter unchanged');
});

t.test('WaitGroup.go() runs fn in a goroutine and counts it until it returns', opts, async (t) => {
  const wg = new WaitGroup();
  const gate = chan<void>();
  let finished = 0;
  for (let i = 0; i < 3; i++) {
    wg.go(async () => {
      await gate.recv();
      finished++;
    });
  }
  t.not(wg.wait(), undefined, 'wait blocks while they run');
  gate.close();
  await wg.wait();
  t.equal(finished, 3);
});
