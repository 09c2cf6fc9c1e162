/**
 * medium (CSP on async/await) in the runtime benchmark, through its documented API: `chan(n)`,
 * `await take(ch)`, `await put(ch, v)`, `close(ch)`, `CLOSED`, and `await any(a, b)` (select over
 * receive ports and `[ch, v]` send ports; resolves with `[value, channel]`).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { PARKED_PER_CHAN, measureParked, type Impl } from './measure.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- medium ships no types */
const m: any = createRequire(import.meta.url)('medium');

async function pingpong(n: number): Promise<void> {
  const ping = m.chan();
  const pong = m.chan();
  void (async () => {
    for (;;) {
      const v = await m.take(ping);
      if (v === m.CLOSED) return;
      await m.put(pong, v);
    }
  })();
  for (let i = 0; i < n; i++) {
    await m.put(ping, i);
    await m.take(pong);
  }
  m.close(ping);
}

async function buffered(n: number): Promise<void> {
  const ch = m.chan(1024);
  const consumer = (async () => {
    let sum = 0;
    for (;;) {
      const v = await m.take(ch);
      if (v === m.CLOSED) return sum;
      sum += v;
    }
  })();
  for (let i = 0; i < n; i++) await m.put(ch, i);
  m.close(ch);
  await consumer;
}

async function select(n: number): Promise<Record<string, number>> {
  const a = m.chan(1);
  const b = m.chan(1);
  await m.put(a, 0);
  await m.put(b, 1);
  const counts = [0, 0];
  for (let i = 0; i < n; i++) {
    const [, ch] = await m.any(a, b);
    const k = ch === a ? 0 : 1;
    counts[k]++;
    await m.put(ch, k);
  }
  return { count_0: counts[0]!, count_1: counts[1]! };
}

function parked(n: number): Promise<Record<string, number>> {
  let finished = 0;
  let done: () => void = () => {};
  const sleeper = async (ch: any): Promise<void> => {
    await m.take(ch);
    if (++finished === n) done();
  };
  return measureParked(
    n,
    (n) => {
      const chans: any[] = [];
      for (let i = 0; i < n; i++) {
        if (i % PARKED_PER_CHAN === 0) chans.push(m.chan());
        m.go(() => sleeper(chans[chans.length - 1]));
      }
      return chans;
    },
    (chans) =>
      new Promise<void>((resolve) => {
        done = resolve;
        for (const c of chans) m.close(c);
      }),
  );
}

export const medium: Impl = {
  pingpong,
  buffered,
  select,
  parked,
  notes: ['medium: `any()` selects among receive and `[ch, v]` send ports, random among ready ones.'],
};
