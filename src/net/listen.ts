/**
 * Listening (Go's `net.Listen`, `net.Listener`): a thin user of the netpoller's AcceptQueue.
 *
 * Internals: the queue is `ln[kAcceptQueue]` (see `_symbols.ts`: `listen` sets it, tests read
 * its counters); the rest of a Listener's state is `#private`, and its constructor is private
 * (`listen` uses the static `Listener[kNew]`). The `@internal` methods `[kNewConn]`, `[kOpError]`
 * and `[kListening]` are the netpoller's callbacks (its `AcceptOwner` interface names them),
 * called by src/net/poll only.
 *
 * ## Under strand/procs (one program, N processes)
 * net does not import the procs layer above it; the two cooperate through the process itself:
 * - `STRAND_PROCS_SHARE=reusePort` in the environment (the procs supervisor sets it for its
 *   workers on Node lines that have `reusePort`, Linux only) makes a TCP listen on a fixed port
 *   bind with SO_REUSEPORT, so every worker owns its own accept queue and the kernel spreads
 *   connections. Port 0 keeps Node's cluster sharing (the primary picks one port for all workers).
 *   Elsewhere node:cluster's shared handle already makes `listen` work in a worker.
 * - every listener that starts listening is published on the diagnostics channel
 *   {@link LISTEN_CHANNEL} (`{ addr }`), which is how a supervisor learns that a worker is up.
 *
 * @module
 */

import { channel } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { createServer, type ListenOptions, type Socket } from 'node:net';
import { failNow } from './poll/now.js';
import { AcceptQueue } from './poll/accept.js';
import { kAcceptQueue, kNew } from './_symbols.js';
import { TCPAddr, UnixAddr, addrOf, parseAddr, type ParsedAddr } from './addr.js';
import { Conn, deadlineMs, displayPath, type Deadline } from './conn.js';
import { ErrClosed, OpError } from './errors.js';
import type { Addr } from './netaddr.js';
import { kOpError, kNewConn, kListening } from './poll/_symbols.js';

/**
 * The `node:diagnostics_channel` name on which every strand listener is published (message:
 * `{ addr: Addr }`) once it is listening. Publishing costs nothing without a subscriber.
 */
export const LISTEN_CHANNEL = 'strand:net:listen';
const listenChannel = channel(LISTEN_CHANNEL);

/**
 * Whether a TCP listen on a fixed port binds with SO_REUSEPORT: set by strand/procs for its
 * workers (see the module comment). Read at each listen (a worker's environment is fixed).
 */
function reusePort(): boolean {
  return process.env.STRAND_PROCS_SHARE === 'reusePort';
}

/** Go's listen backlog: the kernel's limit (`/proc/sys/net/core/somaxconn`), 511 if unknown. */
let backlog = 0;
function maxBacklog(): number {
  if (backlog === 0) {
    try {
      backlog = Math.max(1, Math.min(65535, Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim()) || 511));
    } catch {
      backlog = 511;
    }
  }
  return backlog;
}

/**
 * @internal What a TLS listener (src/net/tls) adds to a Listener: each accepted socket is wrapped
 * (a server-side TLSSocket) before it becomes a Conn or is handed out raw.
 */
export interface SocketWrapper {
  /** Wraps an accepted raw socket (keeping an 'error' listener on it). */
  socket(raw: Socket): Socket;
  /** Makes the Conn of a wrapped socket. */
  conn(s: Socket, net: string, laddr: Addr | null): Conn;
}

/**
 * A listening socket (Go's `net.Listener`). Accept connections one at a time with
 * {@link accept}, or iterate: `for await (const conn of ln)` ends when the listener is closed.
 *
 * @example
 * ```ts
 * const ln = await listen('tcp', '127.0.0.1:7007');
 * for await (const conn of ln) go(serve, conn);
 * ```
 */
export class Listener implements AsyncIterable<Conn> {
  /** @internal The netpoller's queue; set by {@link listen} before any event can arrive. */
  [kAcceptQueue]!: AcceptQueue;
  /** "tcp", "tcp4", "tcp6" or "unix". Set once. */
  readonly #net: string;
  /** Unix socket path, or null for TCP. Set once. */
  readonly #path: string | null;
  /** The address as given, then (from `[kListening]`) the one actually bound. */
  #addr: Addr;
  /** `#addr` when it names one local address (the local address of every conn), else null. */
  #specific: Addr | null = null;
  /** Wraps accepted sockets (a TLS listener), or null. Set once. */
  readonly #wrap: SocketWrapper | null;

  /** @internal How {@link listen} makes a Listener. */
  static [kNew](net: string, path: string | null, addr: Addr, wrap: SocketWrapper | null = null): Listener {
    return new Listener(net, path, addr, wrap);
  }

  private constructor(net: string, path: string | null, addr: Addr, wrap: SocketWrapper | null) {
    this.#net = net;
    this.#path = path;
    this.#addr = addr;
    this.#wrap = wrap;
  }

  /** The address it listens on (with the actual port when port 0 was asked for). */
  get addr(): Addr {
    return this.#addr;
  }

  /**
   * Waits for the next connection (parks, "IO wait") and returns it. Connections are handed out
   * in arrival order; several goroutines may accept at once.
   *
   * Running out of file descriptors (EMFILE/ENFILE) never fails accept: the listener backs off
   * (5 ms, doubling up to 1 s, as Go's net/http) and keeps serving.
   *
   * @returns the connection.
   * @throws OpError — cause `ErrClosed` once {@link close} was called (also for a parked accept),
   *   `ErrDeadlineExceeded` once the accept deadline passed.
   */
  accept(): Promise<Conn> {
    return this[kAcceptQueue].accept(false) as Promise<Conn>;
  }

  /**
   * Like {@link accept}, but hands over the raw `node:net` Socket instead of a Conn, for layers
   * that give sockets to Node's own machinery (strand/http passes them to node:http). The socket
   * comes without strand's listeners: from then on the caller handles its 'error' events.
   * Same closed, deadline and EMFILE back-off behaviour as {@link accept}.
   *
   * @returns the socket (created with `allowHalfOpen: true`, TCP_NODELAY and keep-alive on).
   */
  acceptSocket(): Promise<Socket> {
    const p = this[kAcceptQueue].accept(true) as Promise<Socket>;
    const w = this.#wrap;
    // A TLS listener hands out the server-side TLSSocket (its handshake still to come).
    return w === null ? p : p.then((s) => w.socket(s));
  }

  /**
   * Stops listening (a Unix socket's file is removed). Parked and later accepts fail with
   * `ErrClosed`; connections already accepted stay open. Closing twice does nothing.
   */
  close(): void {
    this[kAcceptQueue].close();
  }

  /**
   * Stops listening when an `await using` scope ends, as {@link close} does (Go's
   * `defer ln.Close()`): later dials are refused, parked and later accepts fail with
   * `ErrClosed`, accepted connections stay open. Resolves at once.
   *
   * @example
   * ```ts
   * await using ln = await listen('tcp', '127.0.0.1:0');
   * const conn = await ln.accept();
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /**
   * Sets the accept deadline: once it passes, parked and later accepts fail with
   * `ErrDeadlineExceeded` until it is moved. 0/undefined clears it.
   */
  setDeadline(t: Deadline): void {
    this[kAcceptQueue].setDeadline(deadlineMs(t));
  }

  /** Accepts until the listener is closed (then the iteration ends); other errors throw. */
  async *[Symbol.asyncIterator](): AsyncIterator<Conn> {
    for (;;) {
      let c: Conn;
      try {
        c = await this.accept();
      } catch (err) {
        if (err instanceof OpError && err.cause === ErrClosed) return;
        throw err;
      }
      yield c;
    }
  }

  /** @internal The netpoller's callback: wraps an accepted socket. */
  [kNewConn](s: Socket): Conn {
    const w = this.#wrap;
    if (w !== null) return w.conn(w.socket(s), this.#net, this.#specific);
    return Conn[kNew](s, this.#net, this.#path, false, this.#specific);
  }

  /** @internal The netpoller's callback: wraps its errors (see {@link OpError}). */
  [kOpError](op: string, cause: Error): Error {
    return new OpError(op, this.#net, null, this.#addr, cause);
  }

  /** @internal The netpoller's callback: the server is listening; learn the actual address. */
  [kListening](): void {
    const a = this[kAcceptQueue].server.address();
    if (a !== null && typeof a === 'object') {
      const addr = new TCPAddr(a.address, a.port);
      this.#addr = addr;
      if (addr.ip !== '0.0.0.0' && addr.ip !== '::') this.#specific = addr;
    }
    else if (typeof a === 'string') this.#addr = new UnixAddr(displayPath(a));
    if (listenChannel.hasSubscribers) listenChannel.publish({ addr: this.#addr });
  }
}

/**
 * Listens on a local address (Go's `net.Listen`).
 *
 * @param network "tcp" (IPv4 and IPv6), "tcp4", "tcp6" or "unix".
 * @param address for TCP, `host:port`: ":8080" (every interface), "127.0.0.1:0" (a free port,
 *   see `ln.addr`), "[::1]:9000", "localhost:8080"; for "unix", a socket path ("@name" is a Linux
 *   abstract socket).
 * @returns the listener, once listening.
 * @throws OpError with op "listen": cause an AddrError / UnknownNetworkError for a bad address,
 *   or the system error (EADDRINUSE, EACCES...).
 * @example
 * ```ts
 * const ln = await listen('tcp', ':8080');
 * console.log(`listening on ${ln.addr}`);
 * ```
 */
export function listen(network: string, address: string): Promise<Listener> {
  return listenWith(network, address, null);
}

/** @internal {@link listen}, with accepted sockets wrapped by `wrap` (a TLS listener). */
export function listenWith(network: string, address: string, wrap: SocketWrapper | null): Promise<Listener> {
  let p: ParsedAddr;
  try {
    p = parseAddr(network, address);
  } catch (err) {
    return failNow(new OpError('listen', network, null, null, err as Error));
  }
  const ln = Listener[kNew](p.net, p.kind === 'unix' ? p.path : null, addrOf(p, address), wrap);
  const server = createServer({ allowHalfOpen: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: 15_000 });
  let opts: ListenOptions;
  if (p.kind === 'unix') {
    opts = { path: p.path, backlog: maxBacklog() };
  } else {
    const host = p.host !== '' ? p.host : p.family === 4 ? '0.0.0.0' : p.family === 6 ? '::' : undefined;
    opts = { host, port: p.port, backlog: maxBacklog(), ipv6Only: p.family === 6 };
    // Node ≥ 22.12 / 23.1; a reusePort listen in a cluster worker binds in the worker itself.
    if (p.port !== 0 && reusePort()) (opts as ListenOptions & { reusePort?: boolean }).reusePort = true;
  }
  return AcceptQueue.listen(server, ln, opts, (q) => (ln[kAcceptQueue] = q));
}
