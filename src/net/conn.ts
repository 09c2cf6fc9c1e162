/**
 * Conn: a stream connection with blocking-style reads and writes (Go's `net.Conn`, `TCPConn`,
 * `UnixConn`), a thin user of the netpoller's {@link PollFD}.
 *
 * Internals: the descriptor is `conn[kFD]` (see `_symbols.ts`: tests read the socket through
 * it); the rest of a Conn's state is `#private`. The constructor is private: dial and the
 * listener make Conns with the static `Conn[kNew]`, which the published types do not show. The
 * two `@internal` methods `[kOpError]` and `[kBeforeGone]` are the netpoller's callbacks (its
 * `PollOwner` interface names them), called by src/net/poll only.
 *
 * @module
 */

import type { Socket } from 'node:net';
import { PollFD } from './poll/fd.js';
import { failNow } from './poll/now.js';
import { kFD, kNew } from './_symbols.js';
import { TCPAddr, UnixAddr } from './addr.js';
import { OpError, errInvalidDeadline } from './errors.js';
import type { Reader, Writer } from './io.js';
import type { Addr } from './netaddr.js';
import { kOpError, kBeforeGone } from './poll/_symbols.js';

/** A deadline: a `Date`, or ms since the epoch (as `Date.now()`); 0 or undefined clears it. */
export type Deadline = Date | number | undefined | null;

/** @internal Converts a {@link Deadline} to ms since the epoch (0 = none). */
export function deadlineMs(t: Deadline): number {
  if (t === undefined || t === null) return 0;
  const ms = typeof t === 'number' ? t : t.getTime();
  if (Number.isNaN(ms)) throw errInvalidDeadline();
  return ms;
}

/**
 * A network connection (TCP or Unix stream). Reads and writes park the calling goroutine while
 * the socket is not ready; each returns a plain value when it completes at once and a promise
 * otherwise — `await` works on both.
 *
 * Safe for use by several goroutines: concurrent reads (and concurrent writes) are served one
 * at a time, in order.
 *
 * @example
 * ```ts
 * const conn = await dial('tcp', '127.0.0.1:7007');
 * await conn.write(Buffer.from('hello\n'));
 * const buf = Buffer.alloc(64);
 * const n = await conn.read(buf); // null at end of stream
 * conn.close(); // or declare it with `await using` to close it at the end of the scope
 * ```
 */
export class Conn implements Reader, Writer {
  /** @internal The netpoller's descriptor (it owns the socket; this Conn is its `PollOwner`). */
  readonly [kFD]: PollFD;
  /** "tcp", "tcp4", "tcp6" or "unix". Set once. */
  readonly #net: string;
  /** Unix sockets: the socket path, and whether this end dialed it. Set once. */
  readonly #path: string | null;
  readonly #dialed: boolean;
  /**
   * The local address when known without a syscall (an accepted connection of a listener bound
   * to one address shares the listener's), or saved before the handle goes (Node forgets it
   * then). Written by the constructor and `[kBeforeGone]` only.
   */
  #laddr: Addr | null;

  /**
   * @internal How dial and the listener make a Conn (users get one from {@link dial} or
   * {@link Listener.accept}).
   *
   * @param dialed true for the dialing end: both addresses are saved at once (one dial is worth
   *   two getsockname/getpeername calls: its errors name both ends).
   */
  static [kNew](socket: Socket, net: string, path: string | null, dialed: boolean, laddr: Addr | null): Conn {
    return new Conn(socket, net, path, dialed, laddr);
  }

  /**
   * Not for users (a Conn comes from {@link dial} or {@link Listener.accept}); protected so that
   * `TLSConn` can extend it.
   */
  protected constructor(socket: Socket, net: string, path: string | null, dialed: boolean, laddr: Addr | null) {
    this.#net = net;
    this.#path = path;
    this.#dialed = dialed;
    this.#laddr = laddr;
    this[kFD] = PollFD.attach(socket, this);
    if (dialed) this[kBeforeGone]();
  }

  /**
   * Reads up to `buf.length` bytes into `buf`, parking ("IO wait") until at least one byte is
   * available. Go's `Read`, except that the end of stream is a value: `null`.
   *
   * @param buf where to put the bytes; not retained after the read completes.
   * @returns the number of bytes read (≥ 1 when `buf` is not empty; 0 only for an empty `buf`),
   *   or `null` at end of stream (the peer closed or half-closed its side).
   * @throws OpError — cause `ErrClosed` after {@link close} (also for a read parked when it
   *   was called), `ErrDeadlineExceeded` once the read deadline has passed, or the system error
   *   (ECONNRESET...).
   * @example const n = await conn.read(buf); if (n === null) return; // EOF
   */
  read(buf: Uint8Array): number | null | Promise<number | null> {
    return this[kFD].read(buf);
  }

  /**
   * Writes all of `buf`. Completes once the bytes are handed to the kernel (then `buf` may be
   * reused); a peer that does not read fills the socket buffers and parks the writer ("IO wait")
   * — backpressure, never unbounded memory.
   *
   * @param buf the bytes to write.
   * @returns `buf.length`.
   * @throws OpError — cause `ErrClosed`, `ErrDeadlineExceeded`, an EPIPE system error after
   *   {@link closeWrite}, or the system error (ECONNRESET, EPIPE...). After a write deadline
   *   passes, part of that write may still be sent: close the connection.
   * @example await conn.write(Buffer.from('hello\n'));
   */
  write(buf: Uint8Array): number | Promise<number> {
    return this[kFD].write(buf);
  }

  /**
   * Copies everything this connection receives to `w` until end of stream, without an
   * intermediate buffer (Go's `io.WriterTo`; {@link copy} uses it). When `w` is a Conn, the copy
   * is spliced: the netpoller hands each received chunk to `w` as it arrives, with backpressure,
   * and the goroutine parks once for the whole copy (Go's splice(2) path). Returns once the bytes
   * have been handed to the kernel.
   *
   * @returns the number of bytes copied.
   * @throws OpError of the read (op "read") or of the write (op "write"), or what `w.write`
   *   throws.
   */
  writeTo(w: Writer): Promise<number> {
    if (w instanceof Conn) {
      let p: Promise<number> | null;
      try {
        p = this[kFD].splice(w[kFD]);
      } catch (err) {
        return failNow(err);
      }
      if (p !== null) return p;
    }
    return this.#copyChunks(w);
  }

  async #copyChunks(w: Writer): Promise<number> {
    const fd = this[kFD];
    const out = w instanceof Conn ? w[kFD] : null;
    let total = 0;
    for (;;) {
      let c = fd.readChunk();
      if (c instanceof Promise) c = await c;
      if (c === null) break;
      let r = out !== null ? out.writeOwned(c) : w.write(c);
      if (typeof r !== 'number') r = await r;
      total += c.length;
    }
    if (out !== null) {
      const f = out.flush();
      if (f !== undefined) await f;
    }
    return total;
  }

  /**
   * Closes the connection. Parked and later reads and writes fail with `ErrClosed`. Data
   * already written is still delivered; data received and not read is dropped. Closing a closed
   * connection does nothing (Go returns an error there; ignoring it is the common case).
   */
  close(): void {
    if (!this[kFD].closed) this[kBeforeGone]();
    this[kFD].close();
  }

  /**
   * Closes the connection when an `await using` scope ends, as {@link close} does (Go's
   * `defer conn.Close()`): the peer reads end of stream after the data already written.
   * Resolves at once; it does not wait for that data to be delivered.
   *
   * @example
   * ```ts
   * await using conn = await dial('tcp', '127.0.0.1:7007');
   * await conn.write(Buffer.from('hello\n'));
   * // closed here, however the scope is left
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /**
   * @internal The netpoller's callback (and close's): keeps the addresses while the handle
   * exists, for later error messages.
   */
  [kBeforeGone](): void {
    const s = this[kFD].socket;
    if (s.destroyed || this.#path !== null || this.#laddr !== null) return;
    this.#laddr = this.localAddr;
    void s.remoteAddress; // Node caches the remote address itself
  }

  /**
   * Shuts down the writing side (TCP half-close, Go's `CloseWrite`): the peer reads end of
   * stream after the data already written; this side can still read.
   *
   * @throws OpError (cause `ErrClosed`) on a closed connection.
   */
  closeWrite(): void {
    this[kFD].closeWrite();
  }

  /**
   * Sets the read and write deadlines (Go's `SetDeadline`). Once a deadline passes, the parked
   * and every later read/write fails with `ErrDeadlineExceeded` until the deadline is moved.
   *
   * @param t a Date or ms since the epoch; 0/undefined clears it. A time in the past fails at
   *   once.
   * @throws OpError (cause `ErrClosed`) on a closed connection.
   * @example conn.setDeadline(Date.now() + 5_000);
   */
  setDeadline(t: Deadline): void {
    this[kFD].setDeadline(3, deadlineMs(t));
  }

  /** Sets the read deadline only (see {@link setDeadline}). */
  setReadDeadline(t: Deadline): void {
    this[kFD].setDeadline(1, deadlineMs(t));
  }

  /** Sets the write deadline only (see {@link setDeadline}). */
  setWriteDeadline(t: Deadline): void {
    this[kFD].setDeadline(2, deadlineMs(t));
  }

  /** The local address (`127.0.0.1:7007`; for Unix sockets the path, or "" when unnamed). */
  get localAddr(): Addr {
    const s = this[kFD].socket;
    if (this.#path !== null) return new UnixAddr(this.#dialed ? '' : displayPath(this.#path));
    if (this.#laddr !== null) return this.#laddr;
    return new TCPAddr(s.localAddress ?? '', s.localPort ?? 0);
  }

  /** The remote address (`127.0.0.1:51234`; for Unix sockets the path, or "" when unnamed). */
  get remoteAddr(): Addr {
    const s = this[kFD].socket;
    if (this.#path !== null) return new UnixAddr(this.#dialed ? displayPath(this.#path) : '');
    return new TCPAddr(s.remoteAddress ?? '', s.remotePort ?? 0);
  }

  /**
   * Disables (true, the default of Go and of strand's connections) or enables Nagle's algorithm.
   * No-op for Unix sockets.
   */
  setNoDelay(noDelay = true): void {
    if (this.#path === null) this[kFD].socket.setNoDelay(noDelay);
  }

  /**
   * Enables or disables TCP keep-alive probes (strand's connections start with them on, every
   * 15 s, as Go's do). No-op for Unix sockets.
   *
   * @param on whether to send keep-alive probes.
   * @param initialDelayMs idle time before the first probe.
   */
  setKeepAlive(on: boolean, initialDelayMs = 15_000): void {
    if (this.#path === null) this[kFD].socket.setKeepAlive(on, initialDelayMs);
  }

  /** @internal The netpoller's callback: wraps its errors (see {@link OpError}). */
  [kOpError](op: string, cause: Error): Error {
    let local: Addr | null = null;
    let remote: Addr | null = null;
    try {
      local = this.localAddr;
      remote = this.remoteAddr;
    } catch {
      // the handle is gone: no addresses
    }
    if (local !== null && local.toString() === ':0') local = null;
    if (remote !== null && remote.toString() === ':0') remote = null;
    return new OpError(op, this.#net, local, remote, cause);
  }
}

/** @internal Shows a Linux abstract socket name ("\0name") as Go does ("@name"). */
export function displayPath(path: string): string {
  return path.startsWith('\0') ? `@${path.slice(1)}` : path;
}
