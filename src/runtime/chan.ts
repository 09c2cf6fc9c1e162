/**
 * Channels with Go's semantics (runtime/chan.go).
 *
 * Invariants (as in Go):
 * - At least one of the receive queue and the send queue is empty, except for an unbuffered channel
 *   with a single goroutine blocked on it in a select with both a send and a receive case.
 * - For a buffered channel: `count > 0` implies an empty receive queue, `count < cap` an empty
 *   send queue.
 * - A closed channel has an empty send queue (close fails every blocked sender) and an empty
 *   receive queue (close wakes every blocked receiver).
 *
 * Every operation first tries to complete at once; only when it must block does it allocate a
 * sudog and a promise. So each operation returns either a plain value (done) or a promise
 * (parked): `await` works on both, and hot loops can skip the `await` on the plain value (the
 * try forms make that pleasant: {@link Chan.tryRecv}, {@link Chan.trySend}).
 *
 * All fields are guarded by the single JavaScript thread: an operation runs to completion without
 * interleaving, and readied goroutines continue only in later microtasks.
 *
 * @module
 */

import { immediate, park } from './goroutine.js';
import { Waiter } from './waiter.js';
import { qpush, qremove } from './waitq.js';
import { trackOwner } from './leak.js';
import { kDequeue, kEnqueue, kReady, kRecvInto, kWaiting, kWatch } from './_symbols.js';
import { adopt } from './bubble.js';

/** A channel's receive in a given result form; shared with ChanIterator (this file only). */
const kRecv: unique symbol = Symbol('strand.chan.recv');
import { errCloseClosed, errInvalidArg, errSendOnClosed } from './errors.js';
import {
  CLOSED,
  RecvMode,
  WOULD_BLOCK,
  type Sudog,
  completeRecv,
  completeSend,
  failSend,
  recvResult,
  type Closed,
  type WouldBlock,
} from './sudog.js';

export { CLOSED, WOULD_BLOCK, type Closed, type WouldBlock } from './sudog.js';

/** A value or a promise of it: what every channel operation returns. `await` accepts both. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Type-only brands of {@link RecvChan} and {@link SendChan}. They are `declare`d, so nothing
 * exists at runtime (no symbol, no field, no cost); only {@link Chan} carries them in its type,
 * which makes the directional types nominal: the free functions and select cases that accept
 * them use the channel's internals, so a look-alike object with a `recv()` must not type-check.
 * Their function types set the variance: receiving is covariant in `T`, sending contravariant,
 * so a `Chan<T>` (which has both) is invariant, as Go's channels are.
 */
declare const recvBrand: unique symbol;
/** See {@link recvBrand}. */
declare const sendBrand: unique symbol;

/**
 * A channel of values of type `T`. Create one with {@link chan}. A `null` channel is Go's nil
 * channel: pass it to {@link send}, {@link recv} or a select case and it is never ready.
 */
export class Chan<T> implements AsyncIterable<T> {
  /** Type-only (no runtime field): marks a channel that can be received from, see {@link RecvChan}. */
  declare readonly [recvBrand]: () => T;
  /** Type-only (no runtime field): marks a channel that can be sent on, see {@link SendChan}. */
  declare readonly [sendBrand]: (v: T) => void;

  // Every field is the class's own (`#private`: a channel has no other own property, see the
  // directional types' test); the other runtime files reach a channel only through the few
  // symbol-keyed methods below, which live on the prototype. All are initialized with a value
  // of their final representation (`#cap` a small integer, `#buf` an object), then set by the
  // constructor: a field first defined as `undefined` would be generalized, which measured ~15%
  // more instructions on the buffered fast path.

  /** Ring buffer, `null` when unbuffered. */
  #buf: (T | undefined)[] | null = null;
  /** Index of the oldest buffered value. */
  #head = 0;
  /** Number of buffered values. */
  #count = 0;
  /** Buffer capacity. */
  readonly #cap: number = 0;
  #closed = false;
  /** First waiter of the receive queue (waitq.ts: a circular list), or null. */
  #recvq: Sudog | null = null;
  /** First waiter of the send queue, or null. */
  #sendq: Sudog | null = null;
  /**
   * Called when the receive queue becomes non-empty (true) or empty (false). Timer and context
   * channels use it to keep the process alive only while a goroutine waits on them.
   */
  #onRecvWaiters: ((waiting: boolean) => void) | null = null;
  #leakId = 0; // leak report id (leak.ts), registered on the first park in a send or receive

  /** Use {@link chan}. */
  constructor(capacity = 0) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw errInvalidArg(`chan: invalid capacity ${capacity}`);
    }
    this.#cap = capacity;
    this.#buf = capacity > 0 ? new Array<T | undefined>(capacity).fill(undefined) : null;
    adopt(this); // a channel made in a synctest bubble is the bubble's
  }

  /** Number of values queued in the buffer (Go's `len(ch)`). */
  get len(): number {
    return this.#count;
  }

  /** Buffer capacity (Go's `cap(ch)`). */
  get cap(): number {
    return this.#cap;
  }

  /** True once {@link Chan.close} has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends `v` (Go's `ch <- v`). Returns `undefined` when the value was handed to a waiting
   * receiver or buffered at once, otherwise a promise that resolves when a receiver takes it.
   * Blocked senders are served in FIFO order.
   *
   * @throws StrandError `chan: send on closed channel` (code `STRAND_ERR_CLOSED_CHANNEL`) if the
   * channel is closed, or is closed while the sender waits.
   */
  send(v: T): Promise<void> | undefined {
    if (this.trySend(v)) return immediate(undefined);
    const s = new Waiter();
    s.isSend = true;
    s.value = v;
    this.#enqueueSend(s);
    const p = park<void>(s, 'chan send');
    s.g!.waitObj = this.#leakId || (this.#leakId = trackOwner(this)); // leak.ts
    return p;
  }

  /**
   * Sends `v` only if that can be done without blocking (Go's select with a default). Returns
   * true if sent.
   *
   * @throws StrandError `chan: send on closed channel` if the channel is closed.
   */
  trySend(v: T): boolean {
    if (this.#closed) throw errSendOnClosed();
    const r = this.#recvq;
    if (r !== null) {
      // Direct hand-off: a receiver is waiting, so the buffer is empty.
      this.#removeRecv(r);
      completeRecv(r, v, true);
      return true;
    }
    if (this.#count < this.#cap) {
      this.#push(v);
      return true;
    }
    return false;
  }

  /**
   * Receives a value (Go's `v := <-ch`). Once the channel is closed and drained it yields
   * `undefined`, Go's zero value; use {@link Chan.recvOk} or {@link Chan.recvOrClosed} to tell a
   * received `undefined` from a closed channel.
   */
  recv(): MaybePromise<T | undefined> {
    return this[kRecv](RecvMode.Zero) as MaybePromise<T | undefined>;
  }

  /** Receives with Go's comma-ok: `[value, true]`, or `[undefined, false]` once closed and drained. */
  recvOk(): MaybePromise<[T | undefined, boolean]> {
    return this[kRecv](RecvMode.Tuple) as MaybePromise<[T | undefined, boolean]>;
  }

  /**
   * Receives a value, or {@link CLOSED} once the channel is closed and drained: comma-ok without
   * allocating a tuple.
   *
   * @example
   * ```ts
   * for (;;) {
   *   const v = await ch.recvOrClosed();
   *   if (v === CLOSED) break;
   *   use(v);
   * }
   * ```
   */
  recvOrClosed(): MaybePromise<T | Closed> {
    return this[kRecv](RecvMode.Sentinel) as MaybePromise<T | Closed>;
  }

  /**
   * Receives without blocking: the value, {@link CLOSED} if the channel is closed and drained, or
   * {@link WOULD_BLOCK} if nothing is ready. The try-first style awaits only on `WOULD_BLOCK`:
   *
   * @example
   * ```ts
   * let v = ch.tryRecv();
   * if (v === WOULD_BLOCK) v = await ch.recvOrClosed();
   * ```
   */
  tryRecv(): T | Closed | WouldBlock {
    if (this.#count > 0) return this.#shift();
    const s = this.#sendq;
    if (s !== null) {
      this.#removeSend(s);
      const v = s.value as T;
      completeSend(s);
      return v;
    }
    return this.#closed ? CLOSED : WOULD_BLOCK;
  }

  /**
   * Closes the channel (Go's `close(ch)`): buffered values can still be received, then receivers
   * get `ok = false`; every blocked receiver wakes; blocked and later senders fail.
   *
   * @throws StrandError `chan: close of closed channel` (code `STRAND_ERR_CLOSE_CLOSED`).
   */
  close(): void {
    if (this.#closed) throw errCloseClosed();
    this.#closed = true;
    for (let r = this.#recvq; r !== null; r = this.#recvq) {
      this.#removeRecv(r);
      completeRecv(r, undefined, false);
    }
    for (let s = this.#sendq; s !== null; s = this.#sendq) {
      this.#removeSend(s);
      failSend(s, errSendOnClosed());
    }
  }

  /**
   * Ranges over received values until the channel is closed (Go's `for v := range ch`).
   * Breaking out of the loop leaves the channel as it is.
   *
   * Not an async generator: each `next()` is a receive whose parked promise resolves straight to
   * the iterator result, so the loop body continues right behind the runtime's resume hook (see
   * goroutine.ts) and one promise fewer is allocated per value.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ChanIterator<T>(this);
  }

  // ---- for the rest of the runtime (symbol-keyed, on the prototype) ------------------------

  /** @internal A receive whose result takes the form `mode` asks for. */
  [kRecv](mode: RecvMode): unknown {
    if (this.#count > 0) {
      const v = this.#shift();
      return immediate(recvResult(mode, v, true));
    }
    const s = this.#sendq;
    if (s !== null) {
      // Unbuffered: take the value straight from the blocked sender.
      this.#removeSend(s);
      const v = s.value;
      completeSend(s);
      return immediate(recvResult(mode, v, true));
    }
    if (this.#closed) {
      return immediate(recvResult(mode, undefined, false));
    }
    const r = new Waiter();
    r.mode = mode;
    this.#enqueueRecv(r);
    const p = park<unknown>(r, 'chan receive');
    r.g!.waitObj = this.#leakId || (this.#leakId = trackOwner(this)); // leak.ts
    return p;
  }

  /** @internal select: whether a send (or a receive) can proceed now (closed counts as ready). */
  [kReady](isSend: boolean): boolean {
    if (isSend) return this.#closed || this.#recvq !== null || this.#count < this.#cap;
    return this.#count > 0 || this.#sendq !== null || this.#closed;
  }

  /**
   * @internal select: runs a ready receive case `k`, leaving Go's `v, ok` in `k.value`, `k.ok`.
   * The caller checked `[kReady](false)`.
   */
  [kRecvInto](k: Sudog): void {
    if (this.#count > 0) {
      k.value = this.#shift();
      k.ok = true;
      return;
    }
    const s = this.#sendq;
    if (s !== null) {
      this.#removeSend(s);
      k.value = s.value;
      k.ok = true;
      completeSend(s);
      return;
    }
    k.value = undefined; // closed
    k.ok = false;
  }

  /** @internal select: queues the case `s` on the receive or the send queue (by `s.isSend`). */
  [kEnqueue](s: Sudog): void {
    if (s.isSend) this.#enqueueSend(s);
    else this.#enqueueRecv(s);
  }

  /** @internal Removes `s`, which is in one of this channel's queues. */
  [kDequeue](s: Sudog): void {
    if (s.isSend) this.#removeSend(s);
    else this.#removeRecv(s);
  }

  /** @internal Sets the hook called when the receive queue becomes non-empty / empty. */
  [kWatch](hook: ((waiting: boolean) => void) | null): void {
    this.#onRecvWaiters = hook;
  }

  /** @internal Whether a goroutine waits to receive (a receive or a select case). */
  [kWaiting](): boolean {
    return this.#recvq !== null;
  }

  // ---- the buffer and the queues -----------------------------------------------------------

  /** Appends to the ring buffer; the caller checked `count < cap`. */
  #push(v: T): void {
    const buf = this.#buf!;
    let i = this.#head + this.#count;
    if (i >= this.#cap) i -= this.#cap;
    buf[i] = v;
    this.#count++;
  }

  /**
   * Takes the oldest buffered value; the caller checked `count > 0`. If a sender is blocked (the
   * buffer was full), its value moves into the freed slot and it is readied.
   */
  #shift(): T {
    const buf = this.#buf!;
    const h = this.#head;
    const v = buf[h] as T;
    buf[h] = undefined;
    this.#head = h + 1 === this.#cap ? 0 : h + 1;
    this.#count--;
    const s = this.#sendq;
    if (s !== null) {
      this.#removeSend(s);
      this.#push(s.value as T);
      completeSend(s);
    }
    return v;
  }

  #enqueueRecv(s: Sudog): void {
    s.chan = this;
    const head = this.#recvq;
    this.#recvq = qpush(head, s);
    if (head === null && this.#onRecvWaiters !== null) this.#onRecvWaiters(true);
  }

  #enqueueSend(s: Sudog): void {
    s.chan = this;
    this.#sendq = qpush(this.#sendq, s);
  }

  #removeRecv(s: Sudog): void {
    const head = qremove(this.#recvq!, s);
    this.#recvq = head;
    if (head === null && this.#onRecvWaiters !== null) this.#onRecvWaiters(false);
  }

  #removeSend(s: Sudog): void {
    this.#sendq = qremove(this.#sendq!, s);
  }
}

/** The iterator of `for await (const v of ch)`. */
class ChanIterator<T> implements AsyncIterableIterator<T> {
  private readonly ch: Chan<T>;
  constructor(ch: Chan<T>) {
    this.ch = ch;
  }
  next(): Promise<IteratorResult<T>> {
    const r = this.ch[kRecv](RecvMode.Iter) as MaybePromise<IteratorResult<T>>;
    // At once: a settled promise, awaited right behind the hook immediate() may have queued.
    return r instanceof Promise ? r : Promise.resolve(r);
  }
  return(): Promise<IteratorResult<T>> {
    return Promise.resolve({ value: undefined, done: true });
  }
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/**
 * Makes a channel (Go's `make(chan T, capacity)`). Capacity 0 (the default) is unbuffered: a send
 * waits for a receiver, a rendezvous.
 */
export function chan<T>(capacity = 0): Chan<T> {
  return new Chan<T>(capacity);
}

/**
 * A receive-only channel (Go's `<-chan T`): what a function that only receives should accept
 * or return. A {@link Chan} is assignable to it; it cannot be sent on or closed (Go forbids
 * `close` on a receive-only channel), and it is not assignable to {@link SendChan}. Only a real
 * channel made by {@link chan} has this type (it is branded), so the receive helpers and
 * {@link recvCase} accept it, and `null` (the nil channel) wherever they accept `null`. It is
 * covariant: a `RecvChan<"a">` is a `RecvChan<string>`. A type, not a wrapper: passing a Chan
 * as a RecvChan costs nothing at runtime, and a cast back to `Chan` gets around it, as an
 * `unsafe` conversion would in Go.
 *
 * @example
 * ```ts
 * // Rob Pike's fan-in: func fanIn(in1, in2 <-chan string) <-chan string
 * function fanIn(in1: RecvChan<string>, in2: RecvChan<string>): RecvChan<string> {
 *   const out = chan<string>();
 *   go(async () => {
 *     const a = recvCase(in1), b = recvCase(in2);
 *     for (;;) await out.send((await select([a, b])) === 0 ? a.value! : b.value!);
 *   });
 *   return out;
 * }
 * ```
 */
export interface RecvChan<T>
  extends Pick<Chan<T>, typeof recvBrand | 'recv' | 'recvOk' | 'recvOrClosed' | 'tryRecv' | 'len' | 'cap' | typeof Symbol.asyncIterator> {}

/**
 * A send-only channel (Go's `chan<- T`): what a function that only sends should accept. A
 * {@link Chan} is assignable to it; it cannot be received from, and it is not assignable to
 * {@link RecvChan}. It can be closed, as Go allows on a `chan<-`: the sender is the side that
 * closes. Branded like {@link RecvChan}; contravariant: a `SendChan<string>` is a
 * `SendChan<"a">`.
 *
 * @example
 * ```ts
 * async function produce(out: SendChan<number>, n: number): Promise<void> {
 *   for (let i = 0; i < n; i++) await out.send(i);
 *   close(out);
 * }
 * ```
 */
export interface SendChan<T> extends Pick<Chan<T>, typeof sendBrand | 'send' | 'trySend' | 'close' | 'len' | 'cap'> {}
