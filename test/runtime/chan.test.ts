import t from 'tap';
import {
  CLOSED,
  StrandError,
  WOULD_BLOCK,
  cap,
  chan,
  close,
  go,
  goroutines,
  len,
  recv,
  recvOk,
  send,
} from '../../src/index.js';
import { quiesce } from './_util.js';

const opts = { timeout: 10_000 };

function isPromise(v: unknown): v is Promise<unknown> {
  return v instanceof Promise;
}

/** Wait reason of goroutine `id`, or undefined if it is not waiting (or gone). */
function reasonOf(id: number): string | undefined {
  const g = goroutines().find((x) => x.id === id);
  return g?.state === 'waiting' ? g.waitReason : undefined;
}

t.test('chan() unbuffered: send parks until a receiver takes the value (rendezvous)', opts, async (t) => {
  const ch = chan<number>();
  let sent = false;
  const id = go(async () => {
    await ch.send(7);
    sent = true;
  });
  await quiesce();
  t.equal(sent, false, 'sender still blocked without a receiver');
  t.equal(reasonOf(id), 'chan send');
  t.equal(ch.len, 0, 'unbuffered channel holds nothing');
  t.equal(await ch.recv(), 7);
  await quiesce();
  t.equal(sent, true, 'sender released once its value was taken');
});

t.test('chan() unbuffered: recv parks until a sender arrives', opts, async (t) => {
  const ch = chan<string>();
  let got: string | undefined;
  const id = go(async () => {
    got = await ch.recv();
  });
  await quiesce();
  t.equal(reasonOf(id), 'chan receive');
  t.equal(got, undefined);
  await ch.send('x');
  await quiesce();
  t.equal(got, 'x');
});

t.test('Chan.send() hands the value directly to a waiting receiver', opts, async (t) => {
  const ch = chan<number>(4);
  let got: number | undefined;
  go(async () => {
    got = await ch.recv();
  });
  const r = ch.send(5);
  t.equal(r, undefined, 'send completed at once (no promise)');
  t.equal(ch.len, 0, 'value did not go through the buffer');
  await quiesce();
  t.equal(got, 5);
});

t.test('Chan.send() and recv() return plain values, not promises, when they complete at once', opts, async (t) => {
  const ch = chan<number>(2);
  t.equal(ch.send(1), undefined);
  t.equal(ch.recv(), 1);
  ch.send(2);
  t.same(ch.recvOk(), [2, true]);
  ch.send(3);
  t.equal(ch.recvOrClosed(), 3);
});

t.test('buffered chan: send blocks only when the buffer is full', opts, async (t) => {
  const ch = chan<number>(2);
  t.equal(ch.send(1), undefined);
  t.equal(ch.send(2), undefined);
  t.equal(ch.len, 2);
  let third = false;
  const id = go(async () => {
    await ch.send(3);
    third = true;
  });
  await quiesce();
  t.equal(third, false, 'third send waits on a full buffer');
  t.equal(reasonOf(id), 'chan send');
  t.equal(await ch.recv(), 1);
  await quiesce();
  t.equal(third, true, 'a receive freed a slot for the blocked sender');
  t.equal(ch.len, 2);
  t.equal(await ch.recv(), 2);
  t.equal(await ch.recv(), 3);
});

t.test('buffered chan: recv blocks only when the buffer is empty', opts, async (t) => {
  const ch = chan<number>(3);
  ch.send(1);
  t.equal(ch.recv(), 1, 'non-empty buffer: at once');
  const p = ch.recv();
  t.ok(isPromise(p), 'empty buffer: parks');
  ch.send(9);
  t.equal(await p, 9);
});

t.test('blocked senders are served in FIFO order', opts, async (t) => {
  const ch = chan<string>();
  for (const v of ['a', 'b', 'c', 'd']) {
    go(async () => {
      await ch.send(v);
    });
  }
  const got: (string | undefined)[] = [];
  for (let i = 0; i < 4; i++) got.push(await ch.recv());
  t.same(got, ['a', 'b', 'c', 'd']);
});

t.test('blocked receivers are served in FIFO order', opts, async (t) => {
  const ch = chan<number>();
  const got: [number, number | undefined][] = [];
  for (let i = 0; i < 4; i++) {
    go(async () => {
      got.push([i, await ch.recv()]);
    });
  }
  for (let v = 10; v < 14; v++) await ch.send(v);
  await quiesce();
  got.sort((x, y) => x[0] - y[0]);
  t.same(got, [
    [0, 10],
    [1, 11],
    [2, 12],
    [3, 13],
  ]);
});

t.test('buffered chan: blocked senders queue behind the buffer in FIFO order', opts, async (t) => {
  const ch = chan<number>(2);
  ch.send(1);
  ch.send(2);
  for (const v of [3, 4, 5]) {
    go(async () => {
      await ch.send(v);
    });
  }
  const got: (number | undefined)[] = [];
  for (let i = 0; i < 5; i++) got.push(await ch.recv());
  t.same(got, [1, 2, 3, 4, 5]);
  t.equal(ch.len, 0);
});

t.test('Chan.close(): receivers drain buffered values, then get ok = false', opts, async (t) => {
  const ch = chan<number>(3);
  ch.send(1);
  ch.send(2);
  ch.close();
  t.equal(ch.closed, true);
  t.equal(ch.len, 2, 'close keeps buffered values');
  t.same(await ch.recvOk(), [1, true]);
  t.same(await ch.recvOk(), [2, true]);
  t.same(await ch.recvOk(), [undefined, false]);
  t.equal(await ch.recv(), undefined, 'recv yields the zero value (undefined) once drained');
  t.equal(await ch.recvOrClosed(), CLOSED);
  t.equal(ch.tryRecv(), CLOSED);
});

t.test('Chan.close() wakes every blocked receiver with ok = false', opts, async (t) => {
  const ch = chan<number>();
  const results: [number | undefined, boolean][] = [];
  let sentinels = 0;
  for (let i = 0; i < 3; i++) {
    go(async () => {
      results.push(await ch.recvOk());
    });
  }
  go(async () => {
    if ((await ch.recvOrClosed()) === CLOSED) sentinels++;
  });
  await quiesce();
  ch.close();
  await quiesce();
  t.same(results, [
    [undefined, false],
    [undefined, false],
    [undefined, false],
  ]);
  t.equal(sentinels, 1);
});

t.test('Chan.close() fails blocked senders with "chan: send on closed channel"', opts, async (t) => {
  const ch = chan<number>();
  const errors: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    go(async () => {
      try {
        await ch.send(i);
      } catch (err) {
        errors.push(err);
      }
    });
  }
  await quiesce();
  ch.close();
  await quiesce();
  t.equal(errors.length, 2);
  for (const err of errors) {
    t.type(err, StrandError);
    t.equal((err as StrandError).message, 'chan: send on closed channel');
    t.equal((err as StrandError).code, 'STRAND_ERR_CLOSED_CHANNEL');
  }
});

t.test('Chan.send() on a closed channel throws "chan: send on closed channel" at once', opts, async (t) => {
  const ch = chan<number>(1);
  ch.close();
  t.throws(() => ch.send(1), { message: 'chan: send on closed channel', code: 'STRAND_ERR_CLOSED_CHANNEL' });
  t.throws(() => ch.trySend(1), { message: 'chan: send on closed channel', code: 'STRAND_ERR_CLOSED_CHANNEL' });
  t.throws(() => send(ch, 1), { code: 'STRAND_ERR_CLOSED_CHANNEL' });
});

t.test('Chan.close() of a closed channel throws "chan: close of closed channel"', opts, async (t) => {
  const ch = chan();
  ch.close();
  t.throws(() => ch.close(), { message: 'chan: close of closed channel', code: 'STRAND_ERR_CLOSE_CLOSED' });
  t.throws(() => close(ch), { message: 'chan: close of closed channel', code: 'STRAND_ERR_CLOSE_CLOSED' });
  try {
    ch.close();
  } catch (err) {
    t.type(err, StrandError);
  }
});

t.test('close(null) throws "chan: close of nil channel"', opts, async (t) => {
  t.throws(() => close(null), { message: 'chan: close of nil channel', code: 'STRAND_ERR_CLOSE_NIL' });
});

t.test('recvOk() and recvOrClosed() tell a received undefined from a closed channel', opts, async (t) => {
  const ch = chan<undefined>(2);
  ch.send(undefined);
  ch.send(undefined);
  t.same(await ch.recvOk(), [undefined, true]);
  t.equal(await ch.recvOrClosed(), undefined, 'a real undefined, not CLOSED');
  ch.close();
  t.same(await ch.recvOk(), [undefined, false]);
  t.equal(await ch.recvOrClosed(), CLOSED);

  // The same through a parked receiver (hand-off path).
  const u = chan<undefined>();
  let parked: [undefined, boolean] | undefined;
  go(async () => {
    parked = await u.recvOk();
  });
  await u.send(undefined);
  await quiesce();
  t.same(parked, [undefined, true]);
});

t.test('for await (const v of ch) ranges until the channel is closed', opts, async (t) => {
  const ch = chan<number>(1);
  go(async () => {
    for (let i = 0; i < 5; i++) await ch.send(i);
    ch.close();
  });
  const got: number[] = [];
  for await (const v of ch) got.push(v);
  t.same(got, [0, 1, 2, 3, 4]);
});

t.test('for await ranges over received undefined values without stopping', opts, async (t) => {
  const ch = chan<undefined>(3);
  ch.send(undefined);
  ch.send(undefined);
  ch.close();
  let n = 0;
  for await (const v of ch) {
    t.equal(v, undefined);
    n++;
  }
  t.equal(n, 2);
});

t.test('Chan.trySend() sends only without blocking', opts, async (t) => {
  const un = chan<number>();
  t.equal(un.trySend(1), false, 'unbuffered, no receiver');
  let got: number | undefined;
  go(async () => {
    got = await un.recv();
  });
  t.equal(un.trySend(2), true, 'unbuffered with a waiting receiver');
  await quiesce();
  t.equal(got, 2);

  const buf = chan<number>(1);
  t.equal(buf.trySend(1), true);
  t.equal(buf.trySend(2), false, 'buffer full');
  t.equal(buf.len, 1);
  t.equal(buf.recv(), 1);
});

t.test('Chan.tryRecv() receives only without blocking: value, CLOSED or WOULD_BLOCK', opts, async (t) => {
  const un = chan<number>();
  t.equal(un.tryRecv(), WOULD_BLOCK);
  let sent = false;
  go(async () => {
    await un.send(3);
    sent = true;
  });
  t.equal(un.tryRecv(), 3, 'takes from a blocked sender');
  await quiesce();
  t.equal(sent, true, 'and releases it');
  t.equal(un.tryRecv(), WOULD_BLOCK);

  const buf = chan<number>(2);
  buf.send(4);
  t.equal(buf.tryRecv(), 4);
  t.equal(buf.tryRecv(), WOULD_BLOCK);
  buf.close();
  t.equal(buf.tryRecv(), CLOSED);
});

t.test('Chan.tryRecv() on a full buffer moves a blocked sender into the freed slot', opts, async (t) => {
  const ch = chan<number>(1);
  ch.send(1);
  let done = false;
  go(async () => {
    await ch.send(2);
    done = true;
  });
  t.equal(ch.tryRecv(), 1);
  t.equal(ch.len, 1, "the blocked sender's value now fills the buffer");
  await quiesce();
  t.equal(done, true);
  t.equal(ch.tryRecv(), 2);
});

t.test('Chan.len and Chan.cap, len() and cap() (0 for a nil channel)', opts, async (t) => {
  const ch = chan<number>(3);
  t.equal(ch.cap, 3);
  t.equal(cap(ch), 3);
  t.equal(ch.len, 0);
  ch.send(1);
  ch.send(2);
  t.equal(ch.len, 2);
  t.equal(len(ch), 2);
  ch.recv();
  t.equal(len(ch), 1);
  t.equal(chan().cap, 0);
  t.equal(len(null), 0);
  t.equal(cap(null), 0);
});

t.test('chan() rejects a negative or fractional capacity', opts, async (t) => {
  t.throws(() => chan(-1), { code: 'STRAND_ERR_INVALID_ARG', message: /^chan: invalid capacity -1/ });
  t.throws(() => chan(1.5), { code: 'STRAND_ERR_INVALID_ARG' });
});

t.test('send(), recv() and recvOk() free functions work on a non-nil channel', opts, async (t) => {
  const ch = chan<number>(2);
  t.equal(send(ch, 1), undefined);
  send(ch, 2);
  t.equal(await recv(ch), 1);
  t.same(await recvOk(ch), [2, true]);
  close(ch);
  t.same(await recvOk(ch), [undefined, false]);
});
