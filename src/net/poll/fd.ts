/**
 * PollFD: one connected socket as seen by the netpoller (Go's `internal/poll.FD` plus the
 * runtime's `pollDesc`). It turns the socket's Node events and deadline timers into park/ready of
 * the goroutines that read and write it, through the runtime's narrow netpoll entry
 * (`src/runtime/netpoll.ts`): the poller keeps its per-wait state in its own objects (iowait.ts)
 * beside plain runtime waiters.
 *
 * This file holds the operations `src/net` calls and their fast paths; each concept has its file:
 * - state.ts — the descriptor's state bits and their invariants, idle memory;
 * - read.ts — pull-based, zero-copy, flow-controlled reads;
 * - write.ts — writes that wait only when something is queued, flush notifications;
 * - splice.ts — copying a socket to a socket with one park for the whole copy;
 * - side.ts — failing a side (read or write) on close, error or deadline, written once;
 * - deadline.ts — per-side deadlines and their timers;
 * - events.ts — the socket's Node events.
 *
 * ## Fairness
 * Reads and writes that complete at once return through the runtime's `pollImmediate()`, which
 * counts them against the runtime's fairness budget (the same slice as channel operations): a
 * loop of operations that never wait is preempted now and then — its result then arrives after
 * the event loop has had a turn — so one busy connection cannot starve the others.
 *
 * Invariants: see state.ts. All operations run on the single JS thread and settle the state
 * before readying anyone.
 *
 * @module
 */

import type { Socket } from 'node:net';
import { pollImmediate } from '../../runtime/netpoll.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';
import { IOKind } from './iowait.js';
import { readSlow, take } from './read.js';
import { parkWriter, queueWriter, writeSlow } from './write.js';
import { splice } from './splice.js';
import { Side, failSide } from './side.js';
import { clearTimers, setDeadline } from './deadline.js';
import { listenTo, onLingerDone } from './events.js';
import { handshake, handshaking, watchHandshake } from './handshake.js';
import {
  CLOSED,
  DRAIN_PENDING,
  EOF,
  GONE,
  RDL,
  RPARKED,
  WDL,
  WPARKED,
  WSHUT,
  FDState,
  wrap,
  type PolledSocket,
  type PollOwner,
} from './state.js';
import { kChunk, kErr, kExtra, kFD, kOwner, kState, kWriter, kBeforeGone } from './_symbols.js';

export { kFD } from './_symbols.js';
export { onSocketError } from './events.js';
export type { PollOwner } from './state.js';

/** How long a closed socket may keep flushing queued data to a peer that does not read (ms). */
const LINGER_MS = 10_000;

/**
 * The poller's view of one connected socket. Created by {@link PollFD.attach}; used by `Conn`.
 */
export class PollFD extends FDState {
  private constructor(socket: Socket, owner: PollOwner | null) {
    super(socket, owner);
  }

  /**
   * Starts polling a connected socket. The socket must already carry `onSocketError` as an
   * 'error' listener (the listener and dialer attach it the moment the socket exists, so no
   * error is ever unhandled).
   *
   * @param socket a connected socket created with `allowHalfOpen: true`.
   * @param owner wraps the poller's errors.
   * @returns the socket's PollFD.
   */
  static attach(socket: Socket, owner: PollOwner | null): PollFD {
    const s = socket as PolledSocket;
    const fd = new PollFD(s, owner);
    s[kFD] = fd;
    if (s.destroyed) {
      fd[kState] |= GONE;
      fd[kErr] = (s.errored as Error | null) ?? null;
      return fd;
    }
    listenTo(s);
    return fd;
  }

  // ---- TLS (handshake.ts) ---------------------------------------------------------------

  /**
   * Marks a TLS socket (node:tls, just attached) as handshaking until Node reports it secure
   * ('secureConnect' for a client, 'secure' for a server).
   */
  watchHandshake(client: boolean): void {
    watchHandshake(this, client);
  }

  /**
   * Waits for a TLS socket's handshake, parking as its reader (so the read deadline, close and
   * errors end the wait).
   *
   * @returns 0 once done (a plain 0 when it already was), null if the stream ended first.
   */
  handshake(): number | null | Promise<number | null> {
    return handshake(this);
  }

  /** Whether this is a TLS socket whose handshake has not completed. */
  get handshaking(): boolean {
    return handshaking(this);
  }

  // ---- reading (read.ts) -----------------------------------------------------------------

  /**
   * Reads up to `buf.length` bytes into `buf`.
   *
   * @returns the number of bytes read (≥ 1 unless `buf` is empty), or `null` at end of stream;
   *   a plain value when data was already there, a promise when the goroutine had to park.
   * @throws the owner's wrapping of ErrClosed, ErrDeadlineExceeded or the socket's error.
   */
  read(buf: Uint8Array): number | null | Promise<number | null> {
    if ((this[kState] & (CLOSED | RDL | RPARKED)) !== 0 || this[kChunk] === null || buf.length === 0) return readSlow(this, buf);
    const n = take(this, buf) as number;
    return pollImmediate(n);
  }

  /**
   * Reads the next chunk of data as it arrived, without copying: the caller owns the returned
   * buffer.
   *
   * @returns a non-empty buffer, or `null` at end of stream.
   */
  readChunk(): Buffer | null | Promise<Buffer | null> {
    if ((this[kState] & (CLOSED | RDL | RPARKED)) !== 0 || this[kChunk] === null) return readSlow(this, null);
    const c = take(this, null) as Buffer;
    return pollImmediate(c);
  }

  // ---- writing (write.ts) ----------------------------------------------------------------

  /**
   * Writes all of `buf`. Returns once Node no longer needs `buf` (the bytes are in the kernel's
   * socket buffer): the caller may reuse it then.
   *
   * @returns `buf.length`, at once or after parking while the peer does not read.
   * @throws the owner's wrapping of ErrClosed, ErrDeadlineExceeded, EPIPE after closeWrite, or
   *   the socket's error.
   */
  write(buf: Uint8Array): number | Promise<number> {
    const s = this.socket;
    if ((this[kState] & (CLOSED | WDL | WSHUT | WPARKED | GONE)) !== 0 || this[kErr] !== null || buf.length === 0 || s.writableLength !== 0) {
      return writeSlow(this, buf, IOKind.Write);
    }
    if (!s.write(buf)) this[kState] |= DRAIN_PENDING;
    // Still queued: Node holds `buf` until its queue is empty.
    if (s.writableLength !== 0) return parkWriter(this, null, IOKind.Write, buf.length);
    return pollImmediate(buf.length);
  }

  /**
   * Writes all of `buf`, which the caller gives away (it must not modify it afterwards). Returns
   * once the bytes are queued; parks only while Node's queue is over its high-water mark.
   */
  writeOwned(buf: Uint8Array): number | Promise<number> {
    const s = this.socket;
    if ((this[kState] & (CLOSED | WDL | WSHUT | WPARKED | GONE | DRAIN_PENDING)) !== 0 || this[kErr] !== null || buf.length === 0) {
      return writeSlow(this, buf, IOKind.WriteOwned);
    }
    if (!s.write(buf)) this[kState] |= DRAIN_PENDING;
    return pollImmediate(buf.length);
  }

  /**
   * Waits until everything written so far has been handed to the kernel (after
   * {@link writeOwned}, before closing).
   */
  flush(): void | Promise<number> {
    const st = this[kState];
    if ((st & (CLOSED | GONE)) !== 0) return;
    if ((st & WDL) !== 0) throw wrap(this, 'write', ErrDeadlineExceeded);
    const err = this[kErr];
    if (err !== null) throw wrap(this, 'write', err);
    if ((st & WPARKED) !== 0) return queueWriter(this, null, IOKind.Write);
    if (this.socket.writableLength === 0) return;
    return parkWriter(this, null, IOKind.Write, 0);
  }

  // ---- splice (splice.ts) ----------------------------------------------------------------

  /**
   * Copies everything `this` receives to `dst` until end of stream, parking the calling
   * goroutine once ("IO wait") for the whole copy. See splice.ts.
   *
   * @returns the number of bytes copied (once `dst` has flushed them to the kernel), or `null`
   *   when another goroutine is reading `this` or writing `dst` (the caller then copies chunk by
   *   chunk).
   * @throws the owner's wrapping of a read error (op "read") or a write error (op "write").
   */
  splice(dst: PollFD): Promise<number> | null {
    return splice(this, dst);
  }

  // ---- closing ---------------------------------------------------------------------------

  /**
   * Shuts down the writing side (TCP FIN after the queued data). Reads go on; later writes fail.
   *
   * @throws the owner's wrapping of ErrClosed on a closed socket.
   */
  closeWrite(): void {
    if ((this[kState] & CLOSED) !== 0) throw wrap(this, 'close', ErrClosed);
    if ((this[kState] & (WSHUT | GONE)) !== 0) return;
    this[kState] |= WSHUT;
    const owner = this[kOwner];
    if ((this[kState] & EOF) !== 0 && owner !== null) owner[kBeforeGone]();
    this.socket.end();
  }

  /**
   * Closes the socket: parked and later reads and writes fail with ErrClosed. Data already
   * accepted by `write`/`writeOwned` is still delivered (the socket lingers until it is flushed,
   * at most {@link LINGER_MS} without progress); data received and not read is dropped.
   *
   * @returns false if it was already closed.
   */
  close(): boolean {
    if ((this[kState] & CLOSED) !== 0) return false;
    // A parked write() whose buffer Node still holds: its caller may reuse the buffer once it
    // gets the error, so those bytes must not be sent later.
    const ww = this[kWriter];
    const borrowed = (this[kState] & WPARKED) !== 0 && ww !== null && ww.kind === IOKind.Write && ww.buf === null && ww.n > 0;
    this[kState] |= CLOSED;
    clearTimers(this);
    this[kChunk] = null;
    const x = this[kExtra];
    if (x !== null) x.more.length = 0;
    failSide(this, Side.Read, ErrClosed);
    failSide(this, Side.Write, ErrClosed);
    const s = this.socket;
    if (s.destroyed) return true;
    if (s.writableLength > 0 && !borrowed && (this[kState] & WSHUT) === 0 && this[kErr] === null) {
      // Let queued data reach the peer, as the kernel would after close(2).
      s.pause();
      s.on('finish', onLingerDone);
      s.on('timeout', onLingerDone);
      s.setTimeout(LINGER_MS);
      s.end();
    } else {
      s.destroy();
    }
    return true;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return (this[kState] & CLOSED) !== 0;
  }

  // ---- deadlines (deadline.ts) -----------------------------------------------------------

  /**
   * Sets the read and/or write deadline: once it passes, the parked operation and every later
   * one fail with ErrDeadlineExceeded until the deadline is moved or cleared (Go's semantics).
   *
   * @param side 1 = read, 2 = write, 3 = both.
   * @param at absolute time in ms since the epoch; 0 clears the deadline. A time in the past
   *   fails parked and later operations at once.
   */
  setDeadline(side: 1 | 2 | 3, at: number): void {
    setDeadline(this, side, at);
  }
}
