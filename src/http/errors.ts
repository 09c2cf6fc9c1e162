/**
 * Errors raised by the HTTP layer, and its one table of codes. Every error src/http throws has a
 * stable `code` from {@link httpCodes} and a message that starts with `http:`, as Go's net/http
 * errors do. Other files build their errors with the helpers below (or the classes, with a code
 * from the table); no code string is written anywhere else.
 *
 * @module
 */

import { StrandError, codes } from '../runtime/index.js';

/** Error codes of the HTTP layer. */
export const httpCodes = {
  /** The server was shut down or closed (Go's `http.ErrServerClosed`). */
  SERVER_CLOSED: 'STRAND_ERR_SERVER_CLOSED',
  /**
   * The client went away before the response was finished: a `ResponseWriter.write` to a gone
   * client fails with {@link ErrClientGone} (Go's write error on a closed connection). Not a
   * panic: a handler that lets it escape is logged at debug level only.
   */
  CLIENT_GONE: 'STRAND_ERR_CLIENT_GONE',
  /**
   * A write parked on backpressure was abandoned because its request context was cancelled
   * (server shutdown, app close, a deadline): the connection is closed. The error's `cause` is
   * the context's cause (e.g. {@link ErrServerClosed}), so `errorIs(err, ErrServerClosed)` holds.
   * Logged at debug level only if it escapes the handler.
   */
  WRITE_CANCELED: 'STRAND_ERR_WRITE_CANCELED',
  /** A request body exceeded the server's `maxBodyBytes` (Go's `http.MaxBytesError`). */
  BODY_TOO_LARGE: 'STRAND_ERR_BODY_TOO_LARGE',
  /** A request or response body could not be read (aborted, malformed JSON...). */
  BODY: 'STRAND_ERR_BODY',
  /** An invalid ServeMux pattern. */
  PATTERN: 'STRAND_ERR_PATTERN',
  /** Two ServeMux patterns conflict (Go panics on such a registration). */
  PATTERN_CONFLICT: 'STRAND_ERR_PATTERN_CONFLICT',
  /** A write on a response that has already ended (its handler returned). */
  WRITE_AFTER_END: 'STRAND_ERR_WRITE_AFTER_END',
  /** The debug pages were asked to listen on an address that is not loopback (`listenDebug`). */
  NOT_LOOPBACK: 'STRAND_ERR_NOT_LOOPBACK',
  /**
   * A WebSocket upgrade was refused (not an upgrade request, a bad handshake, an origin not
   * allowed): the error's `statusCode` (400, 403, 426) is the response the client gets.
   */
  WS_HANDSHAKE: 'STRAND_ERR_WS_HANDSHAKE',
  /** A write on a WebSocket connection that is closed (by either side, or its context). */
  WS_CLOSED: 'STRAND_ERR_WS_CLOSED',
  /** A WebSocket read or write deadline passed. */
  WS_TIMEOUT: 'STRAND_ERR_WS_TIMEOUT',
  /** A client request failed (connection refused, reset, aborted...). */
  CLIENT: 'STRAND_ERR_HTTP_CLIENT',
  /**
   * An argument outside what the function accepts: a handler that is neither a function nor has
   * `serveHTTP`, a status code outside 100–999. The same code as the runtime's
   * `codes.INVALID_ARG`; the error is the `TypeError` or `RangeError` JavaScript users expect.
   */
  INVALID_ARG: codes.INVALID_ARG,
} as const;

/** Base class of every HTTP-layer error. */
export class HttpError extends StrandError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HttpError';
  }
}

/**
 * Raised by a request body reader when the body is longer than the server's `maxBodyBytes`.
 * A handler that lets it escape gets a `413 Payload Too Large` response (Go's `MaxBytesError`).
 */
export class MaxBytesError extends HttpError {
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  constructor(limit: number) {
    super(httpCodes.BODY_TOO_LARGE, `http: request body too large (limit ${limit} bytes; see the server's maxBodyBytes option)`);
    this.name = 'MaxBytesError';
    this.limit = limit;
  }
}

/**
 * An error from a client call (Go's `*url.Error`): `op` is the method as Go spells it ("Get"),
 * `url` the URL, and `cause` the underlying error — the context's `Canceled` or
 * `DeadlineExceeded` when the context ended the call.
 */
export class ClientError extends HttpError {
  readonly op: string;
  readonly url: string;

  constructor(op: string, url: string, cause: unknown) {
    super(httpCodes.CLIENT, `http: ${op} "${url}": ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ClientError';
    this.op = op;
    this.url = url;
  }
}

/**
 * Returned (resolved) by `serve` after `shutdown`/`close`, and the cause of every request context
 * cancelled because the server is shutting down (Go's `http.ErrServerClosed`).
 */
export const ErrServerClosed: HttpError = new HttpError(httpCodes.SERVER_CLOSED, 'http: Server closed');

/** The cause of a request context cancelled because the client disconnected. */
export const ErrClientGone: HttpError = new HttpError(httpCodes.CLIENT_GONE, 'http: client disconnected');

/**
 * @internal A write parked on backpressure, abandoned because the request context ended with
 * `cause`; the connection has been closed.
 */
export function errWriteCanceled(cause: Error | null): HttpError {
  const why = cause === null ? 'context canceled' : cause.message;
  return new HttpError(httpCodes.WRITE_CANCELED, `http: write canceled, connection closed: ${why}`, cause === null ? undefined : { cause });
}

/**
 * @internal Whether `err` is how a write reports a connection that is gone (client left, or a
 * parked write cancelled): an expected end of a response, not a handler bug.
 */
export function isConnGone(err: unknown): boolean {
  if (err === ErrClientGone) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof HttpError && (code === httpCodes.CLIENT_GONE || code === httpCodes.WRITE_CANCELED);
}

/** @internal The debug pages refuse a non-loopback address. */
export function errNotLoopback(addr: string): HttpError {
  return new HttpError(
    httpCodes.NOT_LOOPBACK,
    `http: debug address ${JSON.stringify(addr)} is not loopback: serve the debug pages on 127.0.0.1, [::1] or localhost only, never on a public address`,
  );
}

/** @internal A body error with the package prefix. */
export function errBody(message: string, cause?: unknown): HttpError {
  return new HttpError(httpCodes.BODY, `http: ${message}`, cause === undefined ? undefined : { cause });
}

/** @internal A write on a response whose handler already returned. */
export function errWriteAfterEnd(): HttpError {
  return new HttpError(httpCodes.WRITE_AFTER_END, 'http: write on a response that has ended (the handler already returned)');
}

/** @internal An invalid ServeMux pattern (Go panics likewise). */
export function errPattern(pattern: string, why: string): HttpError {
  return new HttpError(httpCodes.PATTERN, `http: parsing "${pattern}": ${why}`);
}

/** @internal A ServeMux registration that conflicts with a registered pattern. */
export function errPatternConflict(pattern: string, other: string, why: string): HttpError {
  return new HttpError(httpCodes.PATTERN_CONFLICT, `http: pattern "${pattern}" conflicts with pattern "${other}": ${why}`);
}

/** @internal `shutdown(ctx)` cut short by a context that ended without an error of its own. */
export function errShutdownInterrupted(): HttpError {
  return new HttpError(httpCodes.SERVER_CLOSED, 'http: shutdown interrupted');
}

/** @internal A handler argument that is neither a function nor an object with `serveHTTP` (a TypeError with a code). */
export function errInvalidHandler(): TypeError {
  return withCode(new TypeError('http: handler must be a function or an object with serveHTTP(w, r)'), httpCodes.INVALID_ARG);
}

/** @internal A status code outside 100–999 (a RangeError with a code). */
export function errInvalidStatus(code: number): RangeError {
  return withCode(new RangeError(`http: invalid WriteHeader code ${code}`), httpCodes.INVALID_ARG);
}

function withCode<E extends Error>(err: E, code: string): E & { readonly code: string } {
  return Object.assign(err, { code });
}

/**
 * A refused WebSocket upgrade (code `STRAND_ERR_WS_HANDSHAKE`). Not a panic: the server (and
 * Fastify, through `statusCode`) answers with `statusCode` and logs it at debug level.
 */
export class WebSocketHandshakeError extends HttpError {
  /** The HTTP status the client gets: 400 (bad handshake), 403 (origin), 426 (not an upgrade). */
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(httpCodes.WS_HANDSHAKE, `websocket: ${message}`);
    this.name = 'WebSocketHandshakeError';
    this.statusCode = statusCode;
  }
}

/** @internal A write on a closed WebSocket connection; `cause` says why it closed, if known. */
export function errWSClosed(cause?: unknown): HttpError {
  return new HttpError(httpCodes.WS_CLOSED, 'websocket: use of closed connection', cause === undefined ? undefined : { cause });
}

/** @internal A WebSocket deadline passed. */
export function errWSTimeout(op: 'read' | 'write'): HttpError {
  return new HttpError(httpCodes.WS_TIMEOUT, `websocket: ${op}: i/o timeout`);
}

/** @internal Two goroutines reading (or writing) one WebSocket connection at once. */
export function errWSConcurrent(op: 'read' | 'write'): HttpError {
  return new HttpError(codes.INVALID_ARG, `websocket: concurrent ${op}Message calls (one reader and one writer at a time)`);
}
