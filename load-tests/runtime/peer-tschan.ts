/**
 * ts-chan (Go-like channels for TypeScript) in the runtime benchmark, through its documented
 * API: `new Chan(cap)`, `await ch.send(v)`, `await ch.recv()` (an iterator result), `ch.close()`,
 * `new Select([recv(a), recv(b)])` with `await sel.wait()` and `sel.recv(case)` — a real select
 * (send and receive cases, `poll()` as default). Used in its default (safe) mode, which yields to
 * the macrotask queue as its README describes.
 *
 * @module
 */
import { Chan, Select, recv } from 'ts-chan';
import { PARKED_PER_CHAN, measureParked, type Impl } from './measure.js';

async function pingpong(n: number): Promise<void> {
  const ping = new Chan<number>();
  const pong = new Chan<number>();
  void (async () => {
    for (;;) {
      const r = await ping.recv();
      if (r.done === true) return;
      await pong.send(r.value);
    }
  })();
  for (let i = 0; i < n; i++) {
    await ping.send(i);
    await pong.recv();
  }
  ping.close();
}

async function buffered(n: number): Promise<void> {
  const ch = new Chan<number>(1024);
  const consumer = (async () => {
    let sum = 0;
    for (;;) {
      const r = await ch.recv();
      if (r.done === true) return sum;
      sum += r.value;
    }
  })();
  for (let i = 0; i < n; i++) await ch.send(i);
  ch.close();
  await consumer;
}

async function select(n: number): Promise<Record<string, number>> {
  const a = new Chan<number>(1);
  const b = new Chan<number>(1);
  a.trySend(0);
  b.trySend(1);
  const chans = [a, b];
  const sel = new Select([recv(a), recv(b)]);
  const counts = [0, 0];
  for (let i = 0; i < n; i++) {
    const k = await sel.wait();
    sel.recv(sel.cases[k]!);
    counts[k]++;
    await chans[k]!.send(k);
  }
  return { count_0: counts[0]!, count_1: counts[1]! };
}

function parked(n: number): Promise<Record<string, number>> {
  let finished = 0;
  let done: () => void = () => {};
  const sleeper = async (ch: Chan<number>): Promise<void> => {
    await ch.recv();
    if (++finished === n) done();
  };
  return measureParked(
    n,
    (n) => {
      const chans: Chan<number>[] = [];
      for (let i = 0; i < n; i++) {
        if (i % PARKED_PER_CHAN === 0) chans.push(new Chan<number>());
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

export const tschan: Impl = {
  pingpong,
  buffered,
  select,
  parked,
  notes: ['ts-chan: `Select` is a real select (send and receive cases, `poll()` for default); default (safe) mode, which yields to the macrotask queue.'],
};
