/**
 * PollFD: one connected socket as seen by the netpoller (Go's `internal/poll.FD` plus the
 * runtime's `pollDesc`). It turns the socket's Node events ('data', 'end', 'drain', 'error',
 * 'close') and deadline timers into park/ready of the goroutines that read and write it.
 *
 * ## Reading: pull-based, zero-copy, flow-controlled
 * Node delivers data as 'data' chunks. A chunk that arrives while a reader is parked is copied
 * straight into the reader's buffer; whatever does not fit — or a chunk that arrives while nobody
 * reads — is kept as is (`chunk`/`off`, no copy) and the socket is paused, so that TCP pushes back
 * on the sender while the goroutine is not reading. (Node stops reading from the kernel once its
 * own readable buffer holds ~16 KiB; a paused connection holds at most that plus one chunk.)
 * A read that finds data kept returns a plain number at once; only a read that must wait resumes
 * the socket and parks ("IO wait"). EOF ('end') is `null`.
 *
 * ## Writing: wait only when something is queued
 * `write(buf)` hands `buf` to `socket.write`. When libuv writes it all to the kernel at once,
 * `writableLength` is back to 0 and write returns at once: the caller may reuse `buf`. Otherwise
 * Node still holds `buf`, so the writer parks until the queue is empty. `writeOwned(buf)` is for
 * buffers the caller gives away (the zero-copy chunks of `io.copy`): it queues them and parks only
 * while the queue is over Node's high-water mark. Either way a peer that does not read parks the
 * writer: memory stays bounded.
 *
 * To learn that the queue emptied without a callback closure per socket: a write that returned
 * false is followed by a 'drain' event (one shared listener); otherwise the poller appends an
 * empty "marker" write whose callback (allocated only then, on the slow path) runs once
 * everything before it is written.
 *
 * ## Splice: copying a socket to a socket
 * `splice(src, dst)` (Go's `TCPConn.ReadFrom` with splice(2)) parks the copying goroutine once for
 * the whole copy: each chunk that arrives on `src` is handed to `dst` from the 'data' event itself,
 * `src` is paused while `dst` has more than `SPLICE_QUEUE_MAX` queued and resumed on 'drain', and
 * the goroutine
 * is readied at end of stream (once `dst` has flushed) or on the first error, deadline or close.
 * No goroutine runs per chunk, and an idle copy holds one waiter.
 *
 * ## Deadlines
 * A Node timer exists only while a deadline is set. When it fires, the side is marked expired:
 * the parked operation and every later one fail with {@link ErrDeadlineExceeded} until the
 * deadline is moved or cleared (Go's semantics).
 *
 * ## Fairness
 * Reads and writes that complete at once return through the runtime's `immediate()`, which
 * counts them against the runtime's fairness budget (the same slice as channel operations): a
 * loop of operations that never wait is preempted now and then — its result then arrives after
 * the event loop has had a turn — so one busy connection cannot starve the others.
 *
 * ## Idle memory
 * Listeners are module-level functions that find their PollFD through a symbol on the socket;
 * one waiter per side is allocated at the first park and reused; rarely used state (deadlines,
 * extra queued readers/writers, extra chunks) lives in a lazily created {@link Extra}.
 *
 * ## Invariants (single JS thread; all fields are owned by this module)
 * - `RPARKED` is set exactly while `rw` is parked (a read, a chunk read, or a splice from this
 *   socket); `WPARKED` likewise for `ww` (a write, a flush, or a splice into this socket). A splice
 *   waiter is `src.rw` and `dst.ww` at once. Whoever readies a waiter clears the flags first, so
 *   a stale event never readies a later park.
 * - `RPARKED` implies no data is kept (`chunk === null`).
 * - `chunk === null` implies no extra chunks are kept.
 * - `DRAIN_PENDING`: the last write returned false, so Node will emit 'drain' when its queue is
 *   empty. `MARK_PENDING`: a marker write is queued. A parked writer waiting for an empty queue
 *   always has one of the two set (see `armFlush`).
 * - After `CLOSED`, no waiter is parked and no data is kept.
 *
 * @module
 */

import type { Socket } from 'node:net';
import { Waiter, immediate, park, ready, readyError } from '../../runtime/goroutine.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';

/** The property of a socket that holds its PollFD. */
export const kFD: unique symbol = Symbol('strand.pollFD');

/** How the poller reports errors: the net layer wraps them into its `OpError`. */
export interface PollOwner {
  /** Wraps `cause` (a sentinel or a Node error) for the operation `op` ("read", "write"...). */
  _opError(op: string, cause: Error): Error;
  /**
   * Called while the socket still has its handle, right before Node destroys it because both
   * directions are finished or a write failed: the owner can save what it needs for later error
   * messages.
   */
  _beforeGone(): void;
}

/** A socket with the poller's property. */
type PolledSocket = Socket & { [kFD]?: PollFD };

// State bits of PollFD.st.
const CLOSED = 1; // close() was called
const EOF = 2; // 'end' was seen
const WSHUT = 4; // closeWrite() was called
const RPARKED = 8;
const WPARKED = 16;
const PAUSED = 32; // we paused the socket
const RDL = 64; // read deadline passed
const WDL = 128; // write deadline passed
const GONE = 256; // the socket was destroyed ('close' seen or destroyed before attach)
const DRAIN_PENDING = 512; // a write returned false: 'drain' will come
const MARK_PENDING = 1024; // a marker write is queued

// IOWaiter kinds.
const READ = 0; // buf: destination, or null for a chunk read
const WRITE = 1; // buf: deferred data (or null once issued); wait until the queue is empty
const WRITE_OWNED = 2; // buf: deferred data; ready as soon as it is queued
const SPLICE = 3; // from → to

/**
 * A splice pauses its source once this much is queued in the destination's Node buffer (and
 * resumes it on 'drain'): a little more than Node's 16 KiB high-water mark, so that a fast
 * stream does not pause and resume on every chunk; memory per splice stays bounded by this plus
 * one chunk.
 */
const SPLICE_QUEUE_MAX = 128 * 1024;
/** How long a closed socket may keep flushing queued data to a peer that does not read (ms). */
const LINGER_MS = 10_000;
/** The largest delay Node's timers accept. */
const MAX_TIMER_MS = 0x7fffffff;
const EMPTY = Buffer.alloc(0);

/** A goroutine parked on one side of a socket (or, splicing, on both sockets). */
class IOWaiter extends Waiter {
  /** One of READ, WRITE, WRITE_OWNED, SPLICE. */
  ioKind = READ;
  /** Read: the destination (null: chunk read). Write: data still to hand to Node, or null. */
  buf: Uint8Array | null = null;
  /** Write: what the write resolves to. Splice: bytes copied so far. */
  n = 0;
  /** Splice: the source and the destination. */
  from: PollFD | null = null;
  to: PollFD | null = null;
}

/** Rarely used state, allocated on first use. */
class Extra {
  /** Chunks received after `chunk` (Node emitted more 'data' right after pause()). */
  more: Buffer[] = [];
  /** Goroutines queued behind the parked reader / writer (Go serializes them). */
  rq: IOWaiter[] = [];
  wq: IOWaiter[] = [];
  /** Absolute deadlines (ms since the epoch, 0 = none) and their timers. */
  rAt = 0;
  wAt = 0;
  rTimer: NodeJS.Timeout | null = null;
  wTimer: NodeJS.Timeout | null = null;
}

/**
 * The poller's view of one connected socket. Created by {@link PollFD.attach}; used by `Conn`.
 */
export class PollFD {
  /** The socket. */
  readonly socket: PolledSocket;
  /** Wraps errors. */
  readonly owner: PollOwner | null;
  /** State bits (see the constants above). */
  st = 0;
  /** Data received and not yet read (zero-copy), from offset `off`. */
  chunk: Buffer | null = null;
  off = 0;
  /** Sticky socket error: reported once the kept data is read. */
  err: Error | null = null;
  /** The reused read and write waiters (the same object while splicing a socket to itself). */
  rw: IOWaiter | null = null;
  ww: IOWaiter | null = null;
  /** Rare state (null until needed). */
  x: Extra | null = null;

  private constructor(socket: PolledSocket, owner: PollOwner | null) {
    this.socket = socket;
    this.owner = owner;
  }

  /**
   * Starts polling a connected socket. The socket must already carry {@link onSocketError} as
   * an 'error' listener (the listener and dialer attach it the moment the socket exists, so no
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
      fd.st |= GONE;
      fd.err = (s.errored as Error | null) ?? null;
      return fd;
    }
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('drain', onDrain);
    s.on('close', onClose);
    return fd;
  }

  private extra(): Extra {
    return this.x ?? (this.x = new Extra());
  }

  // ---- reading ---------------------------------------------------------------------------

  /**
   * Reads up to `buf.length` bytes into `buf`.
   *
   * @returns the number of bytes read (≥ 1 unless `buf` is empty), or `null` at end of stream;
   *   a plain value when data was already there, a promise when the goroutine had to park.
   * @throws the owner's wrapping of ErrClosed, ErrDeadlineExceeded or the socket's error.
   */
  read(buf: Uint8Array): number | null | Promise<number | null> {
    if ((this.st & (CLOSED | RDL | RPARKED)) !== 0 || this.chunk === null || buf.length === 0) return this.readSlow(buf);
    const n = this.take(buf) as number;
    return immediate(n);
  }

  /**
   * Reads the next chunk of data as it arrived, without copying: the caller owns the returned
   * buffer.
   *
   * @returns a non-empty buffer, or `null` at end of stream.
   */
  readChunk(): Buffer | null | Promise<Buffer | null> {
    if ((this.st & (CLOSED | RDL | RPARKED)) !== 0 || this.chunk === null) return this.readSlow(null);
    const c = this.take(null) as Buffer;
    return immediate(c);
  }

  /**
   * Consumes kept data (requires `chunk !== null`): copies into `buf`, or returns the rest of
   * the chunk itself when `buf` is null.
   */
  private take(buf: Uint8Array | null): number | Buffer {
    const c = this.chunk!;
    const off = this.off;
    if (buf === null) {
      this.nextChunk();
      return off === 0 ? c : c.subarray(off);
    }
    const avail = c.length - off;
    if (avail <= buf.length) {
      buf.set(off === 0 ? c : c.subarray(off));
      this.nextChunk();
      return avail;
    }
    const n = buf.length;
    buf.set(c.subarray(off, off + n));
    this.off = off + n;
    return n;
  }

  /** Drops the consumed `chunk`, taking the next kept one if any. */
  private nextChunk(): void {
    const x = this.x;
    this.chunk = x !== null && x.more.length > 0 ? x.more.shift()! : null;
    this.off = 0;
  }

  private readSlow(buf: Uint8Array | null): any {
    const st = this.st;
    if ((st & CLOSED) !== 0) throw this.wrap('read', ErrClosed);
    if ((st & RDL) !== 0) throw this.wrap('read', ErrDeadlineExceeded);
    if ((st & RPARKED) !== 0) {
      // Another goroutine is parked reading: queue behind it (Go serializes reads on one fd).
      const w = new IOWaiter();
      w.buf = buf;
      this.extra().rq.push(w);
      return park(w, 'IO wait');
    }
    if (buf !== null && buf.length === 0) return 0;
    if (this.chunk !== null) return this.take(buf);
    if ((st & EOF) !== 0) return null;
    if (this.err !== null) throw this.wrap('read', this.err);
    if ((st & GONE) !== 0) return null;
    const w = this.rw ?? (this.rw = new IOWaiter());
    w.ioKind = READ;
    w.buf = buf;
    this.parkReader();
    return park(w, 'IO wait');
  }

  /** Marks the reader parked and lets data flow again. */
  private parkReader(): void {
    const st = this.st;
    this.st = (st | RPARKED) & ~PAUSED;
    if ((st & PAUSED) !== 0) this.socket.resume();
  }

  /** Readies the parked reader with a result, then serves readers queued behind it. */
  _readyReader(v: number | Buffer | null): void {
    this.st &= ~RPARKED;
    const w = this.rw!;
    w.buf = null;
    ready(w, v);
    this.serveQueuedReaders();
  }

  /** Serves queued readers from what is kept; the first that must wait becomes the parked one. */
  private serveQueuedReaders(): void {
    const x = this.x;
    if (x === null) return;
    let next: IOWaiter | undefined;
    while ((next = x.rq.shift()) !== undefined) {
      const buf = next.buf;
      next.buf = null;
      if ((this.st & CLOSED) !== 0) readyError(next, this.wrap('read', ErrClosed));
      else if ((this.st & RDL) !== 0) readyError(next, this.wrap('read', ErrDeadlineExceeded));
      else if (buf !== null && buf.length === 0) ready(next, 0);
      else if (this.chunk !== null) ready(next, this.take(buf));
      else if ((this.st & EOF) !== 0 || (this.err === null && (this.st & GONE) !== 0)) ready(next, null);
      else if (this.err !== null) readyError(next, this.wrap('read', this.err));
      else {
        next.buf = buf;
        this.rw = next;
        this.parkReader();
        return;
      }
    }
  }

  /** Fails the parked reader (ending a splice from this socket) and every queued reader. */
  _failReaders(err: Error): void {
    if ((this.st & RPARKED) !== 0) {
      const w = this.rw!;
      if (w.ioKind === SPLICE) endSplice(w, this.wrap('read', err));
      else {
        this.st &= ~RPARKED;
        w.buf = null;
        readyError(w, this.wrap('read', err));
      }
    }
    const x = this.x;
    if (x !== null && x.rq.length > 0) {
      for (const w of x.rq.splice(0, x.rq.length)) readyError(w, this.wrap('read', err));
    }
  }

  // ---- writing ---------------------------------------------------------------------------

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
    if ((this.st & (CLOSED | WDL | WSHUT | WPARKED | GONE)) !== 0 || this.err !== null || buf.length === 0 || s.writableLength !== 0) {
      return this.writeSlow(buf, WRITE);
    }
    if (!s.write(buf)) this.st |= DRAIN_PENDING;
    // Still queued: Node holds `buf` until its queue is empty.
    if (s.writableLength !== 0) return this.parkWriter(null, WRITE, buf.length);
    return immediate(buf.length);
  }

  /**
   * Writes all of `buf`, which the caller gives away (it must not modify it afterwards). Returns
   * once the bytes are queued; parks only while Node's queue is over its high-water mark.
   */
  writeOwned(buf: Uint8Array): number | Promise<number> {
    const s = this.socket;
    if ((this.st & (CLOSED | WDL | WSHUT | WPARKED | GONE | DRAIN_PENDING)) !== 0 || this.err !== null || buf.length === 0) {
      return this.writeSlow(buf, WRITE_OWNED);
    }
    if (!s.write(buf)) this.st |= DRAIN_PENDING;
    return immediate(buf.length);
  }

  /**
   * Waits until everything written so far has been handed to the kernel (after
   * {@link writeOwned}, before closing).
   */
  flush(): void | Promise<number> {
    const st = this.st;
    if ((st & (CLOSED | GONE)) !== 0) return;
    if ((st & WDL) !== 0) throw this.wrap('write', ErrDeadlineExceeded);
    if (this.err !== null) throw this.wrap('write', this.err);
    if ((st & WPARKED) !== 0) return this.queueWriter(null, WRITE);
    if (this.socket.writableLength === 0) return;
    return this.parkWriter(null, WRITE, 0);
  }

  private writeSlow(buf: Uint8Array, kind: number): number | Promise<number> {
    const st = this.st;
    if ((st & CLOSED) !== 0) throw this.wrap('write', ErrClosed);
    if ((st & WDL) !== 0) throw this.wrap('write', ErrDeadlineExceeded);
    if (this.err !== null) throw this.wrap('write', this.err);
    if ((st & (WSHUT | GONE)) !== 0) throw this.wrap('write', epipe());
    if (buf.length === 0) return 0;
    // Another goroutine is parked writing: queue behind it (Go serializes writes on one fd).
    if ((st & WPARKED) !== 0) return this.queueWriter(buf, kind);
    // Queued data first: park; the write is issued on our behalf once the queue has drained.
    return this.parkWriter(buf, kind, buf.length);
  }

  /** Parks the writer until Node's queue is empty; `buf`, if given, is written then. */
  private parkWriter(buf: Uint8Array | null, kind: number, n: number): Promise<number> {
    const w = this.ww ?? (this.ww = new IOWaiter());
    w.ioKind = kind;
    w.buf = buf;
    w.n = n;
    this.st |= WPARKED;
    armFlush(this);
    return park(w, 'IO wait');
  }

  private queueWriter(buf: Uint8Array | null, kind: number): Promise<number> {
    const w = new IOWaiter();
    w.ioKind = kind;
    w.buf = buf;
    w.n = buf === null ? 0 : buf.length;
    this.extra().wq.push(w);
    return park(w, 'IO wait');
  }

  /**
   * Node's queue is empty and the parked writer waited for that: issue its deferred data, ready
   * it once Node no longer needs its buffer, then move on to queued writers.
   */
  _pumpWriters(): void {
    const s = this.socket;
    let w = this.ww!;
    for (;;) {
      const buf = w.buf;
      if (buf !== null) {
        w.buf = null;
        if (!s.write(buf)) this.st |= DRAIN_PENDING;
        if (w.ioKind === WRITE && s.writableLength !== 0) {
          armFlush(this);
          return; // stays parked until its data has left the queue
        }
      }
      this.st &= ~WPARKED;
      ready(w, w.n);
      const x = this.x;
      const next = x !== null ? x.wq.shift() : undefined;
      if (next === undefined) return;
      this.ww = w = next;
      this.st |= WPARKED;
      if (s.writableLength !== 0) {
        armFlush(this);
        return;
      }
    }
  }

  /** Fails the parked writer (ending a splice into this socket) and every queued writer. */
  _failWriters(err: Error): void {
    if ((this.st & WPARKED) !== 0) {
      const w = this.ww!;
      if (w.ioKind === SPLICE) endSplice(w, this.wrap('write', err));
      else {
        this.st &= ~WPARKED;
        w.buf = null;
        readyError(w, this.wrap('write', err));
      }
    }
    const x = this.x;
    if (x !== null && x.wq.length > 0) {
      for (const w of x.wq.splice(0, x.wq.length)) readyError(w, this.wrap('write', err));
    }
  }

  /** Lets queued writers go on after a splice into this socket ended. */
  _afterSpliceWriters(): void {
    const x = this.x;
    if (x === null || x.wq.length === 0) return;
    if ((this.st & (CLOSED | WDL)) !== 0 || this.err !== null) {
      this._failWriters((this.st & CLOSED) !== 0 ? ErrClosed : (this.st & WDL) !== 0 ? ErrDeadlineExceeded : this.err!);
      return;
    }
    this.ww = x.wq.shift()!;
    this.st |= WPARKED;
    if (this.socket.writableLength === 0) this._pumpWriters();
    else armFlush(this);
  }

  /** Lets queued readers go on after a splice from this socket ended. */
  _afterSpliceReaders(): void {
    this.serveQueuedReaders();
  }

  // ---- splice ----------------------------------------------------------------------------

  /**
   * Copies everything `this` receives to `dst` until end of stream, parking the calling
   * goroutine once ("IO wait") for the whole copy. See the module comment.
   *
   * @returns the number of bytes copied (once `dst` has flushed them to the kernel), or `null`
   *   when another goroutine is reading `this` or writing `dst` (the caller then copies chunk by
   *   chunk).
   * @throws the owner's wrapping of a read error (op "read") or a write error (op "write").
   */
  splice(dst: PollFD): Promise<number> | null {
    const st = this.st;
    if ((st & RPARKED) !== 0 || (dst.st & WPARKED) !== 0) return null;
    if ((st & CLOSED) !== 0) throw this.wrap('read', ErrClosed);
    if ((st & RDL) !== 0) throw this.wrap('read', ErrDeadlineExceeded);
    const dt = dst.st;
    if ((dt & CLOSED) !== 0) throw dst.wrap('write', ErrClosed);
    if ((dt & WDL) !== 0) throw dst.wrap('write', ErrDeadlineExceeded);
    if (dst.err !== null) throw dst.wrap('write', dst.err);
    if ((dt & (WSHUT | GONE)) !== 0) throw dst.wrap('write', epipe());
    const w = this.rw ?? (this.rw = new IOWaiter());
    w.ioKind = SPLICE;
    w.buf = null;
    w.n = 0;
    w.from = this;
    w.to = dst;
    this.st |= RPARKED;
    dst.st |= WPARKED;
    dst.ww = w;
    const p = park<number>(w, 'IO wait');
    // Hand over what is kept, then let the events drive the copy.
    while (this.chunk !== null) spliceChunk(w, this.take(null) as Buffer);
    spliceStep(w);
    return p;
  }

  // ---- closing ---------------------------------------------------------------------------

  /**
   * Shuts down the writing side (TCP FIN after the queued data). Reads go on; later writes fail.
   *
   * @throws the owner's wrapping of ErrClosed on a closed socket.
   */
  closeWrite(): void {
    if ((this.st & CLOSED) !== 0) throw this.wrap('close', ErrClosed);
    if ((this.st & (WSHUT | GONE)) !== 0) return;
    this.st |= WSHUT;
    if ((this.st & EOF) !== 0 && this.owner !== null) this.owner._beforeGone();
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
    if ((this.st & CLOSED) !== 0) return false;
    // A parked write() whose buffer Node still holds: its caller may reuse the buffer once it
    // gets the error, so those bytes must not be sent later.
    const ww = this.ww;
    const borrowed = (this.st & WPARKED) !== 0 && ww !== null && ww.ioKind === WRITE && ww.buf === null && ww.n > 0;
    this.st |= CLOSED;
    this.clearTimers();
    this.chunk = null;
    if (this.x !== null) this.x.more.length = 0;
    this._failReaders(ErrClosed);
    this._failWriters(ErrClosed);
    const s = this.socket;
    if (s.destroyed) return true;
    if (s.writableLength > 0 && !borrowed && (this.st & WSHUT) === 0 && this.err === null) {
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
    return (this.st & CLOSED) !== 0;
  }

  // ---- deadlines -------------------------------------------------------------------------

  /**
   * Sets the read and/or write deadline.
   *
   * @param side 1 = read, 2 = write, 3 = both.
   * @param at absolute time in ms since the epoch; 0 clears the deadline. A time in the past
   *   fails parked and later operations at once.
   */
  setDeadline(side: 1 | 2 | 3, at: number): void {
    if ((this.st & CLOSED) !== 0) throw this.wrap('set deadline', ErrClosed);
    if (at === 0 && this.x === null) {
      this.st &= side === 1 ? ~RDL : side === 2 ? ~WDL : ~(RDL | WDL);
      return;
    }
    const x = this.extra();
    if ((side & 1) !== 0) {
      if (x.rTimer !== null) {
        clearTimeout(x.rTimer);
        x.rTimer = null;
      }
      x.rAt = at;
      this.st &= ~RDL;
      if (at !== 0) armRead(this);
    }
    if ((side & 2) !== 0) {
      if (x.wTimer !== null) {
        clearTimeout(x.wTimer);
        x.wTimer = null;
      }
      x.wAt = at;
      this.st &= ~WDL;
      if (at !== 0) armWrite(this);
    }
  }

  /** @internal Clears the deadline timers (closed, or the socket is gone). */
  clearTimers(): void {
    const x = this.x;
    if (x === null) return;
    if (x.rTimer !== null) clearTimeout(x.rTimer);
    if (x.wTimer !== null) clearTimeout(x.wTimer);
    x.rTimer = x.wTimer = null;
  }

  /** Wraps an error through the owner. */
  wrap(op: string, cause: Error): Error {
    return this.owner !== null ? this.owner._opError(op, cause) : cause;
  }
}

// ---- splice ------------------------------------------------------------------------------------

/** Hands one chunk of a splice to its destination. */
function spliceChunk(w: IOWaiter, c: Buffer): void {
  const dst = w.to!;
  w.n += c.length;
  if (!dst.socket.write(c)) dst.st |= DRAIN_PENDING;
}

/**
 * Moves a splice on after anything happened: finishes it at end of stream once the destination
 * has flushed, pauses the source while the destination is over its high-water mark, resumes it
 * otherwise.
 */
function spliceStep(w: IOWaiter): void {
  const src = w.from!;
  const dst = w.to!;
  if ((src.st & EOF) !== 0 || ((src.st & GONE) !== 0 && src.err === null)) {
    if (dst.socket.writableLength === 0) endSplice(w, null);
    else armFlush(dst);
    return;
  }
  if ((dst.st & DRAIN_PENDING) !== 0 && dst.socket.writableLength >= SPLICE_QUEUE_MAX) {
    pause(src);
  } else if ((src.st & PAUSED) !== 0) {
    src.st &= ~PAUSED;
    src.socket.resume();
  }
}

/** Ends a splice: clears both sides, readies the goroutine, lets queued readers/writers go on. */
function endSplice(w: IOWaiter, err: Error | null): void {
  const src = w.from!;
  const dst = w.to!;
  src.st &= ~RPARKED;
  dst.st &= ~WPARKED;
  w.from = w.to = null;
  w.ioKind = READ;
  if (err === null) ready(w, w.n);
  else readyError(w, err);
  src._afterSpliceReaders();
  dst._afterSpliceWriters();
}

// ---- flush notifications -----------------------------------------------------------------------

/**
 * Makes sure the poller hears when `fd`'s write queue is empty: a 'drain' is coming, or a marker
 * write is queued (its callback is the only closure the write path allocates, and only here).
 */
function armFlush(fd: PollFD): void {
  if ((fd.st & (DRAIN_PENDING | MARK_PENDING)) !== 0) return;
  fd.st |= MARK_PENDING;
  fd.socket.write(EMPTY, (err?: Error | null) => onMark(fd, err ?? null));
}

function onMark(fd: PollFD, err: Error | null): void {
  fd.st &= ~MARK_PENDING;
  if (err !== null) {
    if ((fd.st & CLOSED) !== 0) return;
    if (fd.err === null) fd.err = err;
    fd._failWriters(err);
    return;
  }
  flushed(fd);
}

function onDrain(this: PolledSocket): void {
  const fd = this[kFD]!;
  fd.st &= ~DRAIN_PENDING;
  flushed(fd);
}

/** The write queue may be empty now: move the parked writer or splice on. */
function flushed(fd: PollFD): void {
  if ((fd.st & WPARKED) === 0) return;
  const w = fd.ww!;
  if (w.ioKind === SPLICE) spliceStep(w);
  else if (fd.socket.writableLength === 0) fd._pumpWriters();
  else armFlush(fd);
}

// ---- deadline timers -------------------------------------------------------------------------

function armRead(fd: PollFD): void {
  const x = fd.x!;
  const d = x.rAt - Date.now();
  if (d <= 0) {
    fd.st |= RDL;
    fd._failReaders(ErrDeadlineExceeded);
    return;
  }
  x.rTimer = setTimeout(onReadDeadline, Math.min(d, MAX_TIMER_MS), fd);
  x.rTimer.unref();
}

function onReadDeadline(fd: PollFD): void {
  fd.x!.rTimer = null;
  if ((fd.st & CLOSED) === 0) armRead(fd); // re-checks the clock (and re-arms very long ones)
}

function armWrite(fd: PollFD): void {
  const x = fd.x!;
  const d = x.wAt - Date.now();
  if (d <= 0) {
    fd.st |= WDL;
    fd._failWriters(ErrDeadlineExceeded);
    return;
  }
  x.wTimer = setTimeout(onWriteDeadline, Math.min(d, MAX_TIMER_MS), fd);
  x.wTimer.unref();
}

function onWriteDeadline(fd: PollFD): void {
  fd.x!.wTimer = null;
  if ((fd.st & CLOSED) === 0) armWrite(fd);
}

// ---- socket events (module-level: no closure per socket) --------------------------------------

function onData(this: PolledSocket, chunk: Buffer): void {
  const fd = this[kFD]!;
  const st = fd.st;
  if ((st & RPARKED) !== 0) {
    const w = fd.rw!;
    if (w.ioKind === SPLICE) {
      spliceChunk(w, chunk);
      const dst = w.to!;
      if ((dst.st & DRAIN_PENDING) !== 0 && dst.socket.writableLength >= SPLICE_QUEUE_MAX) pause(fd);
      return;
    }
    const buf = w.buf;
    if (buf === null) {
      fd._readyReader(chunk);
      return;
    }
    const n = chunk.length <= buf.length ? chunk.length : buf.length;
    buf.set(n === chunk.length ? chunk : chunk.subarray(0, n));
    if (n < chunk.length) {
      fd.chunk = chunk;
      fd.off = n;
      pause(fd);
    }
    fd._readyReader(n);
    return;
  }
  if ((st & CLOSED) !== 0) return;
  if (fd.chunk === null) {
    fd.chunk = chunk;
    fd.off = 0;
  } else {
    (fd.x ?? (fd.x = new Extra())).more.push(chunk);
  }
  pause(fd);
}

function pause(fd: PollFD): void {
  if ((fd.st & PAUSED) === 0) {
    fd.st |= PAUSED;
    fd.socket.pause();
  }
}

function onEnd(this: PolledSocket): void {
  const fd = this[kFD]!;
  fd.st |= EOF;
  if ((fd.st & WSHUT) !== 0 && fd.owner !== null) fd.owner._beforeGone();
  if ((fd.st & RPARKED) !== 0) {
    const w = fd.rw!;
    if (w.ioKind === SPLICE) spliceStep(w);
    else fd._readyReader(null);
  }
}

/**
 * The 'error' listener of every socket the poller owns, attached as soon as the socket exists
 * (before it is wrapped), so that no socket error is ever unhandled. It records the error and
 * fails the parked reader and writer.
 */
export function onSocketError(this: PolledSocket, err: Error): void {
  const fd = this[kFD];
  if (fd === undefined || (fd.st & CLOSED) !== 0) return;
  if (fd.err === null) fd.err = err;
  fd._failReaders(err);
  fd._failWriters(err);
}

function onClose(this: PolledSocket): void {
  const fd = this[kFD]!;
  fd.st |= GONE;
  fd.clearTimers();
  if ((fd.st & CLOSED) !== 0) return;
  const err = fd.err ?? (this.errored as Error | null);
  if (err !== null) fd._failReaders(err);
  else if ((fd.st & RPARKED) !== 0) {
    const w = fd.rw!;
    if (w.ioKind === SPLICE) spliceStep(w); // the source is gone: end of stream
    else fd._readyReader(null); // serves the queued readers too
  }
  fd._failWriters(err ?? epipe());
}

function onLingerDone(this: PolledSocket): void {
  this.destroy();
}

/** The error of a write after the writing side was shut down (Go: EPIPE, "broken pipe"). */
function epipe(): Error {
  const e = new Error('write EPIPE') as NodeJS.ErrnoException;
  e.code = 'EPIPE';
  e.errno = -32;
  e.syscall = 'write';
  return e;
}
