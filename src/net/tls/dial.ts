/**
 * `tls.dial` (Go's `tls.Dial`, `tls.DialWithDialer`, `tls.Dialer.DialContext`): dials TCP through
 * the netpoller, wraps the socket with node:tls (`tls.connect({ socket })`) and completes the
 * handshake before returning, as Go's does. `timeout` and the signal/context bound the whole of
 * it, connect and handshake.
 *
 * @module
 */

import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { failNow } from '../poll/now.js';
import { connect } from '../poll/connect.js';
import { onSocketError } from '../poll/events.js';
import { errCanceled } from '../poll/errors.js';
import { addrOf, parseAddr, type ParsedAddr } from '../addr.js';
import type { DialOptions } from '../dial.js';
import { OpError } from '../errors.js';
import type { Addr } from '../netaddr.js';
import { kNewTLS } from '../_symbols.js';
import { kOpError, kNewConn } from '../poll/_symbols.js';
import { alpn, clientRejects, contextOptions, type Config } from './config.js';
import { TLSConn } from './conn.js';

/** Options of {@link dial}: a TLS {@link Config} and the dial's `timeout`, `signal`, `context`. */
export interface DialConfig extends Config, DialOptions {}

/** The netpoller's owner of one TLS dial: wraps the connected TCP socket with TLS. */
class TLSDialing {
  constructor(
    readonly p: ParsedAddr,
    readonly addr: Addr,
    readonly config: DialConfig,
  ) {}

  [kNewConn](raw: Socket): TLSConn {
    const c = this.config;
    const host = this.p.kind === 'tcp' ? (this.p.host === '' ? 'localhost' : this.p.host) : 'localhost';
    const name = c.serverName ?? c.servername ?? (isIP(host) === 0 ? host : undefined);
    const s: TLSSocket = tlsConnect({
      ...contextOptions(c, 'client'),
      socket: raw,
      host: name ?? host,
      servername: name,
      rejectUnauthorized: clientRejects(c),
      ALPNProtocols: alpn(c),
      // allowHalfOpen comes from the raw socket (strand's sockets are half-open).
      ...(c.checkServerIdentity !== undefined ? { checkServerIdentity: c.checkServerIdentity } : {}),
    });
    s.on('error', onSocketError);
    return TLSConn[kNewTLS](s, this.p.net, true, null);
  }

  [kOpError](op: string, cause: Error): Error {
    return new OpError(op, this.p.net, null, this.addr, cause);
  }
}

/**
 * Connects to `address` and completes a TLS handshake (Go's `tls.Dial`). Parks ("IO wait")
 * until the handshake is done.
 *
 * @param network "tcp", "tcp4", "tcp6" or "unix".
 * @param address `host:port`; the host is also the name the server's certificate must carry
 *   (and the SNI name) unless `serverName` says otherwise (an IP address is checked as an IP).
 * @param config TLS options (`rootCAs`/`ca` to trust a private CA...) and `timeout`, `signal`,
 *   `context`, which bound connect and handshake together.
 * @returns the connection, handshake done.
 * @throws OpError with op "dial": cause a system error, `ErrDeadlineExceeded`, a canceled error,
 *   or a `TLSHandshakeError` (code `STRAND_ERR_NET_TLS_CERT` for a refused certificate,
 *   `STRAND_ERR_NET_TLS_HANDSHAKE` otherwise).
 * @example
 * ```ts
 * const conn = await tls.dial('tcp', 'localhost:8443', { rootCAs: caPem, timeout: 5_000 });
 * ```
 */
export function dial(network: string, address: string, config: DialConfig = {}): Promise<TLSConn> {
  let p: ParsedAddr;
  try {
    p = parseAddr(network, address);
  } catch (err) {
    return failNow(new OpError('dial', network, null, null, err as Error));
  }
  const owner = new TLSDialing(p, addrOf(p, address), config);
  const options =
    p.kind === 'unix'
      ? { path: p.path }
      : { host: p.host === '' ? 'localhost' : p.host, port: p.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 15_000, ...(p.family !== 0 ? { family: p.family } : {}) };
  let signal = config.signal ?? null;
  const ctxSignal = config.context?.signal ?? null;
  if (ctxSignal !== null) signal = signal === null ? ctxSignal : AbortSignal.any([signal, ctxSignal]);
  const timeout = config.timeout ?? 0;
  const deadline = timeout > 0 ? Date.now() + timeout : 0;
  return handshake(connect(options, timeout, signal, owner) as Promise<TLSConn>, deadline, signal);
}

/** Completes the handshake of a dialed TLSConn within the dial's deadline and signal. */
async function handshake(dialing: Promise<TLSConn>, deadline: number, signal: AbortSignal | null): Promise<TLSConn> {
  const conn = await dialing;
  const onAbort = (): void => conn.close();
  if (signal !== null) signal.addEventListener('abort', onAbort, { once: true });
  if (deadline !== 0) conn.setReadDeadline(deadline);
  try {
    await conn.handshake();
  } catch (err) {
    conn.close();
    const e = err as OpError;
    const cause = signal !== null && signal.aborted ? errCanceled(signal.reason) : e.cause;
    throw new OpError('dial', e.net, e.source, e.addr, cause);
  } finally {
    if (signal !== null) signal.removeEventListener('abort', onAbort);
  }
  if (deadline !== 0) conn.setReadDeadline(0);
  return conn;
}
