/**
 * WebSocketConn: one WebSocket connection (the `ws` package does the framing, masking, UTF-8
 * checks, ping answers and the closing handshake) seen through blocking-style calls:
 * `readMessage()` parks until a message arrives, `writeMessage()` parks while the peer does not
 * read. It parks through the HTTP layer's seam (`_wait.ts`, wait reason "IO wait").
 *
 * ## Flow control and bounds
 * - Reading: a message that arrives while no goroutine reads is queued and the socket paused
 *   (`ws.pause()`), so TCP pushes back on the peer; messages already parsed from the last chunk
 *   are queued too. The queue therefore holds at most one socket chunk's worth of messages plus
 *   one message of at most `maxPayload` bytes (ws closes with 1009 beyond it).
 * - Writing: `writeMessage` hands the message to ws at once; when ws's queue
 *   (`bufferedAmount`) would exceed `writeBufferBytes`, the writer parks until that message has
 *   been handed to the kernel (ws's send callback). Memory per connection stays under the bound
 *   plus one message.
 *
 * ## Ends
 * The connection ends when the peer closes (its code and reason are kept: `closeCode`,
 * `closeReason`), when {@link WebSocketConn.close} is called, when the socket fails, or when the
 * context it follows (the request's: the handler returned, the server shuts down) is done —
 * then it closes with 1001 ("going away"). From then on `readMessage` returns what was queued,
 * then `null`; `writeMessage` fails with `STRAND_ERR_WS_CLOSED`.
 *
 * Invariants (single JS thread; fields touched by this class and its module-level listeners):
 * - `#rparked`/`#wparked` are set exactly while a goroutine is parked on `#rio`/`#wio`; whoever
 *   readies it clears the flag first.
 * - `#rparked` implies `#q` is empty; once `#ended`, no goroutine stays parked.
 *
 * @module
 */

import type { WebSocket } from 'ws';
import { type Context, context as ctxpkg } from '../../runtime/index.js';
import { IOWait, immediate } from '../_wait.js';
import { errWSClosed, errWSConcurrent, errWSTimeout } from '../errors.js';

/** A message: text (a string) or binary (a Buffer). */
export type Message = { type: 'text'; data: string } | { type: 'binary'; data: Buffer };
/** The type of a message. */
export type MessageType = Message['type'];

/** Default of `writeBufferBytes`: 1 MiB queued in ws before a writer parks. */
export const DEFAULT_WRITE_BUFFER_BYTES = 1024 * 1024;
/** The largest delay Node's timers accept. */
const MAX_TIMER_MS = 0x7fffffff;

const kConn = Symbol('strand.ws.conn');
type ConnWS = WebSocket & { [kConn]?: WebSocketConn };

/** @internal How the connection is set up (accept.ts). */
export interface ConnSetup {
  /** Park a writer once ws holds more than this many bytes. */
  writeBufferBytes: number;
  /** Send a ping this often (ms) and drop a peer that did not answer the previous one; 0 = off. */
  pingInterval: number;
}

/**
 * A WebSocket connection with blocking-style reads and writes. One goroutine may read and one
 * may write at the same time (as gorilla/websocket); a second concurrent reader (or writer) is
 * an error.
 *
 * @example
 * ```ts
 * const ws = websocket.accept(w, r);
 * for (let m = await ws.readMessage(); m !== null; m = await ws.readMessage()) {
 *   await ws.writeMessage(m.type, m.data); // echo
 * }
 * ```
 */
export class WebSocketConn {
  readonly #ws: ConnWS;
  readonly #setup: ConnSetup;
  readonly #q: Message[] = [];
  #qHead = 0;
  readonly #rio = new IOWait();
  readonly #wio = new IOWait();
  #rparked = false;
  #wparked = false;
  #paused = false;
  /** No more messages will come (closed by either side, failed, or the context ended). */
  #ended = false;
  #endCause: unknown = undefined;
  #closeCode = 0;
  #closeReason = '';
  #rdl = 0;
  #wdl = 0;
  #rExpired = false;
  #wExpired = false;
  #rTimer: NodeJS.Timeout | null = null;
  #wTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #alive = true;
  readonly #stopCtx: () => boolean;

  /** @internal How `websocket.accept` makes one (users never construct a WebSocketConn). */
  static open(ws: WebSocket, ctx: Context, setup: ConnSetup): WebSocketConn {
    return new WebSocketConn(ws, ctx, setup);
  }

  private constructor(ws: WebSocket, ctx: Context, setup: ConnSetup) {
    this.#ws = ws as ConnWS;
    this.#setup = setup;
    this.#ws[kConn] = this;
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
    ws.on('pong', onPong);
    this.#stopCtx = ctxpkg.afterFunc(ctx, () => this.#onContextDone(ctx));
    if (setup.pingInterval > 0) {
      this.#pingTimer = setInterval(onPingTick, setup.pingInterval, this);
      this.#pingTimer.unref();
    }
  }

  /** The negotiated subprotocol, or "". */
  get protocol(): string {
    return this.#ws.protocol;
  }

  /**
   * The close code the peer sent (1000, 1001...; 1005 none, 1006 abnormal: the connection
   * dropped or was terminated), or 0 while open (and after our own `close()` until the peer's
   * close frame arrives).
   */
  get closeCode(): number {
    return this.#closeCode;
  }

  /** The close reason the peer sent, or "". */
  get closeReason(): string {
    return this.#closeReason;
  }

  /** Bytes queued in ws, not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /**
   * Reads the next message, parking ("IO wait") until one arrives.
   *
   * @returns the message, or `null` once the connection ended (see `closeCode`).
   * @throws HttpError `STRAND_ERR_WS_TIMEOUT` once the read deadline passed;
   *   `STRAND_ERR_INVALID_ARG` if another goroutine is reading.
   */
  readMessage(): Message | null | Promise<Message | null> {
    if (this.#rExpired) throw errWSTimeout('read');
    if (this.#rparked) throw errWSConcurrent('read');
    const q = this.#q;
    if (this.#qHead < q.length) {
      const m = q[this.#qHead]!;
      q[this.#qHead++] = undefined as unknown as Message;
      if (this.#qHead === q.length) {
        q.length = 0;
        this.#qHead = 0;
        if (this.#paused && !this.#ended) {
          this.#paused = false;
          this.#ws.resume();
        }
      }
      return immediate(m);
    }
    if (this.#ended) return immediate(null);
    this.#rparked = true;
    if (this.#paused) {
      this.#paused = false;
      this.#ws.resume();
    }
    return this.#rio.wait<Message | null>();
  }

  /**
   * Sends a message. Returns once ws has it queued and its queue is under `writeBufferBytes`;
   * otherwise parks ("IO wait") until this message has been handed to the kernel
   * (backpressure: a peer that does not read parks the writer).
   *
   * @param type "text" (a string, or bytes that are UTF-8) or "binary".
   * @param data the payload.
   * @throws HttpError `STRAND_ERR_WS_CLOSED` on an ended connection (also for a parked write when
   *   it ends), `STRAND_ERR_WS_TIMEOUT` once the write deadline passed;
   *   `STRAND_ERR_INVALID_ARG` if another goroutine is writing.
   */
  writeMessage(type: MessageType, data: string | Uint8Array): void | Promise<void> {
    if (this.#wExpired) throw errWSTimeout('write');
    if (this.#wparked) throw errWSConcurrent('write');
    const ws = this.#ws;
    if (this.#ended || ws.readyState !== 1) throw errWSClosed(this.#endCause);
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const opts = { binary: type === 'binary' };
    if (ws.bufferedAmount + len <= this.#setup.writeBufferBytes) {
      ws.send(data, opts);
      return immediate(undefined);
    }
    this.#wparked = true;
    ws.send(data, opts, (err?: Error) => this.#sent(err));
    return this.#wio.wait<void>();
  }

  #sent(err?: Error): void {
    if (!this.#wparked) return;
    this.#wparked = false;
    if (err != null) this.#wio.fail(errWSClosed(err));
    else this.#wio.wake();
  }

  /**
   * Sends a ping (the peer's pong is handled: it keeps the connection alive under
   * `pingInterval`).
   */
  ping(data?: string | Uint8Array): void {
    if (this.#ended || this.#ws.readyState !== 1) throw errWSClosed(this.#endCause);
    this.#ws.ping(data);
  }

  /**
   * Starts the closing handshake with `code` and `reason` (Go's `WriteControl(CloseMessage)`).
   * Parked and later reads return queued messages, then `null`; writes fail. Closing twice does
   * nothing.
   *
   * @param code 1000 (normal, the default), 1001 (going away), 1008 (policy), 1011 (server error),
   *   or 3000–4999 for applications.
   * @param reason at most 123 bytes.
   */
  close(code = 1000, reason = ''): void {
    if (this.#ended && this.#ws.readyState >= 2) return;
    this.#end(errWSClosed());
    const ws = this.#ws;
    if (ws.readyState === 0 || ws.readyState === 1) ws.close(code, reason);
  }

  /** Closes the connection at once, without the closing handshake (a dead or hostile peer). */
  terminate(): void {
    if (this.#closeCode === 0) this.#closeCode = 1006; // what ws reports for a dropped connection
    this.#end(errWSClosed());
    this.#ws.terminate();
  }

  /**
   * Sets the read deadline: once it passes, a parked and every later `readMessage` fails with
   * `STRAND_ERR_WS_TIMEOUT` until it is moved. A Date or ms since the epoch; 0 clears it.
   */
  setReadDeadline(t: Date | number): void {
    this.#rdl = typeof t === 'number' ? t : t.getTime();
    this.#rExpired = false;
    if (this.#rTimer !== null) clearTimeout(this.#rTimer);
    this.#rTimer = null;
    if (this.#rdl !== 0) this.#armRead();
  }

  /** Sets the write deadline (see {@link setReadDeadline}); a parked write then fails. */
  setWriteDeadline(t: Date | number): void {
    this.#wdl = typeof t === 'number' ? t : t.getTime();
    this.#wExpired = false;
    if (this.#wTimer !== null) clearTimeout(this.#wTimer);
    this.#wTimer = null;
    if (this.#wdl !== 0) this.#armWrite();
  }

  #armRead(): void {
    const d = this.#rdl - Date.now();
    if (d > 0) {
      this.#rTimer = setTimeout(() => this.#armRead(), Math.min(d, MAX_TIMER_MS));
      this.#rTimer.unref();
      return;
    }
    this.#rTimer = null;
    this.#rExpired = true;
    if (this.#rparked) {
      this.#rparked = false;
      this.#rio.fail(errWSTimeout('read'));
    }
  }

  #armWrite(): void {
    const d = this.#wdl - Date.now();
    if (d > 0) {
      this.#wTimer = setTimeout(() => this.#armWrite(), Math.min(d, MAX_TIMER_MS));
      this.#wTimer.unref();
      return;
    }
    this.#wTimer = null;
    this.#wExpired = true;
    if (this.#wparked) {
      this.#wparked = false;
      this.#wio.fail(errWSTimeout('write'));
    }
  }

  /** No more messages: wake the parked reader (null) and writer (`err`), stop timers. */
  #end(err: unknown): void {
    if (!this.#ended) {
      this.#ended = true;
      this.#endCause = err;
      this.#stopCtx();
      if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
      if (this.#rTimer !== null) clearTimeout(this.#rTimer);
      if (this.#wTimer !== null) clearTimeout(this.#wTimer);
      this.#pingTimer = this.#rTimer = this.#wTimer = null;
    }
    if (this.#rparked) {
      this.#rparked = false;
      this.#rio.wake(null);
    }
    if (this.#wparked) {
      this.#wparked = false;
      this.#wio.fail(err);
    }
  }

  #onContextDone(ctx: Context): void {
    if (this.#ended) return;
    this.#end(errWSClosed(ctx.err()));
    const ws = this.#ws;
    if (ws.readyState === 0 || ws.readyState === 1) ws.close(1001, 'going away');
  }

  // ---- ws events (module-level listeners reach these through the socket) -------------------

  /** @internal */
  static message(c: WebSocketConn, data: Buffer, isBinary: boolean): void {
    const m: Message = isBinary ? { type: 'binary', data } : { type: 'text', data: data.toString('utf8') };
    if (c.#rparked) {
      c.#rparked = false;
      c.#rio.wake(m);
      return;
    }
    if (c.#ended && c.#ws.readyState === 3) return;
    c.#q.push(m);
    if (!c.#paused) {
      c.#paused = true;
      c.#ws.pause();
    }
  }

  /** @internal */
  static closed(c: WebSocketConn, code: number, reason: Buffer): void {
    c.#closeCode = code;
    c.#closeReason = reason.toString('utf8');
    c.#end(errWSClosed());
  }

  /** @internal */
  static failed(c: WebSocketConn, err: Error): void {
    if (c.#endCause === undefined) c.#endCause = err;
  }

  /** @internal */
  static pong(c: WebSocketConn): void {
    c.#alive = true;
  }

  /** @internal */
  static pingTick(c: WebSocketConn): void {
    if (!c.#alive) {
      c.terminate();
      return;
    }
    c.#alive = false;
    if (c.#ws.readyState === 1) c.#ws.ping();
  }
}

function onMessage(this: ConnWS, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  WebSocketConn.message(this[kConn]!, buf, isBinary);
}

function onClose(this: ConnWS, code: number, reason: Buffer): void {
  WebSocketConn.closed(this[kConn]!, code, reason);
}

function onError(this: ConnWS, err: Error): void {
  WebSocketConn.failed(this[kConn]!, err);
}

function onPong(this: ConnWS): void {
  WebSocketConn.pong(this[kConn]!);
}

function onPingTick(c: WebSocketConn): void {
  WebSocketConn.pingTick(c);
}
