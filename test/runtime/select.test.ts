import t from 'tap';
import { WOULD_BLOCK, chan, go, goroutines, recvCase, select, sendCase, trySelect } from '../../src/index.js';
import { quiesce } from './_util.js';

const opts = { timeout: 10_000 };

t.test('select() runs a ready receive case at once and sets value and ok', opts, async (t) => {
  const a = chan<number>(1);
  const b = chan<number>(1);
  b.send(42);
  const ra = recvCase(a);
  const rb = recvCase(b);
  const i = select([ra, rb]);
  t.equal(i, 1, 'returns the index as a plain number');
  t.equal(rb.value, 42);
  t.equal(rb.ok, true);
  t.equal(b.len, 0);
});

t.test('select() runs a ready send case at once', opts, async (t) => {
  const full = chan<number>(1);
  full.send(0);
  const free = chan<number>(1);
  const i = select([sendCase(full, 1), sendCase(free, 2)]);
  t.equal(i, 1);
  t.equal(free.recv(), 2);
  t.equal(full.len, 1, 'the full channel was not touched');
});

t.test('select() receive case on a closed channel is ready with ok = false', opts, async (t) => {
  const ch = chan<number>();
  ch.close();
  const rc = recvCase(ch);
  rc.value = 5;
  t.equal(select([rc]), 0);
  t.equal(rc.ok, false);
  t.equal(rc.value, undefined);
});

t.test('select() parks until a case is ready and returns its index', opts, async (t) => {
  const a = chan<string>();
  const b = chan<string>();
  const rb = recvCase(b);
  let chosen = -1;
  const id = go(async () => {
    chosen = await select([recvCase(a), rb]);
  });
  await quiesce();
  const g = goroutines().find((x) => x.id === id);
  t.equal(g?.waitReason, 'select');
  await b.send('hi');
  await quiesce();
  t.equal(chosen, 1);
  t.equal(rb.value, 'hi');
  t.equal(rb.ok, true);
});

t.test('select() parked on a send case completes when a receiver arrives', opts, async (t) => {
  const a = chan<number>();
  const b = chan<number>();
  let chosen = -1;
  go(async () => {
    chosen = await select([sendCase(a, 1), sendCase(b, 2)]);
  });
  t.equal(await b.recv(), 2);
  await quiesce();
  t.equal(chosen, 1);
});

t.test('select() withdraws its other receive cases once one proceeds', opts, async (t) => {
  const a = chan<number>();
  const b = chan<number>(1);
  const c = chan<number>();
  let chosen = -1;
  go(async () => {
    chosen = await select([recvCase(a), recvCase(b), recvCase(c)]);
  });
  await a.send(1);
  t.equal(b.trySend(2), true, 'buffered channel accepts the value');
  t.equal(b.len, 1, 'the value sent to the abandoned case stays in the channel');
  t.equal(c.trySend(3), false, 'no receiver left on the abandoned unbuffered channel');
  await quiesce();
  t.equal(chosen, 0);
  t.equal(b.recv(), 2);
});

t.test('select() withdraws its other send cases once one proceeds', opts, async (t) => {
  const a = chan<number>();
  const b = chan<number>();
  let chosen = -1;
  go(async () => {
    chosen = await select([sendCase(a, 1), sendCase(b, 2)]);
  });
  t.equal(await a.recv(), 1);
  t.equal(b.tryRecv(), WOULD_BLOCK, 'the abandoned send case delivers nothing');
  await quiesce();
  t.equal(chosen, 0);
});

t.test('select() with several ready cases chooses uniformly at random', opts, async (t) => {
  const chans = [chan<number>(1), chan<number>(1), chan<number>(1)];
  for (const c of chans) c.send(0);
  const cases = chans.map((c) => recvCase(c));
  const counts = [0, 0, 0];
  const n = 90_000;
  for (let i = 0; i < n; i++) {
    const k = select(cases) as number;
    counts[k]++;
    chans[k].send(0); // keep every case ready
  }
  for (let k = 0; k < 3; k++) {
    t.ok(Math.abs(counts[k] - n / 3) < (n / 3) * 0.05, `case ${k} chosen ${counts[k]} times of ${n} (within 5% of a third)`);
  }
});

t.test('trySelect() with mixed ready send and receive cases is uniform too', opts, async (t) => {
  const r = chan<number>(1);
  const s = chan<number>(1);
  const cases = [recvCase(r), sendCase(s, 1)];
  const counts = [0, 0];
  const n = 40_000;
  for (let i = 0; i < n; i++) {
    r.trySend(0);
    s.tryRecv();
    counts[trySelect(cases)]++;
  }
  for (let k = 0; k < 2; k++) t.ok(Math.abs(counts[k] - n / 2) < (n / 2) * 0.05, `case ${k}: ${counts[k]}`);
});

t.test('trySelect() returns -1 (default) when no case is ready, without parking', opts, async (t) => {
  const a = chan<number>();
  const b = chan<number>(1);
  b.send(1);
  const sa = sendCase(a, 1);
  t.equal(trySelect([recvCase(a), sa, sendCase(b, 2)]), -1);
  t.equal(trySelect([]), -1, 'no cases at all');
  t.equal(trySelect([recvCase(null), sendCase(null, 1)]), -1, 'only nil cases');
  t.equal(b.len, 1);
});

t.test('select() skips a nil-channel case', opts, async (t) => {
  const ch = chan<number>(1);
  ch.send(3);
  const rc = recvCase(ch);
  for (let i = 0; i < 50; i++) {
    ch.trySend(3);
    t.equal(select([recvCase(null), sendCase(null, 1), rc]), 2);
  }
  // Parked with a nil case: only the real channel can wake it.
  let chosen = -1;
  go(async () => {
    chosen = await select([recvCase<number>(null), recvCase(ch)]);
  });
  await ch.send(1);
  await quiesce();
  t.equal(chosen, 1);
});

t.test('select() send case on a closed channel throws "chan: send on closed channel"', opts, async (t) => {
  const ch = chan<number>(1);
  ch.close();
  t.throws(() => select([sendCase(ch, 1)]), { message: 'chan: send on closed channel', code: 'STRAND_ERR_CLOSED_CHANNEL' });
  t.throws(() => trySelect([sendCase(ch, 1)]), { code: 'STRAND_ERR_CLOSED_CHANNEL' });
});

t.test('select() parked on a send case fails when the channel is closed', opts, async (t) => {
  const ch = chan<number>();
  const other = chan<number>();
  let err: unknown;
  go(async () => {
    try {
      await select([sendCase(ch, 1), recvCase(other)]);
    } catch (e) {
      err = e;
    }
  });
  await quiesce();
  ch.close();
  await quiesce();
  t.match(err, { message: 'chan: send on closed channel', code: 'STRAND_ERR_CLOSED_CHANNEL' });
  t.equal(other.trySend(1), false, 'the receive case was withdrawn too');
});

t.test('select() parked on a receive case wakes with ok = false when the channel is closed', opts, async (t) => {
  const ch = chan<number>();
  const rc = recvCase(ch);
  let chosen = -1;
  go(async () => {
    chosen = await select([rc]);
  });
  await quiesce();
  ch.close();
  await quiesce();
  t.equal(chosen, 0);
  t.equal(rc.ok, false);
});

t.test('select() case objects can be reused, with sendCase.value updated between selects', opts, async (t) => {
  const out = chan<number>();
  const quit = chan<void>();
  const sc = sendCase(out, 0);
  const qc = recvCase(quit);
  go(async () => {
    for (let i = 0; ; i++) {
      sc.value = i;
      if ((await select([sc, qc])) === 1) return;
    }
  });
  const got: (number | undefined)[] = [];
  for (let i = 0; i < 5; i++) got.push(await out.recv());
  quit.close();
  t.same(got, [0, 1, 2, 3, 4]);
});

t.test('select() with a send and a receive case on one unbuffered channel pairs with other goroutines', opts, async (t) => {
  const ch = chan<number>();
  const rc = recvCase(ch);
  let chosen = -1;
  go(async () => {
    chosen = await select([sendCase(ch, 1), rc]);
  });
  await ch.send(9); // a partner sender matches the receive case
  await quiesce();
  t.equal(chosen, 1);
  t.equal(rc.value, 9);
  t.equal(ch.tryRecv(), WOULD_BLOCK, 'its own send case was withdrawn');
});

t.test('select() parked on real and nil cases waits with reason "select" and wakes on close', opts, async (t) => {
  // A select with no cases blocks forever: see deadlock.test.ts (child process).
  const ch = chan<number>();
  const id = go(async () => {
    await select([recvCase(ch), recvCase(null)]);
  });
  t.equal(goroutines().find((g) => g.id === id)?.waitReason, 'select');
  ch.close();
  await quiesce();
  t.equal(goroutines().find((g) => g.id === id), undefined, 'finished after close');
});
