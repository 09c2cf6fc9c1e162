/**
 * PollFD: one connected socket as seen by the netpoller (Go's `internal/poll.FD` plus the
 * runtime's `pollDesc`). It turns the socket's Node events ('data', 'end', 'error', 'close', write
 * callbacks) and deadline timers into park/ready of the goroutines that read and write it.
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
 * `write(buf)` hands `buf` to `socket.write`. When libuv writes it all to the kernel at once, the
 * socket's `writableLength` is back to 0 and write returns at once: the caller may reuse `buf`.
 * Otherwise Node still holds a reference to `buf`, so the writer parks until that write's callback
 * (one callback function per socket, created at the first write, counts completions: `wDone`).
 * `writeOwned(buf)` is for buffers the caller gives away (the zero-copy chunks of `io.copy`): it
 * returns at once even when queued, and waits only before queueing more behind queued data —
 * at most one chunk is ever queued per socket. Either way a peer that does not read parks the
 * writer: memory stays bounded.
 *
 * ## Deadlines
 * A Node timer exists only while a deadline is set. When it fires, the side is marked expired:
 * the parked operation and every later one fail with {@link ErrDeadlineExceeded} until the
 * deadline is moved or cleared (Go's semantics).
 *
 * ## Idle memory
 * Listeners are module-level functions that find their PollFD through a symbol on the socket;
 * the two waiters are allocated at the first park and reused; the rarely used state (deadlines,
 * extra queued readers/writers) lives in lazily created objects.
 *
 * ## Invariants (single JS thread; all fields are owned by this module)
 * - `RPARKED` is set exactly while `rw` is parked in a read; `WPARKED` likewise for `ww`. Whoever
 *   readies a waiter clears the flag first, so a stale event never readies a later park.
 * - `RPARKED` implies no data is kept (`chunk === null`).
 * - `chunk === null` implies `more === null || more.length === 0`.
 * - `wDone <= wIssued`; a parked writer waits for `wDone >= ww.target`.
 * - After `CLOSED`, no waiter is parked and no data is kept.
 *
 * @module
 */

import type { Socket } from 'node:net';
import { Waiter, park, ready, readyError } from '../../runtime/goroutine.js';
import { spend, yieldValue } from './budget.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';

/** The property of a socket that holds its PollFD. */
export const kFD: unique symbol = Symbol('strand.pollFD');

/** How the poller reports errors: the net layer wraps them into its `OpError`. */
export interface PollOwner {
  /** Wraps `cause` (a sentinel or a Node error) for the operation `op` ("read", "write"...). */
  _opError(op: string, cause: Error): Error;
  /**
   * Called while the socket still has its handle, right before Node will destroy it because
   * both directions are finished: the owner can save what it needs for later error messages.
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

/** How long a closed socket may keep flushing queued data to a peer that does not read (ms). */
const LINGER_MS = 10_000;
/** The largest delay Node's timers accept. */
const MAX_TIMER_MS = 0x7fffffff;

/** A goroutine parked on one side of a socket. */
class IOWaiter extends Waiter {
  /**
   * Read: the destination buffer, or null for a chunk read. Write: the data still to be written
   * on the parked goroutine's behalf, or null.
   */
  buf: Uint8Array | null = null;
  /** Write: the value of `wDone` this writer waits for. */
  target = 0;
  /** Write: what the write resolves to. */
  n = 0;
  /** Write: whether `buf` was given away (see {@link PollFD.writeOwned}). */
  owned = false;
}

/** Deadline state, allocated the first time a deadline is set. */
class Deadlines {
  /** Absolute read deadline (ms since the epoch), 0 = none. */
  rAt = 0;
  wAt = 0;
  rTimer: NodeJS.Timeout | null = null;
  wTimer: NodeJS.Timeout | null = null;
}

/**
 * The poller's view of one connected socket. Created by {@link PollFD.attach}; used by `Conn`.
 * Not safe to share between owners: one PollFD per socket.
 */
export class PollFD {
  /** The socket. */
  readonly socket: PolledSocket;
  /** Wraps errors; set once by the owner. */
  owner: PollOwner | null = null;
  /** State bits (see the constants above). */
  st = 0;
  /** Data received and not yet read (zero-copy), from offset `off`. */
  chunk: Buffer | null = null;
  off = 0;
  /** Chunks received after `chunk` (rare: Node emitted more 'data' right after pause()). */
  more: Buffer[] | null = null;
  /** Sticky socket error: reported once the kept data is read. */
  err: Error | null = null;
  /** The reused read and write waiters, allocated at their first park. */
  rw: IOWaiter | null = null;
  ww: IOWaiter | null = null;
  /** Writes handed to the socket, and write callbacks seen. */
  wIssued = 0;
  wDone = 0;
  /** This socket's write callback (created at the first write). */
  wcb: ((err?: Error | null) => void) | null = null;
  /** Deadlines (null until one is set). */
  dl: Deadlines | null = null;
  /** Goroutines waiting for their turn to read/write while another is parked (rare). */
  rq: Waiter[] | null = null;
  wq: Waiter[] | null = null;

  private constructor(socket: PolledSocket) {
    this.socket = socket;
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
    const fd = new PollFD(s);
    fd.owner = owner;
    s[kFD] = fd;
    if (s.destroyed) {
      fd.st |= GONE;
      fd.err = (s.errored as Error | null) ?? null;
      return fd;
    }
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('close', onClose);
    return fd;
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
    return spend() ? yieldValue(n) : n;
  }

  /**
   * Reads the next chunk of data as it arrived, without copying (for `io.copy`): the caller
   * owns the returned buffer.
   *
   * @returns a non-empty buffer, or `null` at end of stream.
   */
  readChunk(): Buffer | null | Promise<Buffer | null> {
    if ((this.st & (CLOSED | RDL | RPARKED)) !== 0 || this.chunk === null) return this.readSlow(null);
    const c = this.take(null) as Buffer;
    return spend() ? yieldValue(c) : c;
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
    const more = this.more;
    this.chunk = more !== null && more.length > 0 ? more.shift()! : null;
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
      (this.rq ?? (this.rq = [])).push(w);
      return park(w, 'IO wait');
    }
    if (buf !== null && buf.length === 0) return 0;
    if (this.chunk !== null) return this.take(buf);
    if ((st & EOF) !== 0) return null;
    if (this.err !== null) throw this.wrap('read', this.err);
    if ((st & GONE) !== 0) return null;
    const w = this.rw ?? (this.rw = new IOWaiter());
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
    const q = this.rq;
    if (q === null) return;
    // Serve queued readers from what is left; the first one that must wait becomes the parked one.
    let next: IOWaiter | undefined;
    while ((next = q.shift() as IOWaiter | undefined) !== undefined) {
      const buf = next.buf;
      next.buf = null;
      if (buf !== null && buf.length === 0) ready(next, 0);
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

  /** Fails the parked reader and every reader queued behind it. */
  _failReaders(err: Error): void {
    if ((this.st & RPARKED) !== 0) {
      this.st &= ~RPARKED;
      const w = this.rw!;
      w.buf = null;
      readyError(w, this.wrap('read', err));
    }
    const q = this.rq;
    if (q !== null && q.length > 0) {
      for (const w of q.splice(0, q.length)) readyError(w, this.wrap('read', err));
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
      return this.writeSlow(buf, false);
    }
    s.write(buf, this.wcb ?? this.makeWriteCb());
    this.wIssued++;
    // Still queued: Node holds `buf` until this write's callback.
    if (s.writableLength !== 0) return this.parkWriter(null, false, buf.length);
    return spend() ? yieldValue(buf.length) : buf.length;
  }

  /**
   * Writes all of `buf`, which the caller gives away (it must not modify it afterwards). Returns
   * as soon as the bytes are queued; waits only when earlier data is still queued.
   */
  writeOwned(buf: Uint8Array): number | Promise<number> {
    const s = this.socket;
    if ((this.st & (CLOSED | WDL | WSHUT | WPARKED | GONE)) !== 0 || this.err !== null || buf.length === 0 || s.writableLength !== 0) {
      return this.writeSlow(buf, true);
    }
    s.write(buf, this.wcb ?? this.makeWriteCb());
    this.wIssued++;
    return spend() ? yieldValue(buf.length) : buf.length;
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
    if ((st & WPARKED) !== 0) return this.queueWriter(null, false);
    if (this.socket.writableLength === 0) return;
    return this.parkWriter(null, false, 0);
  }

  private writeSlow(buf: Uint8Array, owned: boolean): number | Promise<number> {
    const st = this.st;
    if ((st & CLOSED) !== 0) throw this.wrap('write', ErrClosed);
    if ((st & WDL) !== 0) throw this.wrap('write', ErrDeadlineExceeded);
    if (this.err !== null) throw this.wrap('write', this.err);
    if ((st & (WSHUT | GONE)) !== 0) throw this.wrap('write', epipe());
    if (buf.length === 0) return 0;
    // Another goroutine is parked writing: queue behind it (Go serializes writes on one fd).
    if ((st & WPARKED) !== 0) return this.queueWriter(buf, owned);
    // Something is queued already: park; the write is issued once the queue has drained.
    return this.parkWriter(buf, owned, buf.length);
  }

  /**
   * Parks the writer until all writes issued so far are done; `buf`, if given, is then written
   * on its behalf (see {@link pumpWriters}).
   */
  private parkWriter(buf: Uint8Array | null, owned: boolean, n: number): Promise<number> {
    const w = this.ww ?? (this.ww = new IOWaiter());
    w.buf = buf;
    w.owned = owned;
    w.n = n;
    w.target = this.wIssued;
    this.st |= WPARKED;
    return park(w, 'IO wait');
  }

  private queueWriter(buf: Uint8Array | null, owned: boolean): Promise<number> {
    const w = new IOWaiter();
    w.buf = buf;
    w.owned = owned;
    w.n = buf === null ? 0 : buf.length;
    (this.wq ?? (this.wq = [])).push(w);
    return park(w, 'IO wait');
  }

  private makeWriteCb(): (err?: Error | null) => void {
    // One closure per socket that writes: Node's write callbacks carry no `this`.
    const cb = (err?: Error | null): void => onWritten(this, err);
    this.wcb = cb;
    return cb;
  }

  /**
   * The parked writer's wait is over (`wDone >= target`): issue its deferred write if it has
   * one, ready it once Node no longer needs its buffer, then move on to queued writers.
   */
  _pumpWriters(): void {
    const s = this.socket;
    let w = this.ww!;
    for (;;) {
      const buf = w.buf;
      if (buf !== null) {
        w.buf = null;
        s.write(buf, this.wcb ?? this.makeWriteCb());
        this.wIssued++;
        if (!w.owned && s.writableLength !== 0) {
          w.target = this.wIssued;
          return; // stays parked until this write is done
        }
      }
      this.st &= ~WPARKED;
      ready(w, w.n);
      const q = this.wq;
      const next = q !== null ? (q.shift() as IOWaiter | undefined) : undefined;
      if (next === undefined) return;
      this.ww = w = next;
      this.st |= WPARKED;
      if (s.writableLength !== 0) {
        w.target = this.wIssued;
        return;
      }
    }
  }

  /** Fails the parked writer and every writer queued behind it. */
  _failWriters(err: Error): void {
    if ((this.st & WPARKED) !== 0) {
      this.st &= ~WPARKED;
      const w = this.ww!;
      w.buf = null;
      readyError(w, this.wrap('write', err));
    }
    const q = this.wq;
    if (q !== null && q.length > 0) {
      for (const w of q.splice(0, q.length)) readyError(w, this.wrap('write', err));
    }
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
   * at most {@link LINGER_MS}); data received and not read is dropped.
   *
   * @returns false if it was already closed.
   */
  close(): boolean {
    if ((this.st & CLOSED) !== 0) return false;
    this.st |= CLOSED;
    this.clearTimers();
    this.chunk = null;
    this.more = null;
    // A parked write() whose buffer Node still holds: its caller may reuse the buffer once it
    // gets the error, so those bytes must not be sent later.
    const ww = this.ww;
    const borrowed = (this.st & WPARKED) !== 0 && ww !== null && !ww.owned && ww.buf === null && ww.n > 0;
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
    const dl = this.dl ?? (this.dl = new Deadlines());
    if ((side & 1) !== 0) {
      if (dl.rTimer !== null) {
        clearTimeout(dl.rTimer);
        dl.rTimer = null;
      }
      dl.rAt = at;
      this.st &= ~RDL;
      if (at !== 0) armRead(this);
    }
    if ((side & 2) !== 0) {
      if (dl.wTimer !== null) {
        clearTimeout(dl.wTimer);
        dl.wTimer = null;
      }
      dl.wAt = at;
      this.st &= ~WDL;
      if (at !== 0) armWrite(this);
    }
  }

  private clearTimers(): void {
    const dl = this.dl;
    if (dl === null) return;
    if (dl.rTimer !== null) clearTimeout(dl.rTimer);
    if (dl.wTimer !== null) clearTimeout(dl.wTimer);
    dl.rTimer = dl.wTimer = null;
  }

  /** @internal Called when the socket is gone: timers are useless now. */
  _gone(): void {
    this.clearTimers();
  }

  /** Wraps an error through the owner. */
  wrap(op: string, cause: Error): Error {
    return this.owner !== null ? this.owner._opError(op, cause) : cause;
  }
}

// ---- deadline timers -------------------------------------------------------------------------

function armRead(fd: PollFD): void {
  const dl = fd.dl!;
  const d = dl.rAt - Date.now();
  if (d <= 0) {
    fd.st |= RDL;
    fd._failReaders(ErrDeadlineExceeded);
    return;
  }
  dl.rTimer = setTimeout(onReadDeadline, Math.min(d, MAX_TIMER_MS), fd);
  dl.rTimer.unref();
}

function onReadDeadline(fd: PollFD): void {
  fd.dl!.rTimer = null;
  if ((fd.st & CLOSED) === 0) armRead(fd); // re-checks the clock (and re-arms very long ones)
}

function armWrite(fd: PollFD): void {
  const dl = fd.dl!;
  const d = dl.wAt - Date.now();
  if (d <= 0) {
    fd.st |= WDL;
    fd._failWriters(ErrDeadlineExceeded);
    return;
  }
  dl.wTimer = setTimeout(onWriteDeadline, Math.min(d, MAX_TIMER_MS), fd);
  dl.wTimer.unref();
}

function onWriteDeadline(fd: PollFD): void {
  fd.dl!.wTimer = null;
  if ((fd.st & CLOSED) === 0) armWrite(fd);
}

// ---- socket events (module-level: no closure per socket) --------------------------------------

function onData(this: PolledSocket, chunk: Buffer): void {
  const fd = this[kFD]!;
  const st = fd.st;
  if ((st & RPARKED) !== 0) {
    const buf = fd.rw!.buf;
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
    (fd.more ?? (fd.more = [])).push(chunk);
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
  if ((fd.st & RPARKED) !== 0) fd._readyReader(null);
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
  fd._gone();
  if ((fd.st & CLOSED) !== 0) return;
  const err = fd.err ?? (this.errored as Error | null);
  if (err !== null) fd._failReaders(err);
  else if ((fd.st & RPARKED) !== 0) fd._readyReader(null); // serves the queued readers too
  fd._failWriters(err ?? epipe());
}

function onWritten(fd: PollFD, err: Error | null | undefined): void {
  fd.wDone++;
  if (err != null) {
    if ((fd.st & CLOSED) !== 0) return;
    if (fd.owner !== null) fd.owner._beforeGone(); // Node destroys the socket right after this
    if (fd.err === null) fd.err = err;
    fd._failWriters(err);
    return;
  }
  if ((fd.st & WPARKED) !== 0 && fd.wDone >= fd.ww!.target) fd._pumpWriters();
}

function onLingerDone(this: PolledSocket): void {
  this.destroy();
}

// ---- helpers ---------------------------------------------------------------------------------

/** The error of a write after the writing side was shut down (Go: EPIPE, "broken pipe"). */
function epipe(): Error {
  const e = new Error('write EPIPE') as NodeJS.ErrnoException;
  e.code = 'EPIPE';
  e.errno = -32;
  e.syscall = 'write';
  return e;
}
