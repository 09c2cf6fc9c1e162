/**
 * Go's `net.Pipe`: a synchronous, in-memory, full-duplex connection — two {@link PipeConn} ends,
 * built the way Go builds it, from unbuffered channels, a mutex and `select`.
 *
 * strand/net's `Conn` is a class bound to the netpoller (a real socket), so a pipe end is not a
 * `Conn`: it implements the same blocking-style surface (`read`, `write`, `close`, `closeWrite`,
 * the three deadline setters, `localAddr`, `remoteAddr`, `Symbol.asyncDispose`) and the
 * {@link Reader}/{@link Writer} interfaces that strand/net's helpers accept — `copy`, `readFull`,
 * `readAll`, `bufio.Reader`, `bufio.Writer`, `bufio.Scanner`. Code that takes a `Reader & Writer`
 * (or a structural `Pick<Conn, ...>`) works with both.
 *
 * Invariants (single JS thread; every field is `#private`):
 * - Each direction is a pair of unbuffered channels: the writer sends its whole remaining buffer
 *   on `data`, the reader copies what fits and sends back how much on `count`. So a write parks
 *   until the other side has read all of it (over as many reads as it takes); `#wrMu` keeps the
 *   pieces of concurrent writes from interleaving.
 * - `#localDone` closes once, on `close()`; `#localWDone` on `close()` or `closeWrite()`. The
 *   peer sees them as its remote channels: a closed `remoteWDone` is end of stream for its reads,
 *   a closed `remoteDone` fails its writes.
 * - A deadline is a channel closed when it passes (an afterFunc timer on strand's clock), replaced
 *   by a fresh one when the deadline is moved into the future.
 *
 * Because everything parks on channels and a mutex, a pipe made in a synctest bubble is durably
 * blocking there, and its deadlines follow the bubble's virtual clock.
 *
 * @module
 */

import { Mutex, afterFunc, awaitable, chan, codes, now, recvCase, select, sendCase, type Chan, type FuncTimer, type MaybePromise } from '../runtime/index.js';
import { ErrDeadlineExceeded, OpError, type Addr, type Deadline, type Reader, type Writer } from '../net/index.js';
import { ErrClosedPipe } from './errors.js';

/** The address of a pipe end (Go's `pipeAddr`): network and string are both "pipe". */
class PipeAddr implements Addr {
  network(): string {
    return 'pipe';
  }
  toString(): string {
    return 'pipe';
  }
}

const addr = new PipeAddr();

/** A deadline: a channel closed once it passes (Go's `pipeDeadline`). */
class PipeDeadline {
  #timer: FuncTimer | null = null;
  #cancel: Chan<void> = chan<void>();

  /** Moves the deadline (0/null/undefined: none). */
  set(t: Deadline): void {
    if (this.#timer !== null) this.#timer.stop();
    this.#timer = null;
    const closed = this.#cancel.closed;
    const ms = t === undefined || t === null ? 0 : typeof t === 'number' ? t : t.getTime();
    if (Number.isNaN(ms)) throw Object.assign(new TypeError('net: invalid deadline'), { code: codes.INVALID_ARG });
    if (ms === 0) {
      if (closed) this.#cancel = chan<void>();
      return;
    }
    const dur = ms - now().getTime();
    if (dur > 0) {
      if (closed) this.#cancel = chan<void>();
      const c = this.#cancel;
      this.#timer = afterFunc(dur, () => {
        if (!c.closed) c.close();
      });
      return;
    }
    if (!closed) this.#cancel.close();
  }

  /** The channel closed when the deadline passes. */
  wait(): Chan<void> {
    return this.#cancel;
  }
}

/**
 * One end of a {@link pipe}: Go's `net.Pipe` connection. A write parks until the other end has
 * read all of it; a read parks until the other end writes. Safe for several goroutines.
 */
export class PipeConn implements Reader, Writer {
  /** Data from the peer's writes (its `#wrData`). */
  readonly #rdData: Chan<Uint8Array>;
  /** How much of each received buffer was consumed, back to the peer. */
  readonly #rdCount: Chan<number>;
  readonly #wrData: Chan<Uint8Array>;
  readonly #wrCount: Chan<number>;
  readonly #localDone: Chan<void>;
  readonly #remoteDone: Chan<void>;
  readonly #localWDone: Chan<void>;
  readonly #remoteWDone: Chan<void>;
  readonly #wrMu = new Mutex();
  readonly #rd = new PipeDeadline();
  readonly #wd = new PipeDeadline();

  /** @internal Use {@link pipe}. */
  constructor(rdData: Chan<Uint8Array>, rdCount: Chan<number>, wrData: Chan<Uint8Array>, wrCount: Chan<number>, localDone: Chan<void>, remoteDone: Chan<void>, localWDone: Chan<void>, remoteWDone: Chan<void>) {
    this.#rdData = rdData;
    this.#rdCount = rdCount;
    this.#wrData = wrData;
    this.#wrCount = wrCount;
    this.#localDone = localDone;
    this.#remoteDone = remoteDone;
    this.#localWDone = localWDone;
    this.#remoteWDone = remoteWDone;
  }

  /**
   * Reads what the peer writes, up to `buf.length` bytes (the rest of that write stays for the
   * next read; the writer stays parked until all of it is read).
   *
   * @param buf where to put the bytes; not retained.
   * @returns the number of bytes read, or `null` at end of stream (the peer closed, or
   *   half-closed with {@link PipeConn.closeWrite}).
   * @throws {@link ErrClosedPipe} after this end's {@link PipeConn.close}; an `OpError` whose
   *   cause is `ErrDeadlineExceeded` once the read deadline has passed.
   */
  read(buf: Uint8Array): MaybePromise<number | null> {
    // awaitable: the caller's goroutine is known again when the composite read returns.
    return awaitable(this.#read(buf));
  }

  async #read(buf: Uint8Array): Promise<number | null> {
    if (this.#localDone.closed) throw ErrClosedPipe;
    if (this.#remoteWDone.closed) return null;
    if (this.#rd.wait().closed) throw this.#timeout('read');
    if (buf.length === 0) return 0;
    const data = recvCase(this.#rdData);
    const cases = [data, recvCase(this.#localDone), recvCase(this.#remoteWDone), recvCase(this.#rd.wait())];
    switch (await select(cases)) {
      case 0: {
        const bw = data.value!;
        const n = Math.min(buf.length, bw.length);
        buf.set(bw.subarray(0, n));
        await this.#rdCount.send(n);
        return n;
      }
      case 1:
        throw ErrClosedPipe;
      case 2:
        return null;
      default:
        throw this.#timeout('read');
    }
  }

  /**
   * Writes all of `buf`, parking until the peer has read every byte (possibly over several
   * reads). Concurrent writes do not interleave. An empty `buf` returns 0 at once (Go hands an
   * empty write to one read; strand's readers return 0 only for an empty buffer).
   *
   * @returns `buf.length`.
   * @throws {@link ErrClosedPipe} after either end closed (or this end called `closeWrite`);
   *   an `OpError` whose cause is `ErrDeadlineExceeded` once the write deadline has passed (part
   *   of `buf` may have been read by then).
   */
  write(buf: Uint8Array): MaybePromise<number> {
    return awaitable(this.#write(buf));
  }

  async #write(buf: Uint8Array): Promise<number> {
    if (this.#localWDone.closed || this.#remoteDone.closed) throw ErrClosedPipe;
    if (this.#wd.wait().closed) throw this.#timeout('write');
    if (buf.length === 0) return 0;
    await this.#wrMu.lock();
    try {
      let b = buf;
      let n = 0;
      const send = sendCase(this.#wrData, b);
      const cases = [send, recvCase(this.#localWDone), recvCase(this.#remoteDone), recvCase(this.#wd.wait())];
      while (b.length > 0) {
        send.value = b;
        switch (await select(cases)) {
          case 0: {
            const nw = await this.#wrCount.recv();
            b = b.subarray(nw!);
            n += nw!;
            break;
          }
          case 1:
          case 2:
            throw ErrClosedPipe;
          default:
            throw this.#timeout('write');
        }
      }
      return n;
    } finally {
      this.#wrMu.unlock();
    }
  }

  /**
   * Closes this end: its parked and later reads and writes fail with {@link ErrClosedPipe}; the
   * peer's reads return end of stream (`null`) and its writes fail with `ErrClosedPipe`.
   * Idempotent.
   */
  close(): void {
    if (!this.#localDone.closed) this.#localDone.close();
    if (!this.#localWDone.closed) this.#localWDone.close();
  }

  /**
   * Half-closes: the peer's reads return end of stream, this end's writes fail with
   * {@link ErrClosedPipe}; reading from the peer still works.
   */
  closeWrite(): void {
    if (!this.#localWDone.closed) this.#localWDone.close();
  }

  /** Closes this end when an `await using` scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /**
   * Sets both deadlines. A deadline is a time on strand's clock (`now()`: virtual in a synctest
   * bubble); parked and later reads or writes fail with an `OpError` whose cause is
   * `ErrDeadlineExceeded` once it passes, until it is moved. 0, null or undefined clears it.
   */
  setDeadline(t: Deadline): void {
    this.#rd.set(t);
    this.#wd.set(t);
  }

  /** Sets the read deadline (see {@link PipeConn.setDeadline}). */
  setReadDeadline(t: Deadline): void {
    this.#rd.set(t);
  }

  /** Sets the write deadline (see {@link PipeConn.setDeadline}). */
  setWriteDeadline(t: Deadline): void {
    this.#wd.set(t);
  }

  /** This end's address: network and string "pipe". */
  get localAddr(): Addr {
    return addr;
  }

  /** The other end's address: network and string "pipe". */
  get remoteAddr(): Addr {
    return addr;
  }

  #timeout(op: string): OpError {
    return new OpError(op, 'pipe', addr, addr, ErrDeadlineExceeded);
  }
}

/**
 * Creates a synchronous, in-memory, full-duplex connection (Go's `net.Pipe`): what one end
 * writes, the other reads; there is no buffering, so a write parks until the other end has read
 * all of it. Both ends implement strand/net's Reader and Writer (so `copy`, `bufio` and friends
 * work on them), deadlines and close as a `Conn` does. Handy to test a protocol handler without
 * sockets — and, unlike a socket, a pipe is durably blocking in a synctest bubble.
 *
 * @returns the two ends.
 * @example
 * ```ts
 * const [client, server] = pipe();
 * go(async () => { await copy(server, server); }); // an echo server on one end
 * await client.write(Buffer.from('ping\n'));
 * const buf = Buffer.alloc(5);
 * await readFull(client, buf); // 'ping\n'
 * client.close();
 * ```
 */
export function pipe(): [PipeConn, PipeConn] {
  const d1 = chan<Uint8Array>();
  const d2 = chan<Uint8Array>();
  const n1 = chan<number>();
  const n2 = chan<number>();
  const done1 = chan<void>();
  const done2 = chan<void>();
  const wdone1 = chan<void>();
  const wdone2 = chan<void>();
  const p1 = new PipeConn(d1, n1, d2, n2, done1, done2, wdone1, wdone2);
  const p2 = new PipeConn(d2, n2, d1, n1, done2, done1, wdone2, wdone1);
  return [p1, p2];
}
