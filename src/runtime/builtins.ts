/**
 * Go's channel builtins as functions — `close`, `len`, `cap` — and the send/receive forms that
 * accept a nil channel (`null`), which blocks forever as in Go (and so shows up in the goroutine
 * dump and the deadlock detector). They accept a {@link Chan} or the directional types its
 * methods cannot name: a {@link RecvChan} or a {@link SendChan}.
 *
 * Invariant: a nil send or receive parks on a waiter nothing can ever find; nothing readies it.
 *
 * @module
 */

import { park } from './goroutine.js';
import { LEAKED, Waiter } from './waiter.js';
import { errCloseNil } from './errors.js';
import type { Chan, MaybePromise, RecvChan, SendChan } from './chan.js';

/** Parks forever (nothing can ever ready the waiter): the leak report lists it at once. */
function parkNil<T>(reason: string): Promise<T> {
  const w = new Waiter();
  const p = park<T>(w, reason);
  w.g!.waitObj = LEAKED;
  return p;
}

/**
 * Sends on `ch`, which may be nil (`null`): a send on a nil channel blocks forever, as in Go.
 * Accepts a {@link Chan} or a send-only {@link SendChan}.
 */
export function send<T>(ch: SendChan<T> | null, v: T): Promise<void> | undefined {
  if (ch === null) return parkNil<void>('chan send (nil chan)');
  return ch.send(v);
}

/**
 * Receives from `ch`, which may be nil (`null`): blocks forever on a nil channel, as in Go.
 * Accepts a {@link Chan} or a receive-only {@link RecvChan}.
 */
export function recv<T>(ch: RecvChan<T> | null): MaybePromise<T | undefined> {
  if (ch === null) return parkNil<T | undefined>('chan receive (nil chan)');
  return ch.recv();
}

/** Comma-ok receive from `ch` (a {@link Chan} or a {@link RecvChan}), which may be nil (`null`). */
export function recvOk<T>(ch: RecvChan<T> | null): MaybePromise<[T | undefined, boolean]> {
  if (ch === null) return parkNil<[T | undefined, boolean]>('chan receive (nil chan)');
  return ch.recvOk();
}

/**
 * Closes `ch` (Go's `close(ch)`). Accepts a {@link Chan} or a send-only {@link SendChan}, not a
 * {@link RecvChan}: as in Go, only the sending side may close.
 *
 * @throws StrandError `chan: close of nil channel` for `null`, `chan: close of closed channel`
 * if already closed.
 */
export function close<T>(ch: SendChan<T> | null): void {
  if (ch === null) throw errCloseNil();
  ch.close();
}

/** Go's `len(ch)`: buffered values; 0 for a nil channel. Any direction. */
export function len<T>(ch: RecvChan<T> | SendChan<T> | null): number {
  // Every RecvChan/SendChan is a Chan (the brands cannot be had otherwise).
  return ch === null ? 0 : (ch as Chan<T>).len;
}

/** Go's `cap(ch)`: buffer capacity; 0 for a nil channel. Any direction. */
export function cap<T>(ch: RecvChan<T> | SendChan<T> | null): number {
  return ch === null ? 0 : (ch as Chan<T>).cap;
}
