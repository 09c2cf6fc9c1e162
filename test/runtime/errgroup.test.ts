import t from 'tap';
import {
  Canceled,
  Group,
  StrandError,
  background,
  cause,
  chan,
  groupWithContext,
  sleep,
  withCancel,
} from '../../src/index.js';
import { quiesce } from './_spawn.js';

const opts = { timeout: 10_000 };

t.test('Group.wait() resolves once every goroutine has returned', opts, async (t) => {
  const g = new Group();
  t.equal(g.wait(), undefined, 'nothing running: returns at once');
  const gate = chan<void>();
  let n = 0;
  for (let i = 0; i < 3; i++) {
    g.go(async () => {
      await gate.recv();
      n++;
    });
  }
  const p = g.wait();
  t.ok(p instanceof Promise, 'waits while they run');
  gate.close();
  await p;
  t.equal(n, 3);
});

t.test('Group.wait() rejects with the first error; later errors are dropped', opts, async (t) => {
  const g = new Group();
  const first = new Error('first');
  const gate = chan<void>();
  g.go(async () => {
    throw first;
  });
  g.go(async () => {
    await gate.recv();
    throw new Error('second');
  });
  g.go(() => 'a synchronous success');
  await quiesce();
  gate.close();
  await t.rejects(g.wait() as Promise<void>, first);
  t.throws(() => g.wait(), first, 'and again on a later wait');
});

t.test('groupWithContext(): the first error cancels the context with that error as cause', opts, async (t) => {
  const [g, ctx] = groupWithContext(background());
  const boom = new Error('boom');
  const sawCancel = chan<Error | null>(1);
  g.go(async () => {
    await ctx.done()!.recv();
    sawCancel.trySend(ctx.err());
  });
  g.go(async () => {
    throw boom;
  });
  t.equal(await sawCancel.recv(), Canceled, 'the sibling saw the context cancelled');
  t.equal(cause(ctx), boom);
  await t.rejects(g.wait() as Promise<void>, boom);
});

t.test('groupWithContext(): wait() cancels the context when it returns, even without error', opts, async (t) => {
  const [g, ctx] = groupWithContext(background());
  g.go(() => undefined);
  await g.wait();
  t.equal(ctx.err(), Canceled);
  t.equal(cause(ctx), Canceled);
});

t.test('groupWithContext(): the context follows its parent', opts, async (t) => {
  const [parent, cancel] = withCancel(background());
  const [g, ctx] = groupWithContext(parent);
  cancel();
  t.equal(ctx.err(), Canceled);
  await g.wait();
});

t.test('Group.setLimit() bounds the active goroutines; go() waits for a slot', opts, async (t) => {
  const g = new Group();
  g.setLimit(2);
  let active = 0;
  let maxActive = 0;
  const work = async (): Promise<void> => {
    active++;
    maxActive = Math.max(maxActive, active);
    await sleep(5);
    active--;
  };
  t.equal(g.go(work), undefined, 'first slot free');
  t.equal(g.go(work), undefined, 'second slot free');
  const third = g.go(work);
  t.ok(third instanceof Promise, 'third waits for a slot');
  t.equal(g.tryGo(work), false, 'tryGo refuses when full');
  await third;
  for (let i = 0; i < 5; i++) await g.go(work);
  await g.wait();
  t.equal(maxActive, 2);
  t.equal(g.tryGo(work), true, 'slots free again');
  await g.wait();
});

t.test('Group.setLimit() while goroutines are active throws; a negative limit removes the limit', opts, async (t) => {
  const g = new Group();
  g.setLimit(1);
  const gate = chan<void>();
  g.go(() => gate.recv());
  try {
    g.setLimit(5);
    t.fail('should throw');
  } catch (e) {
    t.ok(e instanceof StrandError);
    t.equal((e as StrandError).message, 'errgroup: modify limit while 1 goroutines in the group are still active');
  }
  g.setLimit(-1);
  for (let i = 0; i < 10; i++) t.equal(g.tryGo(() => gate.recv()), true);
  gate.close();
  await g.wait();
});
