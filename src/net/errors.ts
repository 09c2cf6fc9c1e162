/**
 * Errors of the net package: `OpError` (Go's `net.OpError`), `AddrError`,
 * `UnknownNetworkError`, and the sentinels `ErrClosed` and `ErrDeadlineExceeded`.
 *
 * Every error raised by a net operation is an `OpError` whose `cause` is either a sentinel
 * (compare by identity: `err.cause === ErrClosed`), an `AddrError`, or the Node system error
 * (`err.errno` gives its code: "ECONNRESET", "EPIPE"...). Messages read like Go's, with the
 * package prefix: `net: read tcp 127.0.0.1:7000->127.0.0.1:51234: use of closed network
 * connection`, `net: dial tcp 127.0.0.1:1: connect: connection refused`.
 *
 * @module
 */

import { getSystemErrorMap } from 'node:util';
import { StrandError } from '../runtime/errors.js';
import { ErrClosed, ErrDeadlineExceeded, netCodes } from './poll/errors.js';
import type { Addr } from './addr.js';

export { ErrClosed, ErrDeadlineExceeded, netCodes };

/** Codes of errors that are not the net package's own (`OpError.code` for them). */
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
