/**
 * The bare-promise floor: the least a promise-based channel can do — a ring buffer, a queue of
 * waiting receivers' resolve functions and a queue of waiting senders — with none of strand's
 * bookkeeping (no goroutine registry, no wait reasons, no fairness budget, no deadlock
 * detection). Like strand it returns a plain value when an operation completes at once and a
 * promise only when it must wait, so it is measured in the same two styles. Its select handles
 * only what the benchmark needs (a choice among ready receive cases).
 *
 * @module
 */
import { PARKED_PER_CHAN, measureParked, type Impl } from './measure.js';

const WB: unique symbol = Symbol('would block');
const DONE: unique symbol = Symbol('closed');

interface Sender<T> {
  v: T;
  res: () => void;
}

/** A growable ring-buffer queue (FIFO) with no per-operation allocation. */
class Ring<E> {
  private a: (E | undefined)[] = new Array<E | undefined>(8).fill(undefined);
  private h = 0;
  n = 0;

  push(e: E): void {
    if (this.n === this.a.length) {
      const b = new Array<E | undefined>(this.a.length * 2).fill(undefined);
      for (let i = 0; i < this.n; i++) b[i] = this.a[(this.h + i) & (this.a.length - 1)];
      this.a = b;
      this.h = 0;
    }
    this.a[(this.h + this.n++) & (this.a.length - 1)] = e;
  }

  shift(): E {
    const e = this.a[this.h] as E;
    this.a[this.h] = undefined;
    this.h = (this.h + 1) & (this.a.length - 1);
    this.n--;
    return e;
  }
}

/** A minimal channel: FIFO receivers and senders, direct hand-off, optional buffer. */
export class FloorChan<T> {
  private readonly buf: Ring<T> = new Ring<T>();
  private readonly cap: number;
  private readonly rq: Ring<(v: T | typeof DONE) => void> = new Ring();
  private readonly sq: Ring<Sender<T>> = new Ring();
  closed = false;

  constructor(cap = 0) {
    this.cap = cap;
  }

  trySend(v: T): boolean {
    if (this.rq.n > 0) {
      this.rq.shift()(v);
      return true;
    }
    if (this.buf.n < this.cap) {
      this.buf.push(v);
      return true;
    }
    return false;
  }

  send(v: T): undefined | Promise<void> {
    if (this.trySend(v)) return undefined;
    return new Promise<void>((res) => {
      this.sq.push({ v, res });
    });
  }

  tryRecv(): T | typeof WB | typeof DONE {
    if (this.buf.n > 0) {
      const v = this.buf.shift();
      if (this.sq.n > 0) {
        const s = this.sq.shift();
        this.buf.push(s.v);
        s.res();
      }
      return v;
    }
    if (this.sq.n > 0) {
      const s = this.sq.shift();
      s.res();
      return s.v;
    }
    return this.closed ? DONE : WB;
  }

  recv(): T | typeof DONE | Promise<T | typeof DONE> {
    const v = this.tryRecv();
    if (v !== WB) return v;
    return new Promise<T | typeof DONE>((res) => {
      this.rq.push(res);
    });
  }

  ready(): boolean {
    return this.buf.n > 0 || this.sq.n > 0 || this.closed;
  }

  close(): void {
    this.closed = true;
    while (this.rq.n > 0) this.rq.shift()(DONE);
  }
}

let seed = 0x2545f491;
/** Chooses uniformly among the ready channels and receives from it; -1 if none is ready. */
function floorSelect<T>(chans: FloorChan<T>[], out: { value: T | typeof DONE | undefined }): number {
  let n = 0;
  for (let i = 0; i < chans.length; i++) if (chans[i]!.ready()) n++;
  if (n === 0) return -1;
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  let k = (seed >>> 0) % n;
  for (let i = 0; i < chans.length; i++) {
    if (chans[i]!.ready() && k-- === 0) {
      out.value = chans[i]!.tryRecv() as T | typeof DONE;
      return i;
    }
  }
  return -1;
}

// ---- try-first ---------------------------------------------------------------------------

async function pongerTry(ping: FloorChan<number>, pong: FloorChan<number>): Promise<void> {
  for (;;) {
    let v = ping.tryRecv();
    if (v === WB) v = await ping.recv();
    if (v === DONE) return;
    if (!pong.trySend(v)) await pong.send(v);
  }
}

async function pingpongTry(n: number): Promise<void> {
  const ping = new FloorChan<number>();
  const pong = new FloorChan<number>();
  void pongerTry(ping, pong);
  for (let i = 0; i < n; i++) {
    if (!ping.trySend(i)) await ping.send(i);
    let v = pong.tryRecv();
    if (v === WB) v = await pong.recv();
  }
  ping.close();
}

async function bufferedTry(n: number): Promise<void> {
  const ch = new FloorChan<number>(1024);
  const consumer = (async () => {
    let sum = 0;
    for (;;) {
      let v = ch.tryRecv();
      if (v === WB) v = await ch.recv();
      if (v === DONE) return sum;
      sum += v;
    }
  })();
  for (let i = 0; i < n; i++) if (!ch.trySend(i)) await ch.send(i);
  ch.close();
  await consumer;
}

async function selectTry(n: number): Promise<Record<string, number>> {
  const chans = [new FloorChan<number>(1), new FloorChan<number>(1)];
  chans[0]!.trySend(0);
  chans[1]!.trySend(1);
  const out = { value: undefined as number | typeof DONE | undefined };
  const counts = [0, 0];
  for (let i = 0; i < n; i++) {
    const k = floorSelect(chans, out);
    counts[k]++;
    if (!chans[k]!.trySend(k)) await chans[k]!.send(k);
  }
  return { count_0: counts[0]!, count_1: counts[1]! };
}

// ---- await every operation -----------------------------------------------------------------

async function pongerAwait(ping: FloorChan<number>, pong: FloorChan<number>): Promise<void> {
  for (;;) {
    const v = await ping.recv();
    if (v === DONE) return;
    await pong.send(v);
  }
}

async function pingpongAwait(n: number): Promise<void> {
  const ping = new FloorChan<number>();
  const pong = new FloorChan<number>();
  void pongerAwait(ping, pong);
  for (let i = 0; i < n; i++) {
    await ping.send(i);
    await pong.recv();
  }
  ping.close();
}

async function bufferedAwait(n: number): Promise<void> {
  const ch = new FloorChan<number>(1024);
  const consumer = (async () => {
    let sum = 0;
    for (;;) {
      const v = await ch.recv();
      if (v === DONE) return sum;
      sum += v;
    }
  })();
  for (let i = 0; i < n; i++) await ch.send(i);
  ch.close();
  await consumer;
}

async function selectAwait(n: number): Promise<Record<string, number>> {
  const chans = [new FloorChan<number>(1), new FloorChan<number>(1)];
  chans[0]!.trySend(0);
  chans[1]!.trySend(1);
  const out = { value: undefined as number | typeof DONE | undefined };
  const counts = [0, 0];
  for (let i = 0; i < n; i++) {
    const k = await floorSelect(chans, out);
    counts[k]++;
    await chans[k]!.send(k);
  }
  return { count_0: counts[0]!, count_1: counts[1]! };
}

// ---- parked ------------------------------------------------------------------------------

let finished = 0;
let target = 0;
let allDone: (() => void) | null = null;

async function sleeper(ch: FloorChan<number>): Promise<void> {
  await ch.recv();
  if (++finished === target) allDone!();
}

function parked(n: number): Promise<Record<string, number>> {
  return measureParked(
    n,
    (n) => {
      const chans: FloorChan<number>[] = [];
      for (let i = 0; i < n; i++) {
        if (i % PARKED_PER_CHAN === 0) chans.push(new FloorChan<number>());
        void sleeper(chans[chans.length - 1]!);
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
export const floor: Impl = { pingpong: pingpongTry, buffered: bufferedTry, select: selectTry, parked };
/** Await-every-op style. */
export const floorAwait: Impl = { pingpong: pingpongAwait, buffered: bufferedAwait, select: selectAwait };
