/**
 * Accepting a WebSocket (the server side of the upgrade), with `ws` doing the handshake.
 *
 * ## How an upgrade reaches a handler
 * node:http hands a request with `Upgrade:` to its 'upgrade' listeners, socket and all, instead
 * of answering it. strand's Server (and the Fastify plugin) listen to 'upgrade' and dispatch the
 * request through the same handler as any other, with a ResponseWriter on a ServerResponse that
 * owns the socket (built the way node:http builds one), and the socket and the bytes read past
 * the headers kept on the request (`kUpgrade`). So routing, ServeMux patterns, auth and session
 * checks all apply as usual. A handler that calls {@link accept} takes the connection over
 * (hijacks it: the writer no longer ends the response) and `ws` completes the handshake; a
 * handler that does not simply answers (404, 401...) and the connection is closed afterwards.
 *
 * ## Checks (before the 101)
 * - The request must be an upgrade to `websocket` (else 426 Upgrade Required) with a valid
 *   WebSocket handshake (else 400, ws's checks).
 * - Origin: a browser request (with `Origin`) must come from the same origin as `Host`, or from
 *   one listed in `allowOrigins` (`"*"` allows any), or pass `checkOrigin` — else 403 (the
 *   Cross-Site WebSocket Hijacking defence; clients without `Origin` are not browsers and pass).
 *
 * A refused upgrade throws a {@link WebSocketHandshakeError} whose `statusCode` the server (or
 * Fastify) answers with; it is not logged as a panic.
 *
 * @module
 */

import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Context } from '../../runtime/index.js';
import { WebSocketHandshakeError } from '../errors.js';
import type { Request } from '../request.js';
import type { ResponseWriter } from '../response.js';
import * as sym from '../_symbols.js';
import { DEFAULT_WRITE_BUFFER_BYTES, WebSocketConn } from './conn.js';

const kUpgrade: typeof sym.kUpgrade = sym.kUpgrade;
const kHijack: typeof sym.kHijack = sym.kHijack;

/** Default of `maxPayload`: 1 MiB per message (ws's own default is 100 MiB). */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** Options of {@link accept}. */
export interface AcceptOptions {
  /** The largest message accepted, in bytes; a bigger one closes the connection with 1009. Default 1 MiB. */
  maxPayload?: number;
  /** A writer parks once ws holds more than this many bytes. Default 1 MiB. */
  writeBufferBytes?: number;
  /** Ping the peer this often (ms) and drop it if the previous ping got no pong. Default 0 (off). */
  pingInterval?: number;
  /** Origins allowed besides the same origin, as hosts (`"app.example.com"`, `"localhost:5173"`) or `"*"`. */
  allowOrigins?: string[];
  /** Decides for origins that are neither the same origin nor in `allowOrigins`. */
  checkOrigin?: (origin: string, req: IncomingMessage) => boolean;
  /** Subprotocols this server speaks; the first the client offers that is listed is chosen. */
  protocols?: string[];
}

/** @internal What an 'upgrade' listener keeps on the request (`IncomingMessage[kUpgrade]`). */
export interface Upgrade {
  socket: Duplex;
  head: Buffer;
}

type UpgradeRequest = IncomingMessage & { [kUpgrade]?: Upgrade | null };

/**
 * @internal Makes the response an 'upgrade' listener dispatches an upgrade request with: a
 * ServerResponse on the socket, which ends the connection once it is sent (a handler that did
 * not accept). The socket gets an 'error' listener until ws takes it.
 */
export function upgradeResponse(req: IncomingMessage, socket: Duplex, head: Buffer): ServerResponse {
  (req as UpgradeRequest)[kUpgrade] = { socket, head };
  socket.on('error', ignore);
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', endSocket);
  return res;
}

function ignore(): void {}

function endSocket(this: ServerResponse): void {
  const s = this.socket;
  if (s !== null) {
    this.detachSocket(s);
    s.destroySoon();
  }
}

/**
 * Accepts a WebSocket upgrade inside a strand/http handler: checks the request (upgrade,
 * handshake, origin), answers 101 and returns the connection. It follows the request's
 * context: it closes (1001) when the handler returns or the server shuts down, so keep the
 * handler running for as long as the connection is used.
 *
 * @param w the handler's ResponseWriter (the connection is taken over: write nothing to it).
 * @param r the upgrade request.
 * @param opts limits, keepalive, origin rules, subprotocols.
 * @returns the connection.
 * @throws WebSocketHandshakeError (code `STRAND_ERR_WS_HANDSHAKE`) — `statusCode` 426 for a
 *   request that is not an upgrade, 400 for a bad handshake, 403 for an origin not allowed; the
 *   server answers with that status (let it propagate).
 * @example
 * ```ts
 * mux.handle('GET /ws', async (w, r) => {
 *   const ws = websocket.accept(w, r);
 *   for (let m = await ws.readMessage(); m !== null; m = await ws.readMessage()) await ws.writeMessage(m.type, m.data);
 * });
 * ```
 */
export function accept(w: ResponseWriter, r: Request, opts: AcceptOptions = {}): WebSocketConn {
  const c = acceptRaw(r.raw, w.raw, r.context(), opts);
  w[kHijack]();
  return c;
}

/** The client error ws reported during the last handleUpgrade (it reports synchronously). */
let clientError: Error | null = null;
function onClientError(err: Error): void {
  clientError = err;
}

/**
 * @internal {@link accept} on Node's request and response (the Fastify plugin's path): the
 * connection follows `ctx`.
 */
export function acceptRaw(req: IncomingMessage, res: ServerResponse, ctx: Context, opts: AcceptOptions): WebSocketConn {
  const up = (req as UpgradeRequest)[kUpgrade];
  if (up === undefined || up === null) throw new WebSocketHandshakeError(426, 'not a websocket upgrade request (Upgrade: websocket expected)');
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new WebSocketHandshakeError(426, `unsupported upgrade ${JSON.stringify(req.headers.upgrade)}`);
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(origin, req, opts)) throw new WebSocketHandshakeError(403, `origin ${JSON.stringify(origin)} not allowed`);
  const protocols = opts.protocols ?? [];
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (offered: Set<string>) => {
      for (const p of offered) if (protocols.includes(p)) return p;
      return false;
    },
  });
  wss.on('wsClientError', onClientError);
  let accepted: WebSocket | null = null;
  clientError = null;
  const socket = up.socket;
  if (res.socket === socket) res.detachSocket(socket as Socket);
  res.removeListener('finish', endSocket);
  wss.handleUpgrade(req, socket, up.head, (ws: WebSocket) => {
    accepted = ws;
  });
  (req as UpgradeRequest)[kUpgrade] = null;
  const ws = accepted as WebSocket | null;
  if (ws === null) {
    const err = clientError as Error | null;
    clientError = null;
    // Nothing was sent: answer 400 ourselves on the raw socket, as ws would have.
    if (!socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nBad Request\n');
    throw new WebSocketHandshakeError(400, err !== null ? err.message : 'handshake failed');
  }
  socket.removeListener('error', ignore);
  return WebSocketConn.open(ws, ctx, {
    writeBufferBytes: opts.writeBufferBytes ?? DEFAULT_WRITE_BUFFER_BYTES,
    pingInterval: opts.pingInterval ?? 0,
  });
}

/** Same origin as Host, or allowed by the options. */
function originAllowed(origin: string, req: IncomingMessage, opts: AcceptOptions): boolean {
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  if (host === (req.headers.host ?? '').toLowerCase()) return true;
  const allow = opts.allowOrigins;
  if (allow !== undefined && (allow.includes('*') || allow.some((a) => a.toLowerCase() === host))) return true;
  return opts.checkOrigin !== undefined && opts.checkOrigin(origin, req);
}
