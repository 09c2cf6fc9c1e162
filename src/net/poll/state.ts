/**
 * The state of one polled socket (the data half of {@link PollFD}, fd.ts): its state bits, the
 * data kept between reads, the parked reader and writer, and the rarely used rest.
 *
 * ## Invariants (single JS thread; fields owned by the files of this folder)
 * - `RPARKED` is set exactly while the reader IOWait (`kReader`) is parked (a read, a chunk read,
 *   or a splice from this socket); `WPARKED` likewise for `kWriter` (a write, a flush, or a splice
 *   into this socket). A splice's IOWait is the source's reader and the destination's writer at
 *   once. Whoever readies a waiter clears the flag first, so a stale event never readies a later
 *   park.
 * - `RPARKED` implies no data is kept (`kChunk === null`).
 * - `kChunk === null` implies no extra chunks are kept (`Extra.more` is empty).
 * - `DRAIN_PENDING`: the last write returned false, so Node will emit 'drain' when its queue is
 *   empty. `MARK_PENDING`: a marker write is queued. A parked writer waiting for an empty queue
 *   always has one of the two set (see write.ts `armFlush`).
 * - `RDL`/`WDL`: the side's deadline has passed; parked and later operations fail until it is
 *   moved (deadline.ts).
 * - After `CLOSED`, no waiter is parked and no data is kept.
 * - `HANDSHAKING` (TLS only, handshake.ts): set at attach, cleared once by the socket's secure
 *   event; a goroutine waiting for the handshake is the parked reader (kind `Handshake`).
 *
 * ## Idle memory
 * One PollFD per connection, nine fields. The reader and writer IOWaits are made at the first
 * park of each side and reused; deadlines, queued goroutines and extra chunks live in an
 * {@link Extra} made on first use.
 *
 * @module
 */

import type { Socket } from 'node:net';
import type { WaitQueue } from '../../runtime/netpoll.js';
import type { IOWait } from './iowait.js';
import { kChunk, kErr, kExtra, kFD, kOff, kOwner, kReader, kState, kWriter, kOpError, kBeforeGone } from './_symbols.js';

/**
 * How the poller reports errors: the net layer wraps them into its `OpError`. Its members are
 * internal (stripped from the published types, as the net classes that implement it hide theirs).
 */
export interface PollOwner {
  /** @internal Wraps `cause` (a sentinel or a Node error) for the operation `op` ("read", "write"...). */
  [kOpError](op: string, cause: Error): Error;
  /**
   * @internal Called while the socket still has its handle, right before Node destroys it because both
   * directions are finished or a write failed: the owner can save what it needs for later error
   * messages.
   */
  [kBeforeGone](): void;
}

/** @internal A socket with the poller's property. */
export type PolledSocket = Socket & { [kFD]?: FDState };

// State bits (`kState`).
/** @internal close() was called. */
export const CLOSED = 1;
/** @internal 'end' was seen. */
export const EOF = 2;
/** @internal closeWrite() was called. */
export const WSHUT = 4;
/** @internal The reader IOWait is parked. */
export const RPARKED = 8;
/** @internal The writer IOWait is parked. */
export const WPARKED = 16;
/** @internal We paused the socket. */
export const PAUSED = 32;
/** @internal The read deadline passed. */
export const RDL = 64;
/** @internal The write deadline passed. */
export const WDL = 128;
/** @internal The socket was destroyed ('close' seen, or destroyed before attach). */
export const GONE = 256;
/** @internal A write returned false: 'drain' will come. */
export const DRAIN_PENDING = 512;
/** @internal A marker write is queued. */
export const MARK_PENDING = 1024;
/** @internal A TLS socket whose handshake has not completed yet (handshake.ts). */
export const HANDSHAKING = 2048;

/**
 * @internal A splice pauses its source once this much is queued in the destination's Node buffer
 * (and resumes it on 'drain'): a little more than Node's 16 KiB high-water mark, so that a fast
 * stream does not pause and resume on every chunk; memory per splice stays bounded by this plus
 * one chunk.
 */
export const SPLICE_QUEUE_MAX = 128 * 1024;

/** @internal One direction of a socket, its rarely used part: deadline, timer, queued goroutines. */
export class Half {
  /** Absolute deadline (ms since the epoch, 0 = none). */
  at = 0;
  /** The deadline's timer, while one is armed. */
  timer: NodeJS.Timeout | null = null;
  /** Goroutines queued behind the parked one (Go serializes reads, and writes, on one fd). */
  q: WaitQueue | null = null;
}

/** @internal Rarely used state of a PollFD, allocated on first use. */
export class Extra {
  /** Chunks received after `kChunk` (Node emitted more 'data' right after pause()). */
  more: Buffer[] = [];
  /** The read side and the write side. */
  readonly r = new Half();
  readonly w = new Half();
}

/**
 * The state of one polled socket; {@link PollFD} (fd.ts) adds the operations. Every field is
 * assigned in the constructor: one shape for all descriptors. Its state is internal (stripped): the
 * published type shows only `socket`.
 */
export class FDState {
  /** The socket. */
  readonly socket: Socket;
  /** @internal Wraps errors. */
  readonly [kOwner]: PollOwner | null;
  /** @internal State bits (see above). */
  [kState] = 0;
  /** @internal Data received and not yet read (zero-copy), from offset `kOff`. */
  [kChunk]: Buffer | null = null;
  /** @internal */
  [kOff] = 0;
  /** @internal Sticky socket error: reported once the kept data is read. */
  [kErr]: Error | null = null;
  /** @internal The reused reader IOWait (also the writer's while splicing a socket to itself). */
  [kReader]: IOWait | null = null;
  /** @internal The reused writer IOWait. */
  [kWriter]: IOWait | null = null;
  /** @internal Rare state (null until needed). */
  [kExtra]: Extra | null = null;

  constructor(socket: Socket, owner: PollOwner | null) {
    this.socket = socket;
    this[kOwner] = owner;
  }
}

/** @internal `fd`'s rare state, made on first use. */
export function extra(fd: FDState): Extra {
  return fd[kExtra] ?? (fd[kExtra] = new Extra());
}

/** @internal Wraps a poller error for operation `op` through the owner (net's OpError). */
export function wrap(fd: FDState, op: string, cause: Error): Error {
  const owner = fd[kOwner];
  return owner !== null ? owner[kOpError](op, cause) : cause;
}

/** @internal Pauses the socket (once): TCP pushes back while nobody reads. */
export function pause(fd: FDState): void {
  if ((fd[kState] & PAUSED) === 0) {
    fd[kState] |= PAUSED;
    fd.socket.pause();
  }
}

/** @internal The error of a write after the writing side was shut down (Go: EPIPE, "broken pipe"). */
export function epipe(): Error {
  const e = new Error('write EPIPE') as NodeJS.ErrnoException;
  e.code = 'EPIPE';
  e.errno = -32;
  e.syscall = 'write';
  return e;
}
