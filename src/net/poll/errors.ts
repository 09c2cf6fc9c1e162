/**
 * The poller's sentinel errors (Go's `internal/poll.ErrNetClosing` and
 * `os.ErrDeadlineExceeded`), and the error for an operation cancelled before it completed.
 *
 * The poller raises these bare; `src/net` wraps them in an `OpError` that names the operation and
 * the addresses, so callers compare causes by identity: `err.cause === ErrClosed`.
 *
 * Invariants: the sentinels are singletons; the codes are stable across releases, and
 * `netCodes.CANCELED` is the runtime's `codes.CANCELED` (one code for one meaning).
 *
 * @module
 */

import { StrandError, codes } from '../../runtime/errors.js';

/** Error codes of the net layer (stable across releases). */
export const netCodes = {
  /** An operation on a closed connection or listener. */
  CLOSED: 'STRAND_ERR_NET_CLOSED',
  /** A deadline passed (Go's `os.ErrDeadlineExceeded`, "i/o timeout"). */
  TIMEOUT: 'STRAND_ERR_NET_TIMEOUT',
  /** The operating system reported an error (see `OpError.errno`: ECONNRESET, EPIPE...). */
  SYSCALL: 'STRAND_ERR_NET_SYSCALL',
  /** A malformed or unsupported address. */
  ADDR: 'STRAND_ERR_NET_ADDR',
  /** An unknown network name (not tcp, tcp4, tcp6 or unix). */
  UNKNOWN_NETWORK: 'STRAND_ERR_NET_UNKNOWN_NETWORK',
  /**
   * A TLS handshake failed (the peer sent an alert, spoke no TLS, closed or reset the
   * connection during the handshake): the cause of the `OpError` is a `TLSHandshakeError`.
   */
  TLS_HANDSHAKE: 'STRAND_ERR_NET_TLS_HANDSHAKE',
  /**
   * A TLS handshake failed because the peer's certificate was refused (unknown authority, wrong
   * name, expired...): the cause is a `TLSHandshakeError` whose `reason` is Node's code
   * (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`, `CERT_HAS_EXPIRED`...).
   */
  TLS_CERT: 'STRAND_ERR_NET_TLS_CERT',
  /** A TLS configuration strand cannot use (a listener without a certificate...). */
  TLS_CONFIG: 'STRAND_ERR_NET_TLS_CONFIG',
  /** An operation cancelled by a context or an AbortSignal (the runtime's code, shared). */
  CANCELED: codes.CANCELED,
} as const;

/**
 * `use of closed network connection`: the cause of every operation on a connection or listener
 * after `close()`, including operations parked when it was closed (Go's `net.ErrClosed`).
 */
export const ErrClosed: StrandError = new StrandError(netCodes.CLOSED, 'use of closed network connection');

/**
 * `i/o timeout`: the cause of an operation that failed because a deadline passed (Go's
 * `os.ErrDeadlineExceeded`).
 */
export const ErrDeadlineExceeded: StrandError = new StrandError(netCodes.TIMEOUT, 'i/o timeout');

/**
 * `operation was canceled`: the cause of a dial stopped by its context or signal. `cause` holds
 * the context's error or the signal's reason.
 */
export function errCanceled(reason: unknown): StrandError {
  return new StrandError(netCodes.CANCELED, 'operation was canceled', { cause: reason });
}
