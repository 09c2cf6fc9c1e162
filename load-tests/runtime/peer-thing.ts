/**
 * @thi.ng/csp (async/await channels) in the runtime benchmark, through its documented API:
 * `channel(n)`, `await ch.read()`, `await ch.write(v)`, `ch.close()`, `select(a, b)` →
 * `[value, channel]`. Its channels have a buffer of at least 1 (no unbuffered rendezvous: the
 * ping-pong uses capacity 1), its `select` takes receive cases only (no send case, no default),
 * it caps in-flight reads at 1024 per channel, and `write()` resolves only once the value has been
 * read, even into a buffer with room — so writes into a buffer use the non-blocking `offer()`
 * first.
 *
 * @module
 */
import { channel, select as thingSelect, type Channel } from '@thi.ng/csp';
import { PARKED_PER_CHAN, measureParked, type Impl } from './measure.js';

async function pingpong(n: number): Promise<void> {
  const ping = channel<number>(1);
  const pong = channel<number>(1);
  void (async () => {
    for (;;) {
      const v = await ping.read();
      if (v === undefined) return;
      await pong.write(v);
    }
  })();
  for (let i = 0; i < n; i++) {
    await ping.write(i);
    await pong.read();
  }
  ping.close();
}

async function buffered(n: number): Promise<void> {
  const ch = channel<number>(1024);
  const consumer = (async () => {
    let sum = 0;
    for (;;) {
      const v = await ch.read();
      if (v === undefined) return sum;
      sum += v;
    }
  })();
  // write() resolves only once the value has been read, even when the buffer has room; offer()
  // is the documented non-blocking write, so the producer uses it and waits only on a full buffer.
  for (let i = 0; i < n; i++) if (!ch.offer(i)) await ch.write(i);
  ch.close();
  await consumer;
}

async function select(n: number): Promise<Record<string, number>> {
  const a = channel<number>(1);
  const b = channel<number>(1);
  a.offer(0);
  b.offer(1);
  const counts = [0, 0];
  for (let i = 0; i < n; i++) {
    const [, ch] = await thingSelect(a, b);
    const k = ch === a ? 0 : 1;
    counts[k]++;
    if (!ch.offer(k)) throw new Error('@thi.ng/csp: refill failed');
  }
  return { count_0: counts[0]!, count_1: counts[1]! };
}

function parked(n: number): Promise<Record<string, number>> {
  let finished = 0;
  let done: () => void = () => {};
  const sleeper = async (ch: Channel<number>): Promise<void> => {
    await ch.read();
    if (++finished === n) done();
  };
  return measureParked(
    n,
    (n) => {
      const chans: Channel<number>[] = [];
      for (let i = 0; i < n; i++) {
        if (i % PARKED_PER_CHAN === 0) chans.push(channel<number>(1));
        void sleeper(chans[chans.length - 1]!);
      }
      return chans;
    },
    (chans) =>
      new Promise<void>((resolve) => {
        done = resolve;
        for (const c of chans) c.close();
      }),
  );
}

export const thing: Impl = {
  pingpong,
  buffered,
  select,
  parked,
  notes: [
    '@thi.ng/csp: no unbuffered channel (capacity ≥ 1), so its ping-pong uses capacity 1; `select` has receive cases only (no send case, no default) — not a full select; `write()` resolves only when the value is read, so buffered writes use `offer()` first.',
  ],
};
