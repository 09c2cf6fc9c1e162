/**
 * strand in the runtime benchmark, in both styles the DESIGN names:
 * - try-first (`strand`): a try form first, `await` only when the operation would block — the
 *   style the library's own hot loops use;
 * - await-every-op (`strand-await`): `await` on every operation, the plain style.
 *
 * @module
 */
import { CLOSED, WOULD_BLOCK, chan, go, recvCase, select, type Chan } from '../../src/index.js';
import { PARKED_PER_CHAN, measureParked, type Impl } from './measure.js';

// ---- try-first ---------------------------------------------------------------------------

async function pongerTry(ping: Chan<number>, pong: Chan<number>): Promise<void> {
  for (;;) {
    let v = ping.tryRecv();
    if (v === WOULD_BLOCK) v = await ping.recvOrClosed();
    if (v === CLOSED) return;
    if (!pong.trySend(v)) await pong.send(v);
  }
}

function pingpongTry(n: number): Promise<void> {
  return new Promise((resolve) => {
    const ping = chan<number>();
    const pong = chan<number>();
    go(pongerTry, ping, pong);
    go(async function pinger() {
      for (let i = 0; i < n; i++) {
        if (!ping.trySend(i)) await ping.send(i);
        let v = pong.tryRecv();
        if (v === WOULD_BLOCK) v = await pong.recvOrClosed();
      }
      ping.close();
      resolve();
    });
  });
}

function bufferedTry(n: number): Promise<void> {
  return new Promise((resolve) => {
    const ch = chan<number>(1024);
    go(async function consumer() {
      let sum = 0;
      for (;;) {
        let v = ch.tryRecv();
        if (v === WOULD_BLOCK) v = await ch.recvOrClosed();
        if (v === CLOSED) break;
        sum += v;
      }
      resolve();
    });
    go(async function producer() {
      for (let i = 0; i < n; i++) if (!ch.trySend(i)) await ch.send(i);
      ch.close();
    });
  });
}

function selectTry(n: number): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    const a = chan<number>(1);
    const b = chan<number>(1);
    a.send(0);
    b.send(1);
    const chans = [a, b];
    const cases = [recvCase(a), recvCase(b)];
    go(async function selector() {
      const counts = [0, 0];
      for (let i = 0; i < n; i++) {
        let k = select(cases);
        if (typeof k !== 'number') k = await k;
        counts[k]++;
        const c = chans[k];
        if (!c.trySend(k)) await c.send(k);
      }
      resolve({ count_0: counts[0], count_1: counts[1] });
    });
  });
}

// ---- await every operation -----------------------------------------------------------------

async function pongerAwait(ping: Chan<number>, pong: Chan<number>): Promise<void> {
  for (;;) {
    const v = await ping.recvOrClosed();
    if (v === CLOSED) return;
    await pong.send(v);
  }
}

function pingpongAwait(n: number): Promise<void> {
  return new Promise((resolve) => {
    const ping = chan<number>();
    const pong = chan<number>();
    go(pongerAwait, ping, pong);
    go(async function pinger() {
      for (let i = 0; i < n; i++) {
        await ping.send(i);
        await pong.recv();
      }
      ping.close();
      resolve();
    });
  });
}

function bufferedAwait(n: number): Promise<void> {
  return new Promise((resolve) => {
    const ch = chan<number>(1024);
    go(async function consumer() {
      let sum = 0;
      for (;;) {
        const v = await ch.recvOrClosed();
        if (v === CLOSED) break;
        sum += v;
      }
      resolve();
    });
    go(async function producer() {
      for (let i = 0; i < n; i++) await ch.send(i);
      ch.close();
    });
  });
}

function selectAwait(n: number): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    const a = chan<number>(1);
    const b = chan<number>(1);
    a.send(0);
    b.send(1);
    const chans = [a, b];
    const cases = [recvCase(a), recvCase(b)];
    go(async function selector() {
      const counts = [0, 0];
      for (let i = 0; i < n; i++) {
        const k = await select(cases);
        counts[k]++;
        await chans[k].send(k);
      }
      resolve({ count_0: counts[0], count_1: counts[1] });
    });
  });
}

// ---- parked goroutines -------------------------------------------------------------------

let finished = 0;
let target = 0;
let allDone: (() => void) | null = null;

async function sleeper(ch: Chan<number>): Promise<void> {
  await ch.recv();
  if (++finished === target) allDone!();
}

function parked(n: number): Promise<Record<string, number>> {
  return measureParked(
    n,
    (n) => {
      const chans: Chan<number>[] = [];
      for (let i = 0; i < n; i++) {
        if (i % PARKED_PER_CHAN === 0) chans.push(chan<number>());
        go(sleeper, chans[chans.length - 1]);
      }
      return chans;
    },
    (chans) =>
      new Promise<void>((resolve) => {
        finished = 0;
        target = n;
        allDone = resolve;
        for (const c of chans) c.close();
      }),
  );
}

/** Try-first style. */
export const strand: Impl = { pingpong: pingpongTry, buffered: bufferedTry, select: selectTry, parked };
/** Await-every-op style (parked is the same code in both styles, so it is measured once). */
export const strandAwait: Impl = { pingpong: pingpongAwait, buffered: bufferedAwait, select: selectAwait };
