/**
 * `select` over send and receive cases (Go's runtime/select.go).
 *
 * A case is an object you build once with {@link recvCase} or {@link sendCase} and may reuse in
 * a loop (update `sendCase.value` between selects); after a receive case is chosen, its `value`
 * and `ok` hold what was received. A case object belongs to one goroutine at a time.
 *
 * Algorithm: pass 1 counts the ready cases; if any, one is chosen uniformly at random and run at
 * once. Otherwise every non-nil case is queued on its channel (the case object is itself the
 * queue entry) and the goroutine parks once. The first counterpart to match a case decides the
 * select: it withdraws every other case from its queue before readying the goroutine, so an
 * abandoned case never consumes a value.
 *
 * @module
 */

import { immediate, park } from './goroutine.js';
import { Waiter } from './waiter.js';
import { kEnqueue, kReady, kRecvInto } from './_symbols.js';
import type { Chan, RecvChan, SendChan } from './chan.js';
import { CLOSED } from './sudog.js';

// Module-local copies of the symbols the ready pass uses: in optimized code an imported binding
// is loaded through its module cell at every use (V8 does not fold it), which measured +7%
// instructions per select; a local const is one context load.
const READY: typeof kReady = kReady;
const RECV_INTO: typeof kRecvInto = kRecvInto;

/**
 * A receive case: after it is chosen, `value` and `ok` hold Go's `v, ok := <-ch`. It is a
 * runtime {@link Waiter} (the case is its own queue entry), typed down to what you may touch.
 */
export interface RecvCase<T> extends Waiter {
  /** The channel; `null` (nil) is never ready. Do not change it while a select is parked. */
  chan: RecvChan<T> | null;
  /** The value received, once this case was chosen (`undefined` if closed). */
  value: T | undefined;
  /** False if this case was chosen because the channel is closed. */
  ok: boolean;
}

/** A send case: sends `value` on `chan` when chosen. `value` may be reassigned between selects. */
export interface SendCase<T> extends Waiter {
  /** The channel; `null` (nil) is never ready. */
  chan: SendChan<T> | null;
  /** The value to send. */
  value: T;
}

/** A select case. */
export type Case = RecvCase<any> | SendCase<any>;

/**
 * A receive case on `ch` (Go's `case v, ok := <-ch:`): a {@link Chan}, a receive-only
 * {@link RecvChan}, or `null` (never ready).
 */
export function recvCase<T>(ch: RecvChan<T> | null): RecvCase<T> {
  const k = new Waiter() as RecvCase<T>;
  k.chan = ch;
  return k;
}

/**
 * A send case of `v` on `ch` (Go's `case ch <- v:`): a {@link Chan}, a send-only
 * {@link SendChan}, or `null` (never ready).
 */
export function sendCase<T>(ch: SendChan<T> | null, v: T): SendCase<T> {
  const k = new Waiter() as SendCase<T>;
  k.isSend = true;
  k.chan = ch;
  k.value = v;
  return k;
}

// xorshift32: a fast, allocation-free source for the uniform choice among ready cases.
let seed = (Math.random() * 0x7fffffff) | 1;
function rand(n: number): number {
  let x = seed;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  seed = x;
  return (x >>> 0) % n;
}

// `k.chan as Chan<unknown>` below: a case's RecvChan/SendChan is always a Chan (the types are
// branded, see chan.ts), so reaching its internals is a cast, with no runtime check.

function isReady(k: Case): boolean {
  const c = k.chan as Chan<unknown> | null;
  return c !== null && c[READY](k.isSend);
}

/** Runs a ready case now. */
function run(k: Case): void {
  const c = k.chan as Chan<unknown>;
  // A ready send is exactly a trySend that succeeds (or throws on a closed channel).
  if (k.isSend) c.trySend(k.value);
  else c[RECV_INTO](k);
}

/** Picks a ready case uniformly at random and runs it; -1 if none is ready. */
function poll(cases: readonly Case[]): number {
  let n = 0;
  for (let i = 0; i < cases.length; i++) if (isReady(cases[i])) n++;
  if (n === 0) return -1;
  let k = n === 1 ? 0 : rand(n);
  for (let i = 0; i < cases.length; i++) {
    if (isReady(cases[i]) && k-- === 0) {
      run(cases[i]);
      return i;
    }
  }
  return -1; // unreachable
}

/**
 * Waits until one of `cases` can proceed, runs it and returns its index (Go's `select`). If
 * several are ready, one is chosen uniformly at random. Nil-channel cases are never ready; a
 * select with no cases (or only nil ones) blocks forever. Returns a plain number when a case was
 * ready at once, otherwise a promise.
 *
 * @throws StrandError `chan: send on closed channel` if a send case on a closed channel is chosen.
 *
 * @example
 * ```ts
 * const msg = recvCase(messages), timeout = recvCase(after(1000));
 * switch (await select([msg, timeout])) {
 *   case 0: console.log('got', msg.value); break;
 *   case 1: console.log('timed out'); break;
 * }
 * ```
 */
export function select(cases: readonly Case[]): number | Promise<number> {
  const i = poll(cases);
  if (i >= 0) {
    return immediate(i);
  }
  const sel = new Waiter();
  sel.value = cases;
  let queued = 0;
  for (let j = 0; j < cases.length; j++) {
    const k = cases[j];
    const c = k.chan as Chan<unknown> | null;
    if (c === null) continue;
    k.sel = sel;
    k.idx = j;
    c[kEnqueue](k);
    queued++;
  }
  return park<number>(sel, queued === 0 ? 'select (no cases)' : 'select');
}

/**
 * Runs one ready case and returns its index, or returns -1 at once if none is ready (Go's
 * `select` with a `default:` case).
 */
export function trySelect(cases: readonly Case[]): number {
  return poll(cases);
}

export { CLOSED };
