/**
 * Errors of strand/net (the net, io and bufio packages), and the one table of their codes.
 *
 * - `OpError` (Go's `net.OpError`), `AddrError`, `UnknownNetworkError`, and the sentinels
 *   `ErrClosed` and `ErrDeadlineExceeded` (raised by the netpoller, which owns their codes).
 * - The sentinels of io (`ErrUnexpectedEOF`, `ErrShortWrite`) and bufio (`ErrBufferFull`,
 *   `ErrTooLong`, `ErrNegativeCount`, `ErrNoProgress`).
 * - The argument errors every file of the layer throws (`errInvalidArg`, `errInvalidDeadline`),
 *   with the runtime's code `STRAND_ERR_INVALID_ARG`.
 *
 * Every error thrown in src/net comes from this file and carries a stable `code` from
 * `netCodes`, `ioCodes` or `bufioCodes` below (or the runtime's `STRAND_ERR_INVALID_ARG`): no
 * other file writes a code string or throws a bare TypeError.
 *
 * Every error raised by a net operation is an `OpError` whose `cause` is either a sentinel
 * (compare by identity: `err.cause === ErrClosed`, or `errorIs(err, ErrClosed)`), an
 * `AddrError`, or the Node system error (`err.errno` gives its code: "ECONNRESET", "EPIPE"...).
 * Messages read like Go's, with the package prefix: `net: read tcp
 * 127.0.0.1:7000->127.0.0.1:51234: use of closed network connection`, `net: dial tcp
 * 127.0.0.1:1: connect: connection refused`.
 *
 * @module
 */

import { getSystemErrorMap } from 'node:util';
import { StrandError, codes } from '../runtime/index.js';
import { ErrClosed, ErrDeadlineExceeded, netCodes } from './poll/errors.js';
import type { Addr } from './netaddr.js';

export { ErrClosed, ErrDeadlineExceeded, netCodes };

// ---- the codes -------------------------------------------------------------------------------

/** Error codes of io. */
export const ioCodes = {
  UNEXPECTED_EOF: 'STRAND_ERR_UNEXPECTED_EOF',
  SHORT_WRITE: 'STRAND_ERR_SHORT_WRITE',
} as const;

/** Error codes of bufio. */
export const bufioCodes = {
  BUFFER_FULL: 'STRAND_ERR_BUFIO_BUFFER_FULL',
  TOO_LONG: 'STRAND_ERR_BUFIO_TOO_LONG',
  NO_PROGRESS: 'STRAND_ERR_BUFIO_NO_PROGRESS',
  NEGATIVE_COUNT: 'STRAND_ERR_BUFIO_NEGATIVE_COUNT',
} as const;

/** `OpError.code` when the cause is neither strand's (its code) nor the OS's (`SYSCALL`). */
const OTHER = 'STRAND_ERR_NET';

let errnoText: Map<number, [string, string]> | null = null;

/** Go-like text of a cause: "read: connection reset by peer", "i/o timeout". */
function causeText(cause: Error): string {
  if (cause instanceof StrandError) return cause.message.replace(/^net: /, '');
  const e = cause as NodeJS.ErrnoException;
  if (typeof e.errno === 'number' && typeof e.syscall === 'string') {
    errnoText ??= getSystemErrorMap();
    const text = errnoText.get(e.errno)?.[1];
    if (text !== undefined) return `${e.syscall}: ${text}`;
  }
  return cause.message;
}

/**
 * The error of a failed network operation (Go's `net.OpError`).
 *
 * `code` is the cause's code for strand causes (`STRAND_ERR_NET_CLOSED`,
 * `STRAND_ERR_NET_TIMEOUT`, `STRAND_ERR_CANCELED`, `STRAND_ERR_NET_ADDR`...),
 * `STRAND_ERR_NET_SYSCALL` for operating-system errors (see {@link OpError.errno}), and
 * `STRAND_ERR_NET` otherwise.
 *
 * @example
 * ```ts
 * try { await conn.read(buf); }
 * catch (err) {
 *   if (err instanceof OpError && err.timeout()) { ... }       // a deadline passed
 *   if (err instanceof OpError && err.cause === ErrClosed) { ... } // closed by us
 * }
 * ```
 */
export class OpError extends StrandError {
  /** The operation: "read", "write", "accept", "dial", "listen", "close", "set deadline". */
  readonly op: string;
  /** The network: "tcp", "tcp4", "tcp6", "unix". */
  readonly net: string;
  /** For a connection, its local address; null otherwise. */
  readonly source: Addr | null;
  /** The remote address of a connection, the listener's address, or the dialed address. */
  readonly addr: Addr | null;
  /** What went wrong: a sentinel, an AddrError or a Node system error. */
  declare readonly cause: Error;

  constructor(op: string, net: string, source: Addr | null, addr: Addr | null, cause: Error) {
    let where = `${op} ${net}`;
    if (addr !== null) where += source !== null && String(source) !== '' ? ` ${String(source)}->${String(addr)}` : ` ${String(addr)}`;
    else if (source !== null) where += ` ${String(source)}`;
    const code = cause instanceof StrandError ? cause.code : typeof (cause as NodeJS.ErrnoException).errno === 'number' ? netCodes.SYSCALL : OTHER;
    super(code, `net: ${where}: ${causeText(cause)}`, { cause });
    this.name = 'OpError';
    this.op = op;
    this.net = net;
    this.source = source;
    this.addr = addr;
  }

  /** Whether the operation failed because a deadline or timeout passed (Go's `Timeout()`). */
  timeout(): boolean {
    const c = this.cause as NodeJS.ErrnoException;
    return c === ErrDeadlineExceeded || c.code === 'ETIMEDOUT';
  }

  /** The operating system's error code ("ECONNRESET", "EPIPE", "EMFILE"...), if any. */
  get errno(): string | undefined {
    const c = this.cause as NodeJS.ErrnoException;
    return c instanceof StrandError ? undefined : typeof c.code === 'string' ? c.code : undefined;
  }
}

/** A malformed address (Go's `net.AddrError`): `address foo: missing port in address`. */
export class AddrError extends StrandError {
  /** What is wrong. */
  readonly err: string;
  /** The address as given. */
  readonly addr: string;

  constructor(err: string, addr: string) {
    super(netCodes.ADDR, `address ${addr}: ${err}`);
    this.name = 'AddrError';
    this.err = err;
    this.addr = addr;
  }
}

/** A network name other than tcp, tcp4, tcp6 or unix (Go's `net.UnknownNetworkError`). */
export class UnknownNetworkError extends StrandError {
  constructor(network: string) {
    super(netCodes.UNKNOWN_NETWORK, `unknown network ${network}`);
    this.name = 'UnknownNetworkError';
  }
}

/**
 * Node's codes for a refused peer certificate (OpenSSL's X509 verification results and Node's
 * own host-name check): a handshake that fails with one of them is a `TLS_CERT` error.
 */
const CERT_REASON = /^(?:ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_[A-Z_]+|[A-Z_]*CERT[A-Z_]*|HOSTNAME_MISMATCH)$/;

/**
 * A failed TLS handshake (the cause of the `OpError` a handshake, a read, a write or a dial
 * fails with before the handshake completed). `code` is `STRAND_ERR_NET_TLS_CERT` when the
 * peer's certificate was refused, `STRAND_ERR_NET_TLS_HANDSHAKE` otherwise; `reason` is Node's
 * code (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`,
 * `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`, `ECONNRESET`, `EOF`...), `cause` Node's error.
 *
 * @example
 * ```ts
 * try { await tls.dial('tcp', 'example.com:443', { rootCAs: myCA }); }
 * catch (err) { if (err instanceof OpError && err.code === netCodes.TLS_CERT) { ... } }
 * ```
 */
export class TLSHandshakeError extends StrandError {
  /** Node's (or OpenSSL's) code for what went wrong, or "EOF" for a peer that hung up. */
  readonly reason: string;

  /** @param cause Node's error (or an Error whose message is "EOF"). */
  constructor(cause: Error) {
    const reason = typeof (cause as NodeJS.ErrnoException).code === 'string' ? (cause as NodeJS.ErrnoException).code! : cause.message;
    const cert = CERT_REASON.test(reason);
    super(cert ? netCodes.TLS_CERT : netCodes.TLS_HANDSHAKE, `${cert ? 'tls: failed to verify certificate' : 'tls: handshake failed'}: ${cause.message}`, { cause });
    this.name = 'TLSHandshakeError';
    this.reason = reason;
  }
}

/** @internal A TLS configuration error (code `STRAND_ERR_NET_TLS_CONFIG`). */
export function errTLSConfig(message: string): StrandError {
  return new StrandError(netCodes.TLS_CONFIG, message);
}

// ---- io and bufio sentinels -----------------------------------------------------------------

/** `unexpected EOF`: the stream ended in the middle of something (Go's `io.ErrUnexpectedEOF`). */
export const ErrUnexpectedEOF: StrandError = new StrandError(ioCodes.UNEXPECTED_EOF, 'io: unexpected EOF');

/** `short write`: a Writer returned less than it was given (Go's `io.ErrShortWrite`). */
export const ErrShortWrite: StrandError = new StrandError(ioCodes.SHORT_WRITE, 'io: short write');

/** `bufio: buffer full`: `readSlice` or `peek` needed more than the buffer holds. */
export const ErrBufferFull: StrandError = new StrandError(bufioCodes.BUFFER_FULL, 'bufio: buffer full');
/** `bufio.Scanner: token too long`: a token (a line...) is longer than the Scanner's maximum. */
export const ErrTooLong: StrandError = new StrandError(bufioCodes.TOO_LONG, 'bufio.Scanner: token too long');
/** `bufio: negative count`. */
export const ErrNegativeCount: StrandError = new StrandError(bufioCodes.NEGATIVE_COUNT, 'bufio: negative count');
/** `multiple Read calls return no data or error`: a Reader that keeps returning 0. */
export const ErrNoProgress: StrandError = new StrandError(bufioCodes.NO_PROGRESS, 'bufio: multiple Read calls return no data or error');

// ---- argument errors --------------------------------------------------------------------------

/**
 * @internal An argument outside what the function accepts (code `STRAND_ERR_INVALID_ARG`, the
 * runtime's); the message starts with the package ("bufio: ...", "io: ...").
 */
export function errInvalidArg(message: string): StrandError {
  return new StrandError(codes.INVALID_ARG, message);
}

/**
 * @internal `net: invalid deadline` (a Date whose time is NaN): a TypeError, as it always was,
 * that also carries the code `STRAND_ERR_INVALID_ARG`.
 */
export function errInvalidDeadline(): TypeError & { readonly code: string } {
  return Object.assign(new TypeError('net: invalid deadline'), { code: codes.INVALID_ARG });
}

/**
 * Whether `err` is, or is an OpError caused by, `target` (a small `errors.Is` for net errors).
 *
 * @example if (errorIs(err, ErrClosed)) return; // the listener was closed: stop serving
 */
export function errorIs(err: unknown, target: Error): boolean {
  for (let e: unknown = err, i = 0; e != null && i < 8; i++) {
    if (e === target) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
