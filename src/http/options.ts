/**
 * The options of an HTTP `Server` (Go's `http.Server` fields) and their defaults, one
 * constant each, so a test or a user can see the value the docs state.
 *
 * @module
 */

import type { tls } from '../net/index.js';
import type { HandlerLike } from './handler.js';
import type { Logger } from './logger.js';

/** Default of {@link ServerOptions.readHeaderTimeout}: 10 s. */
export const DEFAULT_READ_HEADER_TIMEOUT = 10_000;
/** Default of {@link ServerOptions.readTimeout}: 300 s (Node's `requestTimeout`). */
export const DEFAULT_READ_TIMEOUT = 300_000;
/** Default of {@link ServerOptions.idleTimeout}: 5 s (Node's `keepAliveTimeout`). */
export const DEFAULT_IDLE_TIMEOUT = 5_000;
/** Default of {@link ServerOptions.maxHeaderBytes}: 16 KiB (Node's `maxHeaderSize`). */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
/** Default of {@link ServerOptions.maxBodyBytes}: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Options of a {@link Server} (Go's `http.Server` fields). Durations are milliseconds.
 *
 * The defaults are chosen to be safe for a server on the open internet, not Go's zero values
 * (no limits) — see the table in the README:
 *
 * | option              | strand default | Go's default                   | Node's default            |
 * |---------------------|----------------|--------------------------------|---------------------------|
 * | `readHeaderTimeout` | 10 s           | none (`ReadTimeout` if set)    | 60 s (`headersTimeout`)   |
 * | `readTimeout`       | 300 s          | none                           | 300 s (`requestTimeout`)  |
 * | `writeTimeout`      | none           | none                           | none                      |
 * | `idleTimeout`       | 5 s            | `ReadTimeout`, else none       | 5 s (`keepAliveTimeout`)  |
 * | `maxHeaderBytes`    | 16 KiB         | 1 MiB                          | 16 KiB (`maxHeaderSize`)  |
 * | `maxBodyBytes`      | 1 MiB          | none (`MaxBytesReader`)        | none                      |
 */
export interface ServerOptions {
  /** The handler; default a 404 for everything. */
  handler?: HandlerLike;
  /**
   * Serve HTTPS (Go's `Server.TLSConfig`): `listenAndServe` then listens with strand/net's
   * `tls.listen` and this configuration (Node's tls options or Go's names: `certificates`,
   * `minVersion`...; ALPN defaults to `http/1.1`). `serve(listener)` serves the listener as it
   * is: give it a `tls.listen` listener to serve HTTPS there.
   */
  tls?: tls.Config;
  /** Address for `Server.listenAndServe` (":8080", "127.0.0.1:0"); default ":80". */
  addr?: string;
  /**
   * Time allowed to read the request headers; a client that is slower (slowloris) gets a 408 and
   * is disconnected. It also bounds how long a new connection may stay silent. 0 disables it.
   * Default: **10 s** ({@link DEFAULT_READ_HEADER_TIMEOUT}), or `readTimeout` if that is set and
   * shorter. Go's default is none; Node's 60 s.
   */
  readHeaderTimeout?: number;
  /**
   * Time allowed to read the whole request, body included. 0 disables it. Default **300 s**
   * (Node's `requestTimeout`; Go's default is none).
   */
  readTimeout?: number;
  /**
   * Time allowed from the start of the handler to the end of the response; when it passes, the
   * connection is closed. 0 (the default, as in Go and Node) disables it: a streaming handler
   * (SSE) would otherwise be cut. Slow readers are bounded by backpressure instead (a parked
   * write holds at most 16 KiB plus one chunk).
   */
  writeTimeout?: number;
  /**
   * How long an idle keep-alive connection is kept open (announced in `Keep-Alive: timeout=`).
   * Default **5 s** (Node's; Go's is `readTimeout`, else none). node:http closes the socket about
   * 1 s after it, so that clients always give up first.
   */
  idleTimeout?: number;
  /**
   * Largest accepted request header block, in bytes; larger gets a 431. Default **16 KiB**
   * (Node's; Go's is 1 MiB).
   */
  maxHeaderBytes?: number;
  /**
   * Largest request body a handler may read, in bytes: reading past it (`r.body.read`,
   * `readAll`, `text`, `json`) throws a `MaxBytesError`, which becomes a
   * `413 Payload Too Large` (and `Connection: close`) if the handler lets it escape; a declared
   * `Content-Length` over it fails the first read without reading anything. Default **1 MiB**
   * ({@link DEFAULT_MAX_BODY_BYTES}); pass a larger number (or `Infinity`) for uploads, and read
   * them with `r.body.read(buf)` to keep memory flat. Go's default is none (its
   * `http.MaxBytesReader` is per handler); Node's none.
   */
  maxBodyBytes?: number;
  /**
   * A pino logger for recovered handler errors and server events. Default: pino on stderr at level
   * `STRAND_LOG_LEVEL` or "info" (see `defaultLogger`); pass `pino({ level: 'silent' })` to mute.
   * A handler error is logged at error level ("http: panic serving ip:port: ..."); a write to a
   * client that left (`STRAND_ERR_CLIENT_GONE`, `STRAND_ERR_WRITE_CANCELED`) escaping a handler is
   * not a panic and is logged at debug level only.
   */
  logger?: Logger;
}

