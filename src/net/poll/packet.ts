/**
 * PacketQueue: a node:dgram socket as seen by the netpoller (Go's `internal/poll.FD` for a
 * datagram socket). Node reads datagrams as they arrive ('message'); the queue hands each to a
 * parked reader (copied into its buffer, truncated to it as Go's ReadFrom does) or keeps it.
 *
 * ## The bound (UDP may drop; memory must not grow)
 * A datagram socket cannot be paused: libuv reads every datagram the kernel has. Datagrams that
 * arrive while no goroutine reads are kept up to `maxPackets` datagrams and `maxBytes` bytes
 * (defaults {@link DEFAULT_MAX_PACKETS}, {@link DEFAULT_MAX_BYTES}); beyond either, a datagram is
 * dropped and counted (`dropped`) — what the kernel does when a socket's receive buffer is full.
 *
 * Readers are served one at a time in FIFO order (plain runtime waiters in the one wait queue;
 * per-wait data is the reader's buffer). Writers park until dgram's send callback says the
 * datagram was handed to the kernel (so the caller may reuse its buffer).
 *
 * Invariants (single JS thread; fields owned by this class):
 * - `#readers` is non-empty only while nothing is kept (`#count === 0`).
 * - `#count`/`#bytes` are the number and total size of kept datagrams, never over the bounds.
 * - Once `#closed`, nothing is kept and no goroutine is parked.
 *
 * @module
 */

import type { RemoteInfo, Socket as DgramSocket } from 'node:dgram';
import { WaitQueue, pollData, pollImmediate, pollReady, pollReadyError, pollWait, pollWaiter, type Waiter } from '../../runtime/netpoll.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';
import { kOpError, kPacket } from './_symbols.js';

/** Default bound on kept datagrams: 1024 datagrams. */
export const DEFAULT_MAX_PACKETS = 1024;
/** Default bound on kept bytes: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/** The largest delay Node's timers accept. */
const MAX_TIMER_MS = 0x7fffffff;

/** What the queue's owner (net's PacketConn) provides. Internal members (stripped from published types). */
export interface PacketOwner {
  /** @internal Wraps the poller's errors (net's `OpError`). */
  [kOpError](op: string, cause: Error): Error;
  /** @internal The result of a read: `n` bytes from `from`. */
  [kPacket](n: number, from: RemoteInfo): unknown;
}

const kQ: unique symbol = Symbol('strand.packetQueue');
type PolledDgram = DgramSocket & { [kQ]?: PacketQueue };

/** One side's deadline. */
class Deadline {
  at = 0;
  expired = false;
  timer: NodeJS.Timeout | null = null;
}

/** The netpoller's state of one datagram socket. */
export class PacketQueue {
  readonly socket: PolledDgram;
  readonly #owner: PacketOwner;
  readonly #maxPackets: number;
  readonly #maxBytes: number;
  /** Kept datagrams and their senders: `#msgs[#head..]`, `#from[#head..]`. */
  #msgs: Buffer[] = [];
  #from: RemoteInfo[] = [];
  #head = 0;
  #count = 0;
  #bytes = 0;
  /** Parked readers; each one's data is its buffer. */
  readonly #readers = new WaitQueue();
  /** Parked writers (waiting for their send callback), to fail on close or deadline. */
  readonly #writers = new Set<Waiter>();
  #closed = false;
  /** An error the socket reported while nobody read (reported once). */
  #err: Error | null = null;
  readonly #rdl = new Deadline();
  readonly #wdl = new Deadline();
  /** Datagrams dropped because the bound was reached. */
  dropped = 0;

  /**
   * Starts polling a bound (or binding) dgram socket.
   *
   * @param maxPackets the bound on kept datagrams (≥ 1).
   * @param maxBytes the bound on kept bytes.
   */
  constructor(socket: DgramSocket, owner: PacketOwner, maxPackets = DEFAULT_MAX_PACKETS, maxBytes = DEFAULT_MAX_BYTES) {
    this.socket = socket as PolledDgram;
    this.#owner = owner;
    this.#maxPackets = Math.max(1, maxPackets);
    this.#maxBytes = maxBytes;
    this.socket[kQ] = this;
    socket.on('message', PacketQueue.#onMessage);
    socket.on('error', PacketQueue.#onError);
  }

  /**
   * Binds the socket, parking ("IO wait") until it listens.
   *
   * @throws the owner's wrapping (op "listen") of the bind error.
   */
  bind(port: number, address: string | undefined): Promise<void> {
    const w = pollWaiter();
    const p = pollWait<void>(w, 'IO wait');
    const s = this.socket;
    const onErr = (err: Error): void => {
      s.removeListener('listening', onListening);
      this.#closed = true;
      pollReadyError(w, this.#owner[kOpError]('listen', err));
    };
    const onListening = (): void => {
      s.removeListener('error', onErr);
      pollReady(w, undefined);
    };
    s.prependOnceListener('error', onErr);
    s.once('listening', onListening);
    s.bind({ port, address, exclusive: true });
    return p;
  }

  /** Number of datagrams kept, and their bytes. */
  get queued(): { packets: number; bytes: number } {
    return { packets: this.#count, bytes: this.#bytes };
  }

  /**
   * Reads the next datagram into `buf` (truncated to `buf.length`), parking until one arrives.
   *
   * @returns the owner's result for `(n, sender)`, at once or after parking.
   * @throws the owner's wrapping (op "read") of ErrClosed, ErrDeadlineExceeded or a socket error.
   */
  read(buf: Uint8Array): unknown {
    if (this.#closed) throw this.#owner[kOpError]('read', ErrClosed);
    if (this.#rdl.expired) throw this.#owner[kOpError]('read', ErrDeadlineExceeded);
    if (this.#count > 0 && this.#readers.length === 0) return pollImmediate(this.#take(buf));
    const err = this.#err;
    if (err !== null && this.#readers.length === 0) {
      this.#err = null;
      throw this.#owner[kOpError]('read', err);
    }
    const w = pollWaiter(buf);
    const p = pollWait<unknown>(w, 'IO wait');
    this.#readers.push(w);
    return p;
  }

  /** Takes the oldest kept datagram into `buf`. */
  #take(buf: Uint8Array): unknown {
    const i = this.#head;
    const msg = this.#msgs[i]!;
    const from = this.#from[i]!;
    this.#msgs[i] = undefined as unknown as Buffer;
    this.#from[i] = undefined as unknown as RemoteInfo;
    this.#head++;
    this.#count--;
    this.#bytes -= msg.length;
    if (this.#count === 0) {
      this.#msgs.length = this.#from.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#msgs.length) {
      this.#msgs.splice(0, this.#head);
      this.#from.splice(0, this.#head);
      this.#head = 0;
    }
    return this.#owner[kPacket](copyInto(buf, msg), from);
  }

  /** A datagram arrived: to the first parked reader, kept, or dropped. */
  #message(msg: Buffer, from: RemoteInfo): void {
    if (this.#closed) return;
    const w = this.#readers.shift();
    if (w !== null) {
      pollReady(w, this.#owner[kPacket](copyInto(pollData<Uint8Array>(w), msg), from));
      return;
    }
    if (this.#count >= this.#maxPackets || this.#bytes + msg.length > this.#maxBytes) {
      this.dropped++;
      return;
    }
    this.#msgs.push(msg);
    this.#from.push(from);
    this.#count++;
    this.#bytes += msg.length;
  }

  /**
   * Sends `buf` as one datagram to `port`/`address`, parking until dgram has handed it to the
   * kernel (then `buf` may be reused).
   *
   * @throws the owner's wrapping (op "write") of ErrClosed, ErrDeadlineExceeded or the send error.
   */
  write(buf: Uint8Array, port: number, address: string): Promise<number> {
    if (this.#closed) throw this.#owner[kOpError]('write', ErrClosed);
    if (this.#wdl.expired) throw this.#owner[kOpError]('write', ErrDeadlineExceeded);
    const w = pollWaiter(buf.length);
    const p = pollWait<number>(w, 'IO wait');
    this.#writers.add(w);
    this.socket.send(buf, 0, buf.length, port, address, (err: Error | null) => {
      if (!this.#writers.delete(w)) return; // failed already (closed, deadline)
      if (err !== null) pollReadyError(w, this.#owner[kOpError]('write', err));
      else pollReady(w, pollData<number>(w));
    });
    return p;
  }

  /**
   * Sets the read and/or write deadline (ms since the epoch; 0 clears): once it passes, parked
   * and later operations of that side fail with ErrDeadlineExceeded until it is moved.
   */
  setDeadline(sides: 1 | 2 | 3, at: number): void {
    if (this.#closed) throw this.#owner[kOpError]('set deadline', ErrClosed);
    if ((sides & 1) !== 0) this.#set(this.#rdl, at, true);
    if ((sides & 2) !== 0) this.#set(this.#wdl, at, false);
  }

  #set(d: Deadline, at: number, read: boolean): void {
    if (d.timer !== null) clearTimeout(d.timer);
    d.timer = null;
    d.at = at;
    d.expired = false;
    if (at !== 0) this.#arm(d, read);
  }

  #arm(d: Deadline, read: boolean): void {
    d.timer = null;
    if (this.#closed || d.at === 0) return;
    const ms = d.at - Date.now();
    if (ms > 0) {
      d.timer = setTimeout(PacketQueue.#onDeadline, Math.min(ms, MAX_TIMER_MS), this, d, read);
      d.timer.unref();
      return;
    }
    d.expired = true;
    if (read) this.#failReaders(ErrDeadlineExceeded);
    else this.#failWriters(ErrDeadlineExceeded);
  }

  #failReaders(err: Error): void {
    const q = this.#readers;
    for (let w = q.shift(); w !== null; w = q.shift()) pollReadyError(w, this.#owner[kOpError]('read', err));
  }

  #failWriters(err: Error): void {
    for (const w of this.#writers) pollReadyError(w, this.#owner[kOpError]('write', err));
    this.#writers.clear();
  }

  /**
   * Closes the socket: parked and later operations fail with ErrClosed; kept datagrams are
   * dropped.
   *
   * @returns false if it was already closed.
   */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    for (const d of [this.#rdl, this.#wdl]) if (d.timer !== null) clearTimeout(d.timer);
    this.#msgs.length = this.#from.length = 0;
    this.#head = this.#count = this.#bytes = 0;
    this.#failReaders(ErrClosed);
    this.#failWriters(ErrClosed);
    try {
      this.socket.close();
    } catch {
      // not bound yet, or already closed
    }
    return true;
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  // ---- listeners (static: no closure per socket) ---------------------------------------------

  static #onMessage(this: PolledDgram, msg: Buffer, from: RemoteInfo): void {
    this[kQ]!.#message(msg, from);
  }

  static #onError(this: PolledDgram, err: Error): void {
    const q = this[kQ]!;
    if (q.#closed) return;
    const w = q.#readers.shift();
    if (w !== null) pollReadyError(w, q.#owner[kOpError]('read', err));
    else q.#err = err;
  }

  static #onDeadline(q: PacketQueue, d: Deadline, read: boolean): void {
    q.#arm(d, read);
  }
}

/** Copies `msg` into `buf`, truncated to it (Go's ReadFrom on a datagram socket). */
function copyInto(buf: Uint8Array, msg: Buffer): number {
  const n = msg.length <= buf.length ? msg.length : buf.length;
  buf.set(n === msg.length ? msg : msg.subarray(0, n));
  return n;
}
