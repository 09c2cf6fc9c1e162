/**
 * IOWait: what the poller knows about one goroutine parked on a socket — the kind of operation,
 * its buffer, its byte count — kept beside a plain runtime waiter (Go's `pollDesc` keeps its
 * state beside the `g` it parks, never inside it). The poller never touches the waiter's fields:
 * it parks and readies it through the runtime's netpoll entry (`src/runtime/netpoll.ts`), and a
 * queued waiter leads back to its IOWait through `pollData`.
 *
 * Invariants (single JS thread; fields owned by the poller):
 * - `w` is made for this IOWait and never changes; `pollData(w) === this`.
 * - `kind === IOKind.Splice` exactly while `sp !== null`.
 * - A reader's `buf` is its destination (null: a chunk read); a writer's `buf` is data still to
 *   hand to Node (null once issued). `buf` is cleared when the goroutine is readied, so a
 *   finished wait holds no buffer.
 *
 * @module
 */

import { pollWaiter, pollWait, type Waiter } from '../../runtime/netpoll.js';

/** @internal What a parked goroutine is doing (`IOWait.kind`). */
export const IOKind = {
  /** A read: `buf` is the destination, or null for a chunk read. */
  Read: 0,
  /** A write: `buf` is deferred data (null once issued); wait until Node's queue is empty. */
  Write: 1,
  /** A write of a buffer given away: ready as soon as it is queued. */
  WriteOwned: 2,
  /** A splice: the same IOWait is the source's reader and the destination's writer. */
  Splice: 3,
  /**
   * A wait for the TLS handshake (handshake.ts): parked as the reader with an empty `buf`, so
   * end of stream, errors, close and the read deadline end it as they end a read.
   */
  Handshake: 4,
} as const;
/** @internal One of {@link IOKind}'s values. */
export type IOKind = (typeof IOKind)[keyof typeof IOKind];

/**
 * @internal What the poller asks of a splice in progress (splice.ts implements it). An interface, so the
 * files that wake writers or fail a side do not import the splice machinery (no import cycle).
 */
export interface SpliceOps {
  /** A chunk arrived on the source. */
  data(chunk: Buffer): void;
  /** Something changed (end of stream, the destination drained): move the copy on. */
  step(): void;
  /** Ends the splice: readies the goroutine with the byte count, or with `err`. */
  end(err: Error | null): void;
}

/** @internal A goroutine parked on one side of a socket (or, splicing, on two sockets). */
export class IOWait {
  /** The runtime waiter the goroutine parks on. */
  readonly w: Waiter;
  kind: IOKind;
  buf: Uint8Array | null;
  /** Write: what the write resolves to. */
  n: number;
  /** The splice this IOWait carries (kind Splice), or null. */
  sp: SpliceOps | null = null;

  constructor(kind: IOKind, buf: Uint8Array | null, n: number) {
    this.w = pollWaiter(this);
    this.kind = kind;
    this.buf = buf;
    this.n = n;
  }
}

/** @internal Parks the calling goroutine on `io` ("IO wait"); the caller awaits the result directly. */
export function parkIO<T>(io: IOWait): Promise<T> {
  return pollWait<T>(io.w, 'IO wait');
}
