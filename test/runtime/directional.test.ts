/**
 * Directional channel types (Go's `<-chan T` and `chan<- T`): RecvChan and SendChan.
 *
 * Two halves. The type-level half is checked by the build (`npm run build` compiles this file):
 * every line under `// @ts-expect-error` must fail to type-check, or the build fails. Those
 * lines sit in functions that are never called, because at runtime a RecvChan is the Chan
 * itself and the forbidden operation would simply run. The runtime half runs real programs
 * written against the directional types: Pike's fan-in through select, a producer that closes
 * its send-only channel.
 */
import t from 'tap';
import {
  cap,
  chan,
  close,
  go,
  len,
  recv,
  recvCase,
  recvOk,
  select,
  send,
  sendCase,
  trySelect,
  type Chan,
  type RecvChan,
  type SendChan,
} from '../../src/index.js';

const opts = { timeout: 10_000 };

// ---- type level (checked at build time; never called) ----------------------------------------

/** What must type-check: a Chan is both a RecvChan and a SendChan; each is accepted where its direction is all that is needed. */
function _allowed(c: Chan<string>, rc: RecvChan<string>, sc: SendChan<string>): void {
  const asRecv: RecvChan<string> = c;
  const asSend: SendChan<string> = c;
  void asRecv;
  void asSend;
  // Receive-side helpers accept RecvChan, Chan and nil.
  void recv(rc);
  void recvOk(rc);
  void rc.recvOrClosed();
  void rc.tryRecv();
  void recvCase(rc);
  void recvCase<string>(null);
  void (async () => {
    for await (const v of rc) void v;
  });
  // Send-side helpers accept SendChan, Chan and nil; close is allowed on a send-only channel.
  void send(sc, 'x');
  void sc.trySend('x');
  void sendCase(sc, 'x');
  void sendCase<string>(null, 'x');
  close(sc);
  sc.close();
  // len and cap take either direction, and nil.
  void (len(rc) + cap(rc) + len(sc) + cap(sc) + len(null) + cap(null) + rc.len + sc.cap);
  // Variance: receiving is covariant, sending contravariant.
  const narrowRecv = null as unknown as RecvChan<'a'>;
  const wideRecv: RecvChan<string> = narrowRecv;
  const wideSend = null as unknown as SendChan<string>;
  const narrowSend: SendChan<'a'> = wideSend;
  void wideRecv;
  void narrowSend;
  // A case's channel may be set to nil (Go's idiom to disable a case) or to another channel.
  const k = recvCase(rc);
  k.chan = null;
  k.chan = c;
}

/** What must not type-check. */
function _forbidden(c: Chan<string>, rc: RecvChan<string>, sc: SendChan<string>): void {
  // @ts-expect-error a receive-only channel is not a send-only one
  const r2s: SendChan<string> = rc;
  // @ts-expect-error a send-only channel is not a receive-only one
  const s2r: RecvChan<string> = sc;
  // @ts-expect-error a receive-only channel is not a bidirectional Chan
  const r2c: Chan<string> = rc;
  // @ts-expect-error a send-only channel is not a bidirectional Chan
  const s2c: Chan<string> = sc;
  void [r2s, s2r, r2c, s2c];

  // No sending on a RecvChan, in any form.
  // @ts-expect-error RecvChan has no send()
  void rc.send('x');
  // @ts-expect-error RecvChan has no trySend()
  void rc.trySend('x');
  // @ts-expect-error send() needs a SendChan
  void send(rc, 'x');
  // @ts-expect-error sendCase() needs a SendChan
  void sendCase(rc, 'x');
  // No closing a RecvChan: Go rejects close on a receive-only channel.
  // @ts-expect-error RecvChan has no close()
  rc.close();
  // @ts-expect-error close() needs a SendChan
  close(rc);

  // No receiving from a SendChan, in any form.
  // @ts-expect-error SendChan has no recv()
  void sc.recv();
  // @ts-expect-error SendChan has no tryRecv()
  void sc.tryRecv();
  // @ts-expect-error recv() needs a RecvChan
  void recv(sc);
  // @ts-expect-error recvOk() needs a RecvChan
  void recvOk(sc);
  // @ts-expect-error recvCase() needs a RecvChan
  void recvCase(sc);
  // @ts-expect-error a SendChan is not async-iterable
  void (async () => { for await (const v of sc) void v; });

  // Nominal: a look-alike object is not a channel (recvCase and the helpers use Chan internals).
  // Everything a RecvChan/SendChan has but the brand:
  const fakeRecv = {
    recv: () => 'x',
    recvOk: (): [string, boolean] => ['x', true],
    recvOrClosed: () => 'x',
    tryRecv: () => 'x',
    len: 0,
    cap: 0,
    [Symbol.asyncIterator]: () => c[Symbol.asyncIterator](),
  };
  const fakeSend = { send: (_v: string) => undefined, trySend: (_v: string) => true, close: () => {}, len: 0, cap: 0 };
  // @ts-expect-error an object with recv() is not a RecvChan
  void recvCase(fakeRecv);
  // @ts-expect-error an object with recv() is not a RecvChan
  void recv(fakeRecv);
  // @ts-expect-error an object with send() is not a SendChan
  void sendCase(fakeSend, 'x');
  // @ts-expect-error an object with close() is not a SendChan
  close(fakeSend);

  // Variance: the unsound directions are rejected.
  const wideRecv = null as unknown as RecvChan<string>;
  // @ts-expect-error a RecvChan<string> may yield values that are not "a"
  const narrowRecv: RecvChan<'a'> = wideRecv;
  const narrowSend = null as unknown as SendChan<'a'>;
  // @ts-expect-error a SendChan<"a"> cannot take any string
  const wideSend: SendChan<string> = narrowSend;
  const narrow = null as unknown as Chan<'a'>;
  // @ts-expect-error Chan is invariant, as Go's channels are
  const wide: Chan<string> = narrow;
  void [narrowRecv, wideSend, wide];
  // @ts-expect-error a Chan<string> does not send numbers
  void send(c, 1);
}

// ---- runtime -------------------------------------------------------------------------------

/** Go's `boring(msg)` from Pike's talk, bounded: sends `n` messages, then closes. */
function boring(msg: string, n: number): RecvChan<string> {
  const c = chan<string>();
  go(async (out: SendChan<string>) => {
    for (let i = 0; i < n; i++) await send(out, `${msg} ${i}`);
    close(out);
  }, c);
  return c;
}

/**
 * Pike's `fanIn(in1, in2 <-chan string) <-chan string`, with select: both inputs are receive
 * only. A closed input's case is set to nil, so select stops choosing it; the output is closed
 * once both inputs are.
 */
function fanIn(in1: RecvChan<string>, in2: RecvChan<string>): RecvChan<string> {
  const out = chan<string>();
  go(async () => {
    const a = recvCase(in1);
    const b = recvCase(in2);
    const cases = [a, b];
    for (let open = 2; open > 0; ) {
      const k = cases[await select(cases)]!;
      if (!k.ok) {
        k.chan = null;
        open--;
        continue;
      }
      await out.send(k.value!);
    }
    out.close();
  });
  return out;
}

t.test('recvCase() with RecvChan params: Pike\'s fanIn through select delivers every value, in order per input', opts, async (t) => {
  const got: string[] = [];
  for await (const v of fanIn(boring('joe', 20), boring('ann', 20))) got.push(v);
  t.equal(got.length, 40, 'every message of both inputs arrives');
  const joe = got.filter((v) => v.startsWith('joe '));
  const ann = got.filter((v) => v.startsWith('ann '));
  t.same(joe, Array.from({ length: 20 }, (_, i) => `joe ${i}`), "joe's messages in order");
  t.same(ann, Array.from({ length: 20 }, (_, i) => `ann ${i}`), "ann's messages in order");
});

t.test('recv(), recvOk(), len() and cap() take a RecvChan; close() takes the producer\'s SendChan', opts, async (t) => {
  const c = chan<number>(3);
  const rc: RecvChan<number> = c;
  const sc: SendChan<number> = c;
  t.equal(cap(rc), 3);
  t.equal(cap(sc), 3);
  await send(sc, 1);
  await sc.send(2);
  t.equal(len(rc), 2, 'len through the receive-only view');
  t.equal(len(sc), 2, 'len through the send-only view');
  close(sc); // Go: close on a chan<- is allowed; the sender closes
  t.equal(await recv(rc), 1);
  t.same(await recvOk(rc), [2, true]);
  t.same(await recvOk(rc), [undefined, false], 'closed and drained');
});

t.test('sendCase() with a SendChan param sends through select to a receiver', opts, async (t) => {
  const c = chan<string>();
  async function offer(out: SendChan<string>, v: string): Promise<number> {
    return select([sendCase(out, v)]);
  }
  const sent = offer(c, 'hello');
  t.equal(await recv(c), 'hello');
  t.equal(await sent, 0, 'the send case was chosen');
});

t.test('recvCase() and sendCase() accept a nil (null) RecvChan / SendChan, never ready', opts, async (t) => {
  const nilRecv: RecvChan<number> | null = null;
  const nilSend: SendChan<number> | null = null;
  t.equal(trySelect([recvCase(nilRecv), sendCase(nilSend, 1)]), -1, 'no case is ready');
  t.equal(len(nilRecv), 0);
  t.equal(cap(nilSend), 0);
});

t.test('RecvChan and SendChan are types only: a Chan passes as either unchanged, with no wrapper', opts, async (t) => {
  const c = chan<number>(1);
  const rc: RecvChan<number> = c;
  const sc: SendChan<number> = c;
  t.equal(rc, c, 'the receive-only view is the channel itself');
  t.equal(sc, c, 'the send-only view is the channel itself');
  t.same(Object.getOwnPropertySymbols(c), [], 'the brands add no runtime property');
});
