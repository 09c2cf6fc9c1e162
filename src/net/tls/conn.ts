/**
 * TLSConn: a `Conn` over TLS (Go's `tls.Conn`). Reads, writes, deadlines, half-close and close
 * are the Conn's own — a node:tls socket is a `net.Socket` subclass whose 'data' is decrypted,
 * so the netpoller polls it as any socket (flow control included: pausing it stops the TLS
 * layer reading the TCP socket). What TLS adds:
 *
 * - **A lazy handshake, as Go's.** Nothing waits for the handshake until a call needs it: a
 *   read parks until decrypted data arrives (which is after the handshake); a write is queued by
 *   Node until the handshake is done; {@link TLSConn.handshake} waits for it explicitly. The
 *   read deadline (set by `setDeadline` or `setReadDeadline`) bounds it, as the conn's
 *   deadlines bound Go's.
 * - **Typed handshake errors.** Any error the poller reports before the handshake completed
 *   (an alert, a refused certificate, a reset, end of stream) becomes an `OpError` naming both
 *   ends whose cause is a `TLSHandshakeError` (code `STRAND_ERR_NET_TLS_HANDSHAKE` or
 *   `STRAND_ERR_NET_TLS_CERT`). A failed `handshake()` is sticky: later calls fail the same way.
 * - `closeWrite()` sends TLS close_notify, then the TCP FIN (the peer reads end of stream and
 *   may still write back: Node keeps TLS connections half-open as strand asks).
 *
 * Invariant: `#hsErr` is set once, by the first failed `handshake()`; the poller's `handshaking`
 * bit is what says whether the handshake completed.
 *
 * @module
 */

import type { TLSSocket } from 'node:tls';
import { StrandError } from '../../runtime/index.js';
import { Conn } from '../conn.js';
import { OpError, TLSHandshakeError } from '../errors.js';
import type { Addr } from '../netaddr.js';
import { kFD, kNewTLS } from '../_symbols.js';
import { kOpError } from '../poll/_symbols.js';

/** What a completed handshake agreed on (Go's `tls.ConnectionState`, the common fields). */
export interface ConnectionState {
  /** Whether the handshake completed. */
  handshakeComplete: boolean;
  /** "TLSv1.3", "TLSv1.2"..., or "" before the handshake. */
  version: string;
  /** The cipher suite's OpenSSL name ("TLS_AES_256_GCM_SHA384"), or "". */
  cipherSuite: string;
  /** The ALPN protocol agreed on, or "" (Go's `NegotiatedProtocol`). */
  negotiatedProtocol: string;
  /** The SNI name: the one a client sent (server side) or asked for (client side), or "". */
  serverName: string;
  /** The peer's leaf certificate as Node describes it, or null (none, or before the handshake). */
  peerCertificate: ReturnType<TLSSocket['getPeerCertificate']> | null;
}

/** The error of a handshake that met end of stream. */
function eof(): Error {
  return new Error('EOF');
}

/**
 * A TLS connection (Go's `tls.Conn`): a {@link Conn} whose bytes are encrypted, with a lazy
 * handshake. Get one from `tls.dial` (handshake done) or from a `tls.listen` listener's
 * `accept()` (handshake still to come: the first read, or {@link handshake}, waits for it).
 *
 * @example
 * ```ts
 * const conn = (await ln.accept()) as TLSConn;
 * conn.setDeadline(Date.now() + 5_000);
 * await conn.handshake(); // fails with OpError (cause TLSHandshakeError) or a timeout
 * ```
 */
export class TLSConn extends Conn {
  readonly #client: boolean;
  #hsErr: Error | null = null;

  /** @internal How tls.dial and the TLS listener make one. */
  static [kNewTLS](socket: TLSSocket, net: string, dialed: boolean, laddr: Addr | null): TLSConn {
    return new TLSConn(socket, net, dialed, laddr);
  }

  private constructor(socket: TLSSocket, net: string, dialed: boolean, laddr: Addr | null) {
    super(socket, net, null, dialed, laddr);
    this.#client = dialed;
    this[kFD].watchHandshake(dialed);
  }

  /** The node:tls socket (for what strand does not wrap: session tickets, renegotiation...). */
  get tlsSocket(): TLSSocket {
    return this[kFD].socket as TLSSocket;
  }

  /**
   * Runs (waits for) the handshake if it has not completed yet (Go's `Handshake`). Parks ("IO
   * wait") until it completes; the read deadline bounds it. Returns at once afterwards.
   *
   * @throws OpError (op "handshake") — cause a `TLSHandshakeError` (code
   *   `STRAND_ERR_NET_TLS_HANDSHAKE`/`STRAND_ERR_NET_TLS_CERT`), `ErrDeadlineExceeded`,
   *   `ErrClosed`. A failure is sticky.
   */
  handshake(): void | Promise<void> {
    if (this.#hsErr !== null) throw this.#hsErr;
    let r: number | null | Promise<number | null>;
    try {
      r = this[kFD].handshake();
    } catch (err) {
      throw this.#failed(err);
    }
    if (r === 0) return;
    if (r === null) throw this.#failed(this[kOpError]('handshake', eof()));
    return this.#wait(r as Promise<number | null>);
  }

  async #wait(p: Promise<number | null>): Promise<void> {
    let r: number | null;
    try {
      r = await p;
    } catch (err) {
      throw this.#failed(err);
    }
    if (r === null) throw this.#failed(this[kOpError]('handshake', eof()));
  }

  /** Makes `err` the sticky handshake error, with op "handshake". */
  #failed(err: unknown): unknown {
    if (err instanceof OpError && err.op !== 'handshake') err = new OpError('handshake', err.net, err.source, err.addr, err.cause);
    this.#hsErr = err as Error;
    return err;
  }

  /** What the handshake agreed on (Go's `ConnectionState`). */
  connectionState(): ConnectionState {
    const s = this.tlsSocket;
    const done = !this[kFD].handshaking;
    const cert = done ? s.getPeerCertificate() : null;
    return {
      handshakeComplete: done,
      version: done ? (s.getProtocol() ?? '') : '',
      cipherSuite: done ? (s.getCipher()?.name ?? '') : '',
      negotiatedProtocol: done && typeof s.alpnProtocol === 'string' ? s.alpnProtocol : '',
      serverName: (this.#client ? (s as TLSSocket & { servername?: string }).servername : (s as TLSSocket & { servername?: string | false }).servername) || '',
      peerCertificate: cert !== null && Object.keys(cert).length > 0 ? cert : null,
    };
  }

  /** @internal The netpoller's callback: before the handshake completed, a failure is a handshake error. */
  override [kOpError](op: string, cause: Error): Error {
    if (this[kFD].handshaking && !(cause instanceof StrandError)) cause = new TLSHandshakeError(cause);
    return super[kOpError](op, cause);
  }
}
