/**
 * Dialing (Go's `net.Dial`, `DialTimeout`, `Dialer.DialContext`).
 *
 * @module
 */

import type { NetConnectOpts, Socket } from 'node:net';
import { failNow } from './poll/now.js';
import { connect } from './poll/connect.js';
import { kNew } from './_symbols.js';
import { addrOf, parseAddr, type ParsedAddr } from './addr.js';
import { Conn } from './conn.js';
import { OpError } from './errors.js';
import type { Addr } from './netaddr.js';
import { kOpError, kNewConn } from './poll/_symbols.js';

/**
 * Something that can cancel a dial: strand's `Context` (its `signal` aborts when it is done), or
 * anything else with an AbortSignal.
 */
export interface DialContext {
  readonly signal: AbortSignal;
}

/** Options of {@link dial}. */
export interface DialOptions {
  /** Give up after this many ms (fails with an OpError whose `timeout()` is true). */
  timeout?: number;
  /** Give up when this signal aborts ("operation was canceled", or "i/o timeout" for a
   * TimeoutError / a context deadline). */
  signal?: AbortSignal;
  /** Give up when this context is done (as `signal`). */
  context?: DialContext;
}

/**
 * Connects to an address (Go's `net.Dial`; with `timeout`, `DialTimeout`; with `context`,
 * `Dialer.DialContext`). Parks the goroutine ("IO wait") until connected.
 *
 * @param network "tcp", "tcp4", "tcp6" or "unix".
 * @param address `host:port` ("127.0.0.1:7007", "[::1]:9000", "localhost:80") or a socket path.
 * @param opts `timeout` (ms), `signal`, `context`.
 * @returns the connection (TCP_NODELAY and 15 s keep-alive on, as Go's).
 * @throws OpError with op "dial": cause a system error (ECONNREFUSED...), `ErrDeadlineExceeded`
 *   on timeout, a canceled error (code STRAND_ERR_CANCELED, "operation was canceled"), or an
 *   AddrError for a bad address.
 * @example
 * ```ts
 * const [ctx, cancel] = withTimeout(background(), 2 * Second);
 * try { const conn = await dial('tcp', 'localhost:7007', { context: ctx }); ... } finally { cancel(); }
 * ```
 */
export function dial(network: string, address: string, opts: DialOptions = {}): Promise<Conn> {
  let p: ParsedAddr;
  try {
    p = parseAddr(network, address);
  } catch (err) {
    return failNow(new OpError('dial', network, null, null, err as Error));
  }
  const owner = new Dialing(p, addrOf(p, address));
  let options: NetConnectOpts;
  if (p.kind === 'unix') options = { path: p.path };
  else {
    options = { host: p.host === '' ? 'localhost' : p.host, port: p.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 15_000 };
    if (p.family !== 0) options.family = p.family;
  }
  let signal = opts.signal ?? null;
  const ctxSignal = opts.context?.signal ?? null;
  if (ctxSignal !== null) signal = signal === null ? ctxSignal : AbortSignal.any([signal, ctxSignal]);
  return connect(options, opts.timeout ?? 0, signal, owner) as Promise<Conn>;
}

/**
 * The netpoller's owner of one dial (its `DialOwner` interface names the two callbacks): turns
 * the dialed socket into a Conn and wraps dial errors.
 */
class Dialing {
  constructor(
    readonly p: ParsedAddr,
    readonly addr: Addr,
  ) {}

  [kNewConn](s: Socket): Conn {
    return Conn[kNew](s, this.p.net, this.p.kind === 'unix' ? this.p.path : null, true, null);
  }

  [kOpError](op: string, cause: Error): Error {
    return new OpError(op, this.p.net, null, this.addr, cause);
  }
}
