import t from 'tap';
import { Once, chan, go, sleep } from '../../../src/index.js';
import { quiesce, reasonOf } from './_helpers.js';

const opts = { timeout: 10_000 };

t.test('Once.do() calls fn exactly once', opts, async (t) => {
  const once = new Once();
  let n = 0;
  t.equal(once.do(() => n++), undefined, 'a synchronous fn needs no await');
  once.do(() => n++);
  await once.do(async () => n++);
  t.equal(n, 1);
});

t.test('Once.do(): concurrent callers wait (reason "sync.Once.Do") until the first call finishes', opts, async (t) => {
  const once = new Once();
  const gate = chan<void>();
  let value = 0;
  let calls = 0;
  const seen = chan<number>(3);
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) {
    ids.push(
      go(async () => {
        await once.do(async () => {
          calls++;
          await gate.recv();
          value = 42;
        });
        seen.trySend(value);
      }),
    );
  }
  await quiesce();
  t.equal(reasonOf(ids[1]), 'sync.Once.Do');
  t.equal(reasonOf(ids[2]), 'sync.Once.Do');
  t.equal(seen.len, 0, 'nobody returns before fn finished');
  gate.close();
  for (let i = 0; i < 3; i++) t.equal(await seen.recv(), 42, 'every caller observes the effect');
  t.equal(calls, 1);
});

t.test('Once.do(): if fn throws, the first caller gets the error, the Once is done, waiters return', opts, async (t) => {
  const once = new Once();
  const boom = new Error('boom');
  let calls = 0;
  const waiterDone = chan<string>(1);
  const first = once.do(async () => {
    calls++;
    await sleep(20);
    throw boom;
  });
  go(async () => {
    await once.do(() => calls++);
    waiterDone.trySend('returned');
  });
  await t.rejects(first as Promise<void>, boom);
  t.equal(await waiterDone.recv(), 'returned');
  t.equal(once.do(() => calls++), undefined);
  t.equal(calls, 1, 'fn never called again');
  t.throws(() => new Once().do(() => { throw boom; }), boom, 'a synchronous throw propagates too');
});
