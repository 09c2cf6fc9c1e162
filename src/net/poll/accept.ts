/**
 * AcceptQueue: a listening `net.Server` as seen by the netpoller. It turns 'connection' events,
 * accept errors and the accept deadline into park/ready of the goroutines that accept.
 *
 * Node accepts connections by itself as they arrive; sockets nobody has accepted yet wait in
 * `queue` (each with the poller's 'error' listener, so a reset before accept never crashes the
 * process; sockets that died while queued are skipped). Acceptors park ("IO wait") in FIFO order
 * while the queue is empty.
 *
 * Accept errors: running out of file descriptors (EMFILE/ENFILE, and ENOBUFS, ENOMEM,
 * ECONNABORTED) is temporary. As Go's net/http does, the queue then backs off — delivers nothing
 * for 5 ms, doubling on each further error up to 1 s, back to 0 after a successful delivery —
 * and keeps serving; nothing is logged. (libuv sheds the connections it cannot accept meanwhile.)
 * Any other accept error fails the next accept once.
 *
 * Acceptors are plain runtime waiters (through `src/runtime/netpoll.ts`) in the runtime's one
 * wait queue; a waiter's per-wait data is whether it wants the raw socket. The server's event
 * listeners are the class's own static methods, found through a symbol on the server: no closure
 * per listener, and every field stays `#private`.
 *
 * Invariants (single JS thread; fields owned by this class):
 * - `#waiters` is non-empty only while nothing can be delivered: the queue is empty or a
 *   back-off is running.
 * - Once `#closed`, `#queue` and `#waiters` are empty and stay empty.
 *
 * @module
 */

import type { ListenOptions, Server, Socket } from 'node:net';
import { WaitQueue, pollData, pollReady, pollReadyError, pollWait, pollWaiter, type Waiter } from '../../runtime/netpoll.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';
import { onSocketError } from './events.js';
import { kOpError, kNewConn, kListening } from './_symbols.js';

/** The property of a server that holds its AcceptQueue. */
const kQueue: unique symbol = Symbol('strand.acceptQueue');
type PolledServer = Server & { [kQueue]?: AcceptQueue };

/** What the queue's owner (net's Listener) provides. Its members are internal (stripped from the published types). */
export interface AcceptOwner {
  /** @internal Wraps a socket into the owner's connection type (net's `Conn`). */
  [kNewConn](socket: Socket): unknown;
  /** @internal Wraps the poller's errors (net's `OpError`). */
  [kOpError](op: string, cause: Error): Error;
  /** @internal Learns that the server listens (before the listen call returns). */
  [kListening](): void;
}

/** Errors of accept(2) after which a server should back off and retry (Go: `Temporary()`). */
const TEMPORARY = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'ECONNABORTED']);
/** Back-off bounds, as Go's net/http `Server.Serve`. */
const BACKOFF_MIN_MS = 5;
const BACKOFF_MAX_MS = 1000;
/** The largest delay Node's timers accept. */
const MAX_TIMER_MS = 0x7fffffff;

/** The netpoller's state of one listening server. */
export class AcceptQueue {
  readonly server: PolledServer;
  readonly #owner: AcceptOwner;
  /** Accepted by Node, not yet by a goroutine: `#queue[#head..]`. */
  #queue: Socket[] = [];
  #head = 0;
  /** Parked acceptors; each one's data (`pollData`) is true if it wants the raw socket. */
  readonly #waiters = new WaitQueue();
  #closed = false;
  /** A non-temporary accept error not yet reported. */
  #err: Error | null = null;
  /** Current back-off delay (0 = none) and its timer (non-null while backing off). */
  #tempDelay = 0;
  #backoffTimer: NodeJS.Timeout | null = null;
  /** Accept deadline (ms since the epoch, 0 = none), whether it passed, and its timer. */
  #dlAt = 0;
  #dlExpired = false;
  #dlTimer: NodeJS.Timeout | null = null;
  /** The parked listen() call, until 'listening' or 'error'. */
  #listenWaiter: Waiter | null = null;
  /** Number of temporary accept errors seen (for tests and metrics). */
  tempErrors = 0;

  private constructor(server: Server, owner: AcceptOwner) {
    this.server = server as PolledServer;
    this.#owner = owner;
  }

  /**
   * Creates the queue for `server` and starts listening with `options`, parking ("IO wait")
   * until the server listens.
   *
   * @param assign receives the queue at once (before any event can arrive).
   * @returns `owner`, once the server listens.
   * @throws the owner's wrapping (op "listen") of the listen error (EADDRINUSE, EACCES...).
   */
  static listen<T extends AcceptOwner>(server: Server, owner: T, options: ListenOptions, assign: (q: AcceptQueue) => void): Promise<T> {
    const q = new AcceptQueue(server, owner);
    assign(q);
    const s = q.server;
    s[kQueue] = q;
    s.on('connection', AcceptQueue.#onConnection);
    s.on('error', AcceptQueue.#onServerError);
    s.once('listening', AcceptQueue.#onListening);
    const w = pollWaiter();
    q.#listenWaiter = w;
    const p = pollWait<T>(w, 'IO wait');
    try {
      s.listen(options);
    } catch (err) {
      q.#error(err as NodeJS.ErrnoException);
    }
    return p;
  }

  /**
   * Accepts the next connection, parking until one arrives.
   *
   * @param raw true to get the raw node:net socket (its 'error' listener removed: the caller
   *   handles errors), false to get the owner's wrapped connection.
   * @throws the owner's wrapping of ErrClosed, ErrDeadlineExceeded or a non-temporary error.
   */
  accept(raw: boolean): Promise<unknown> {
    const w = pollWaiter(raw);
    const p = pollWait<unknown>(w, 'IO wait');
    if (this.#closed) pollReadyError(w, this.#owner[kOpError]('accept', ErrClosed));
    else if (this.#dlExpired) pollReadyError(w, this.#owner[kOpError]('accept', ErrDeadlineExceeded));
    else if (this.#err !== null) {
      const err = this.#err;
      this.#err = null;
      pollReadyError(w, this.#owner[kOpError]('accept', err));
    } else {
      this.#waiters.push(w);
      this.#deliver();
    }
    return p;
  }

  /** Hands queued sockets to parked acceptors while both exist and no back-off runs. */
  #deliver(): void {
    if (this.#backoffTimer !== null) return;
    while (this.#waiters.length > 0) {
      const s = this.#nextSocket();
      if (s === null) return;
      const w = this.#waiters.shift()!;
      this.#tempDelay = 0;
      if (pollData<boolean>(w)) {
        s.removeListener('error', onSocketError);
        pollReady(w, s);
      } else {
        pollReady(w, this.#owner[kNewConn](s));
      }
    }
  }

  /** The next live queued socket, or null. */
  #nextSocket(): Socket | null {
    const q = this.#queue;
    while (this.#head < q.length) {
      const s = q[this.#head];
      q[this.#head++] = undefined as unknown as Socket;
      if (this.#head === q.length) {
        q.length = 0;
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= q.length) {
        q.splice(0, this.#head);
        this.#head = 0;
      }
      if (!s.destroyed) return s;
    }
    return null;
  }

  /** A socket arrived. */
  #push(s: Socket): void {
    s.on('error', onSocketError);
    if (this.#closed) {
      s.destroy();
      return;
    }
    this.#queue.push(s);
    this.#deliver();
  }

  /** The server reported an error. */
  #error(err: NodeJS.ErrnoException): void {
    const lw = this.#listenWaiter;
    if (lw !== null) {
      this.#listenWaiter = null;
      this.server.removeListener('listening', AcceptQueue.#onListening);
      this.#closed = true;
      pollReadyError(lw, this.#owner[kOpError]('listen', err));
      return;
    }
    if (this.#closed) return;
    if (err.code !== undefined && TEMPORARY.has(err.code)) {
      this.tempErrors++;
      this.#tempDelay = this.#tempDelay === 0 ? BACKOFF_MIN_MS : Math.min(this.#tempDelay * 2, BACKOFF_MAX_MS);
      if (this.#backoffTimer === null) {
        this.#backoffTimer = setTimeout(AcceptQueue.#onBackoffEnd, this.#tempDelay, this);
        this.#backoffTimer.unref();
      }
      return;
    }
    const w = this.#waiters.shift();
    if (w !== null) pollReadyError(w, this.#owner[kOpError]('accept', err));
    else this.#err = err;
  }

  /** The server listens: the parked listen() call returns. */
  #listening(): void {
    const lw = this.#listenWaiter;
    if (lw === null) return;
    this.#listenWaiter = null;
    this.#owner[kListening]();
    pollReady(lw, this.#owner);
  }

  /**
   * Sets the accept deadline: parked and later accepts fail with ErrDeadlineExceeded once it
   * passes, until it is moved. 0 clears it.
   */
  setDeadline(at: number): void {
    if (this.#closed) throw this.#owner[kOpError]('set deadline', ErrClosed);
    if (this.#dlTimer !== null) {
      clearTimeout(this.#dlTimer);
      this.#dlTimer = null;
    }
    this.#dlAt = at;
    this.#dlExpired = false;
    if (at !== 0) this.#checkDeadline();
  }

  /** The accept deadline timer fired, or a deadline was set: fail the acceptors or re-arm. */
  #checkDeadline(): void {
    this.#dlTimer = null;
    if (this.#closed || this.#dlAt === 0) return;
    const d = this.#dlAt - Date.now();
    if (d > 0) {
      this.#dlTimer = setTimeout(AcceptQueue.#onDeadline, Math.min(d, MAX_TIMER_MS), this);
      this.#dlTimer.unref();
      return;
    }
    this.#dlExpired = true;
    this.#failAll(ErrDeadlineExceeded);
  }

  /** Fails every parked acceptor with `err` (wrapped for "accept"). */
  #failAll(err: Error): void {
    const q = this.#waiters;
    for (let w = q.shift(); w !== null; w = q.shift()) pollReadyError(w, this.#owner[kOpError]('accept', err));
  }

  /**
   * Stops listening: parked and later accepts fail with ErrClosed, connections accepted by Node
   * but not yet by a goroutine are closed. Connections already accepted are not affected.
   *
   * @returns false if it was already closed.
   */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    if (this.#dlTimer !== null) clearTimeout(this.#dlTimer);
    if (this.#backoffTimer !== null) clearTimeout(this.#backoffTimer);
    this.#dlTimer = this.#backoffTimer = null;
    this.#failAll(ErrClosed);
    let s: Socket | null;
    while ((s = this.#nextSocket()) !== null) s.destroy();
    this.server.close();
    return true;
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  // ---- listeners and timer callbacks (static: no closure per server) ----------------------

  static #onConnection(this: PolledServer, s: Socket): void {
    this[kQueue]!.#push(s);
  }

  static #onServerError(this: PolledServer, err: Error): void {
    this[kQueue]!.#error(err as NodeJS.ErrnoException);
  }

  static #onListening(this: PolledServer): void {
    this[kQueue]!.#listening();
  }

  static #onDeadline(q: AcceptQueue): void {
    q.#checkDeadline();
  }

  static #onBackoffEnd(q: AcceptQueue): void {
    q.#backoffTimer = null;
    if (!q.#closed) q.#deliver();
  }
}
