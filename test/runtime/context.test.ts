import t from 'tap';
import {
  Canceled,
  DeadlineExceeded,
  StrandError,
  after,
  background,
  cause,
  chan,
  context,
  fromSignal,
  go,
  recvCase,
  select,
  todo,
  trySelect,
  withCancel,
  withCancelCause,
  withDeadline,
  withTimeout,
  withTimeoutCause,
  withDeadlineCause,
  withoutCancel,
  withValue,
  type Context,
  type DisposableContext,
} from '../../src/index.js';
import { quiesce, runProgram } from './_spawn.js';
import { kChildren, kTimer } from '../../src/runtime/_symbols.js';

const opts = { timeout: 10_000 };
/** Tests that spawn Node processes get more time on a loaded machine. */
const childOpts = { timeout: 30_000 };

t.test('background() and todo() are never done: done() is null, err() null, no deadline', opts, async (t) => {
  for (const ctx of [background(), todo()]) {
    t.equal(ctx.done(), null);
    t.equal(ctx.err(), null);
    t.equal(ctx.deadline(), undefined);
    t.equal(ctx.value('k'), undefined);
    t.equal(ctx.signal.aborted, false);
    t.equal(cause(ctx), null);
  }
  t.equal(String(background()), 'context.Background');
  t.equal(String(todo()), 'context.TODO');
});

t.test('Canceled and DeadlineExceeded carry Go\'s messages and stable codes', opts, async (t) => {
  t.ok(Canceled instanceof StrandError);
  t.equal(Canceled.message, 'context canceled');
  t.equal(Canceled.code, 'STRAND_ERR_CANCELED');
  t.equal(DeadlineExceeded.message, 'context deadline exceeded');
  t.equal(DeadlineExceeded.code, 'STRAND_ERR_DEADLINE_EXCEEDED');
});

t.test('withCancel(): cancel closes done() and sets err() to Canceled; later cancels are no-ops', opts, async (t) => {
  const [ctx, cancel] = withCancel(background());
  const d = ctx.done()!;
  t.equal(ctx.err(), null);
  t.equal(d.closed, false);
  cancel();
  t.equal(d.closed, true);
  t.equal(ctx.err(), Canceled);
  t.equal(cause(ctx), Canceled, 'cause defaults to err');
  cancel();
  t.equal(ctx.err(), Canceled);
  t.equal(ctx.done(), d, 'done() returns the same channel');
});

t.test('withCancel(): done() of a context cancelled before done() was called is a closed channel', opts, async (t) => {
  const [ctx, cancel] = withCancel(background());
  cancel();
  const d = ctx.done()!;
  t.equal(d.closed, true);
  t.same(await d.recvOk(), [undefined, false]);
});

t.test('context: a goroutine parked on done() wakes when the context is cancelled', opts, async (t) => {
  const [ctx, cancel] = withCancel(background());
  const out = chan<Error | null>(1);
  go(async () => {
    await ctx.done()!.recv();
    out.trySend(ctx.err());
  });
  await quiesce();
  t.equal(out.len, 0);
  cancel();
  t.equal(await out.recv(), Canceled);
});

t.test('context: cancelling a parent cancels the whole subtree with the same err and cause', opts, async (t) => {
  const [root, cancelRoot] = withCancelCause(background());
  const [a] = withCancel(root);
  const b = withValue(a, 'k', 1);
  const [c] = withTimeout(b, 60_000);
  const [d] = withCancelCause(c);
  const why = new Error('shutdown');
  cancelRoot(why);
  for (const ctx of [root, a, b, c, d]) {
    t.equal(ctx.err(), Canceled);
    t.equal(cause(ctx), why);
    t.equal(ctx.done()!.closed, true);
  }
});

t.test('context: cancelling a child does not affect its parent and unregisters it from the parent', opts, async (t) => {
  const [parent, cancelParent] = withCancel(background());
  const [child, cancelChild] = withCancel(parent);
  const children = (parent as unknown as { [kChildren]: Set<unknown> | null })[kChildren];
  t.equal(children?.size, 1, 'child registered with its parent');
  cancelChild();
  t.equal(child.err(), Canceled);
  t.equal(parent.err(), null);
  t.equal(children?.size, 0, 'child removed from its parent on cancel');
  cancelParent();
});

t.test('context: a child of an already-cancelled parent is born cancelled', opts, async (t) => {
  const [parent, cancel] = withCancelCause(background());
  const why = new Error('gone');
  cancel(why);
  const [child] = withCancel(parent);
  t.equal(child.err(), Canceled);
  t.equal(cause(child), why);
});

t.test('withCancelCause(): cause() returns the given cause; err() stays Canceled', opts, async (t) => {
  const [ctx, cancel] = withCancelCause(background());
  t.equal(cause(ctx), null, 'no cause while not done');
  const why = new Error('client went away');
  cancel(why);
  cancel(new Error('second'));
  t.equal(ctx.err(), Canceled);
  t.equal(cause(ctx), why, 'the first cause wins');
  const [ctx2, cancel2] = withCancelCause(background());
  cancel2();
  t.equal(cause(ctx2), Canceled, 'no cause given: Canceled');
});

t.test('withTimeout(): done() closes after the timeout with err() DeadlineExceeded', opts, async (t) => {
  const t0 = Date.now();
  const [ctx, cancel] = withTimeout(background(), 30);
  const dl = ctx.deadline()!;
  t.ok(Math.abs(dl - (t0 + 30)) <= 5, 'deadline() is now + timeout');
  await ctx.done()!.recv();
  t.ok(Date.now() - t0 >= 29);
  t.equal(ctx.err(), DeadlineExceeded);
  t.equal(cause(ctx), DeadlineExceeded);
  cancel();
  t.equal(ctx.err(), DeadlineExceeded, 'a later cancel does not change err');
});

t.test('withDeadline(): a past deadline is done at once; Date and number deadlines both work', opts, async (t) => {
  const [past, c1] = withDeadline(background(), Date.now() - 1);
  t.equal(past.err(), DeadlineExceeded);
  const when = new Date(Date.now() + 60_000);
  const [future, c2] = withDeadline(background(), when);
  t.equal(future.deadline(), when.getTime());
  t.equal(future.err(), null);
  c1();
  c2();
  t.equal(future.err(), Canceled);
});

t.test('withDeadline(): a child uses the earlier of its parent\'s deadline and its own', opts, async (t) => {
  const [parent, cp] = withTimeout(background(), 40);
  const [later, cl] = withTimeout(parent, 60_000);
  t.equal(later.deadline(), parent.deadline(), 'a later deadline is replaced by the parent\'s');
  const [sooner, cs] = withTimeout(parent, 10);
  t.ok(sooner.deadline()! < parent.deadline()!, 'an earlier deadline is kept');
  await sooner.done()!.recv();
  t.equal(sooner.err(), DeadlineExceeded);
  t.equal(parent.err(), null, 'the parent is unaffected');
  await later.done()!.recv();
  t.equal(later.err(), DeadlineExceeded, 'the child expires with the parent');
  cp();
  cl();
  cs();
});

t.test('context: cancel() clears the deadline timer', opts, async (t) => {
  const [ctx, cancel] = withTimeout(background(), 60_000);
  t.not((ctx as unknown as { [kTimer]: unknown })[kTimer], null);
  cancel();
  t.equal((ctx as unknown as { [kTimer]: unknown })[kTimer], null);
  t.equal(ctx.err(), Canceled);
});

t.test('withValue(): value() finds the nearest value for a key through any kind of context', opts, async (t) => {
  const user = Symbol('user');
  const reqId = Symbol('reqId');
  const a = withValue(background(), user, 'alice');
  const [b, cancel] = withCancel(a);
  const c = withValue(b, reqId, 7);
  const d = withValue(c, user, 'bob');
  t.equal(c.value(user), 'alice');
  t.equal(c.value<number>(reqId), 7);
  t.equal(d.value(user), 'bob', 'the nearest value shadows');
  t.equal(a.value(reqId), undefined);
  t.equal(d.value(Symbol('user')), undefined, 'keys compare by identity');
  t.throws(() => withValue(background(), null, 1), { message: 'context: nil key' });
  cancel();
  t.equal(d.err(), Canceled, 'value contexts report their parent\'s err');
});

t.test('context: done() is usable in select', opts, async (t) => {
  const [ctx, cancel] = withCancel(background());
  const work = chan<number>();
  const d = recvCase(ctx.done());
  const w = recvCase(work);
  t.equal(trySelect([d, w]), -1, 'not ready before cancel');
  go(async () => {
    await quiesce();
    cancel();
  });
  t.equal(await select([d, w]), 0);
  t.equal(d.ok, false, 'done() is closed, not sent on');
  const never = recvCase(background().done());
  const to = recvCase(after(10));
  t.equal(await select([never, to]), 1, 'background().done() is a nil channel: never ready');
});

t.test('context.signal is aborted with the cause when the context is done', opts, async (t) => {
  const [ctx, cancel] = withCancelCause(background());
  const sig = ctx.signal;
  t.equal(ctx.signal, sig, 'the same signal each time');
  let fired = 0;
  sig.addEventListener('abort', () => fired++);
  t.equal(sig.aborted, false);
  const why = new Error('stop');
  cancel(why);
  t.equal(sig.aborted, true);
  t.equal(sig.reason, why);
  t.equal(fired, 1);
  const [late, c2] = withCancel(background());
  c2();
  t.equal(late.signal.aborted, true, 'a signal created after cancel is aborted already');
  t.equal(late.signal.reason, Canceled);
  const [timed] = withTimeout(background(), 10);
  let reason: unknown;
  timed.signal.addEventListener('abort', () => (reason = timed.signal.reason));
  // A signal listener alone does not keep the process alive (only goroutines waiting on done() do).
  await timed.done()!.recv();
  t.equal(reason, DeadlineExceeded, 'a deadline aborts the signal with DeadlineExceeded');
});

t.test('fromSignal(): the context is cancelled when the signal aborts, with its reason as cause', opts, async (t) => {
  const ac = new AbortController();
  const [ctx, cancel] = fromSignal(background(), ac.signal);
  t.equal(ctx.err(), null);
  const why = new Error('user pressed stop');
  ac.abort(why);
  t.equal(ctx.err(), Canceled);
  t.equal(cause(ctx), why);
  t.equal(ctx.done()!.closed, true);
  cancel();
  const [pre] = fromSignal(background(), AbortSignal.abort('plain reason'));
  t.equal(pre.err(), Canceled, 'an already-aborted signal cancels at once');
  t.match(cause(pre)?.message, /plain reason/, 'a non-Error reason is wrapped');
  const [plain] = fromSignal(background(), AbortSignal.abort());
  t.equal(cause(plain)?.name, 'AbortError', 'the default reason is the DOMException');
});

t.test('fromSignal(): cancelling the context removes its listener from the signal', opts, async (t) => {
  const ac = new AbortController();
  let added = 0;
  let removed = 0;
  const sig = ac.signal;
  const add = sig.addEventListener.bind(sig);
  const remove = sig.removeEventListener.bind(sig);
  sig.addEventListener = ((...a: Parameters<typeof add>) => (added++, add(...a))) as typeof sig.addEventListener;
  sig.removeEventListener = ((...a: Parameters<typeof remove>) => (removed++, remove(...a))) as typeof sig.removeEventListener;
  const [ctx, cancel] = fromSignal(background(), sig);
  t.equal(added, 1);
  cancel();
  t.equal(removed, 1);
  ac.abort();
  t.equal(cause(ctx), Canceled, 'a later abort does not change the cause');
});

t.test('context: a parent that is not one of strand\'s is followed through its signal', opts, async (t) => {
  const ac = new AbortController();
  let err: Error | null = null;
  const foreign: Context = {
    done: () => chan<void>(),
    err: () => err,
    deadline: () => undefined,
    value: () => undefined,
    signal: ac.signal,
  };
  const [child, cancel] = withCancel(foreign);
  err = Canceled;
  ac.abort(Canceled);
  t.equal(child.err(), Canceled);
  cancel();
});

t.test('withCancel() of a null parent throws "context: cannot create context from nil parent"', opts, async (t) => {
  t.throws(() => withCancel(null as unknown as Context), {
    message: 'context: cannot create context from nil parent',
    code: 'STRAND_ERR_INVALID_ARG',
  });
});

t.test('context namespace mirrors the flat exports (context.withCancel(context.background()))', opts, async (t) => {
  t.equal(context.withCancel, withCancel);
  t.equal(context.background(), background());
  t.equal(context.Canceled, Canceled);
  const [ctx, cancel] = context.withTimeout(context.background(), 1000);
  cancel();
  t.equal(context.cause(ctx), Canceled);
});

t.test('withTimeoutCause() / withDeadlineCause(): the cause is recorded when the deadline passes, not on cancel', opts, async (t) => {
  const slow = new Error('backend too slow');
  const [ctx, cancel] = withTimeoutCause(background(), 10, slow);
  await ctx.done()!.recv();
  t.equal(ctx.err(), DeadlineExceeded);
  t.equal(cause(ctx), slow);
  cancel();
  const [c2, cancel2] = withDeadlineCause(background(), Date.now() + 60_000, slow);
  cancel2();
  t.equal(c2.err(), Canceled);
  t.equal(cause(c2), Canceled, 'cancel does not set the deadline cause');
  const [past] = withDeadlineCause(background(), Date.now() - 1, slow);
  t.equal(cause(past), slow, 'a deadline already passed records the cause at once');
});

t.test('withoutCancel(): keeps the parent\'s values but is never cancelled', opts, async (t) => {
  const key = Symbol('k');
  const [parent, cancel] = withTimeout(withValue(background(), key, 'v'), 60_000);
  const detached = withoutCancel(parent);
  cancel();
  t.equal(parent.err(), Canceled);
  t.equal(detached.err(), null);
  t.equal(detached.done(), null);
  t.equal(detached.deadline(), undefined);
  t.equal(detached.value(key), 'v');
  t.equal(cause(detached), null);
  const [child, cancelChild] = withCancel(detached);
  t.equal(child.err(), null, 'children of a detached context are not cancelled by the original parent');
  cancelChild();
});

t.test('context.afterFunc() runs f in its own goroutine once the context is done; stop() prevents it', opts, async (t) => {
  const [ctx, cancel] = withCancel(background());
  const ran = chan<string>(2);
  const stop = context.afterFunc(ctx, function onDone() {
    ran.trySend(`err=${ctx.err()?.message}`);
  });
  const stop2 = context.afterFunc(ctx, () => ran.trySend('second'));
  t.equal(stop2(), true, 'stopped before cancel');
  t.equal(stop2(), false, 'already stopped');
  cancel();
  t.equal(await ran.recv(), 'err=context canceled');
  t.equal(stop(), false, 'already started');
  await quiesce();
  t.equal(ran.len, 0, 'the stopped one never ran');
  const ran2 = chan<void>(1);
  context.afterFunc(ctx, () => ran2.trySend());
  await ran2.recv(); // an already-done context runs f at once, in a goroutine
  t.pass('afterFunc on a done context ran f');
  t.equal(context.afterFunc(background(), () => undefined)(), true, 'never-done context: stop reports true');
});

// ---- what keeps a process alive ------------------------------------------------------------

t.test('context: an abandoned timeout context does not keep the process alive', childOpts, async (t) => {
  const r = await runProgram(`
    import { withTimeout, background } from 'STRAND';
    globalThis.ctx = withTimeout(background(), 30_000);
  `);
  t.equal(r.code, 0, r.stderr);
  t.ok(r.ms < 10_000, `exited after ${r.ms.toFixed(0)} ms, before the 30 s timeout`);
});

t.test('context: a goroutine waiting on done() of a timeout context (or of its child) keeps the process alive until the deadline', childOpts, async (t) => {
  const r = await runProgram(`
    import { go, withTimeout, withCancel, withValue, background } from 'STRAND';
    const t0 = Date.now();
    const [ctx] = withTimeout(background(), 300);
    const [child] = withCancel(withValue(ctx, 'k', 1));
    go(async () => {
      await child.done().recv();
      console.log(child.err().message, Date.now() - t0);
    });
  `);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^context deadline exceeded (\d+)/);
  t.ok(Number(/(\d+)/.exec(r.stdout)?.[1]) >= 299);
  t.notMatch(r.stderr, /deadlock/);
});

t.test('context: once nothing waits on it any more, a timeout context stops keeping the process alive', childOpts, async (t) => {
  const r = await runProgram(`
    import { go, withTimeout, withCancel, background, chan, select, recvCase, sleep } from 'STRAND';
    const [parent] = withTimeout(background(), 30_000);
    const [child, cancelChild] = withCancel(parent);
    const ch = chan();
    go(async () => {
      await child.done().recv(); // waits on a descendant: the parent's timer is ref'd
      console.log('child cancelled');
    });
    go(async () => {
      const i = await select([recvCase(parent.done()), recvCase(ch)]); // abandoned case is withdrawn
      console.log('select', i);
    });
    await sleep(50);
    cancelChild();
    ch.trySend(1);
  `);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /child cancelled/);
  t.match(r.stdout, /select 1/);
  t.ok(r.ms < 10_000, `exited after ${r.ms.toFixed(0)} ms, long before the 30 s timeout`);
});

t.test('withCancel(): `using` the context cancels it at scope exit (Go\'s defer cancel())', opts, async (t) => {
  let ctx: Context;
  {
    using scoped = withCancel(background())[0];
    ctx = scoped;
    t.equal(scoped.err(), null, 'not cancelled inside the scope');
  }
  t.equal(ctx.err(), Canceled);
  t.equal(cause(ctx), Canceled, 'no cause: as the plain cancel function');
  t.equal(trySelect([recvCase(ctx.done())]), 0, 'done() is closed');
  t.equal(ctx.signal.aborted, true);
});

t.test('every cancelable context (withCancel, withTimeout, withDeadline, their Cause variants, fromSignal) is cancelled by `using`, its parent is not', opts, async (t) => {
  const makers: [string, (p: Context) => DisposableContext][] = [
    ['withCancel', (p) => withCancel(p)[0]],
    ['withCancelCause', (p) => withCancelCause(p)[0]],
    ['withTimeout', (p) => withTimeout(p, 60_000)[0]],
    ['withTimeoutCause', (p) => withTimeoutCause(p, 60_000, new Error('slow'))[0]],
    ['withDeadline', (p) => withDeadline(p, Date.now() + 60_000)[0]],
    ['withDeadlineCause', (p) => withDeadlineCause(p, Date.now() + 60_000, new Error('slow'))[0]],
    ['fromSignal', (p) => fromSignal(p, new AbortController().signal)[0]],
  ];
  for (const [name, make] of makers) {
    const [parent, cancelParent] = withCancel(background());
    let ctx: Context;
    {
      using scoped = make(parent);
      ctx = scoped;
    }
    t.equal(ctx.err(), Canceled, `${name}: cancelled at scope exit`);
    t.equal(cause(ctx), Canceled, `${name}: with no cause`);
    t.equal(parent.err(), null, `${name}: the parent is untouched`);
    cancelParent();
    t.equal(cause(ctx), Canceled, `${name}: a later parent cancel changes nothing`);
  }
});

t.test('DisposableContext: disposing a context that is already done keeps its error and cause', opts, async (t) => {
  const why = new Error('too slow');
  let ctx: Context;
  {
    using scoped = withTimeoutCause(background(), 1, why)[0];
    ctx = scoped;
    await ctx.done()!.recv();
    t.equal(scoped.err(), DeadlineExceeded, 'timed out inside the scope');
  }
  t.equal(ctx.err(), DeadlineExceeded, 'still DeadlineExceeded after the scope');
  t.equal(cause(ctx), why, 'still the deadline cause');
});
