/**
 * Server-Sent Events from a channel.
 *
 * The stream ends when the channel is closed (the handler returns, the response ends) or when
 * the client leaves (the request context is done: the helper stops receiving and returns). A
 * producer must therefore never block on the channel alone: it should `select` between its send
 * and `ctx.done()` of the request context, so it is released when the client goes away:
 *
 * ```ts
 * const out = sendCase(ch, v), gone = recvCase(r.context().done());
 * if (await select([out, gone]) === 1) return; // client left: stop producing
 * ```
 *
 * Memory per client is bounded in bytes, not only in events: the helper takes one value from the
 * channel at a time and writes it before taking the next, and a write parks once node:http holds
 * its high-water mark (16 KiB) for a client that does not read. So a client holds at most the
 * channel's capacity in values, plus 16 KiB and one event in the connection. A parked write ends
 * when the request context is cancelled (client gone, server shutdown, app close, `done`): the
 * connection is closed then, so nothing stays queued for a peer that does not read. When the
 * stream ends for one of those reasons while bytes are still queued for the client, the
 * connection is closed too instead of waiting for a reader that may never come.
 *
 * @module
 */

import { WOULD_BLOCK, CLOSED, newTicker, recvCase, select, type Case, type Chan, type Context, type RecvChan, type Ticker } from '../runtime/index.js';
import type { HandlerFunc } from './handler.js';
import type { Request } from './request.js';
import type { ResponseWriter } from './response.js';

/** Options of {@link serveSSE} (and of the Fastify plugin's `reply.sse`, which adds `done`). */
export interface SSEOptions<T> {
  /** The `event:` field: a fixed name, or one per value (undefined = none, i.e. "message"). */
  event?: string | ((v: T) => string | undefined);
  /** The `id:` field per value (undefined = none). */
  id?: (v: T) => string | undefined;
  /** Turns a value into the `data:` text (may contain newlines). Default: strings as they are, anything else JSON. */
  encode?: (v: T) => string;
  /** Sends a `:` comment every `heartbeat` ms to keep proxies from timing out (0 = never, the default). */
  heartbeat?: number;
  /** A `retry:` hint for the client's reconnection delay, sent once at the start. */
  retry?: number;
}

function defaultEncode(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Formats one SSE event: `event:` and `id:` when given, then one `data:` line per line of `data`. */
export function formatEvent(data: string, event: string | undefined, id: string | undefined): string {
  let out = '';
  if (event !== undefined) out += `event: ${event}\n`;
  if (id !== undefined) out += `id: ${id}\n`;
  if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) return `${out}data: ${data}\n\n`;
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}

/** @internal Builds the per-value frame function from the options (shared with the Fastify plugin). */
export function framer<T>(opts: SSEOptions<T>): (v: T) => string {
  const enc = opts.encode ?? defaultEncode;
  const ev = opts.event;
  const id = opts.id;
  return (v: T) => formatEvent(enc(v), typeof ev === 'function' ? ev(v) : ev, id === undefined ? undefined : id(v));
}

/**
 * Streams every value received on `ch` to the client as a Server-Sent Event, until `ch` is
 * closed or the client goes away (the request context is done). Sets the SSE headers
 * (`Content-Type: text/event-stream`, `Cache-Control: no-cache`) and flushes each event.
 * Writes park on backpressure, so a slow client slows the loop, never grows memory.
 *
 * @returns when the channel is closed or the client left (never throws for a departed client).
 *
 * @example
 * ```ts
 * mux.handleFunc('GET /events', async (w, r) => {
 *   const ch = chan<{ n: number }>();
 *   go(produce, r.context(), ch); // selects on ctx.done() around each send, closes ch at the end
 *   await serveSSE(w, r, ch, { event: 'tick' });
 * });
 * ```
 */
export async function serveSSE<T>(w: ResponseWriter, r: Request, ch: RecvChan<T>, opts: SSEOptions<T> = {}): Promise<void> {
  const h = w.header();
  h.set('Content-Type', 'text/event-stream; charset=utf-8');
  h.set('Cache-Control', 'no-cache');
  h.set('X-Accel-Buffering', 'no');
  w.writeHeader(200);
  await streamSSE(w, r.context(), ch, framer(opts), opts, null);
}

/**
 * @internal The SSE loop shared with the Fastify plugin: the status and headers are set; streams
 * `ch` until it closes, `ctx` is done, or `stop` (if any) is closed or receives.
 */
export async function streamSSE<T>(
  w: ResponseWriter,
  ctx: Context,
  ch: RecvChan<T>,
  frame: (v: T) => string,
  opts: { heartbeat?: number; retry?: number },
  stop: RecvChan<unknown> | null,
): Promise<void> {
  if (opts.retry !== undefined) await w.write(`retry: ${opts.retry}\n\n`);
  w.flush();
  const got = recvCase(ch);
  const cases: Case[] = [got, recvCase(ctx.done()), recvCase(stop)];
  let ticker: Ticker | null = null;
  if (opts.heartbeat !== undefined && opts.heartbeat > 0) {
    ticker = newTicker(opts.heartbeat);
    cases.push(recvCase(ticker.c));
  }
  try {
    for (;;) {
      // `closed` is not part of the receive-only view, but every RecvChan is a Chan (branded type).
      if (ctx.err() !== null || (stop !== null && (stop as Chan<unknown>).closed)) return;
      let v: T | typeof CLOSED | typeof WOULD_BLOCK = ch.tryRecv();
      if (v === WOULD_BLOCK) {
        const i = await select(cases);
        if (i === 1 || i === 2) return;
        if (i === 3) {
          await w.write(':\n\n');
          w.flush();
          continue;
        }
        v = got.ok ? (got.value as T) : CLOSED;
      }
      if (v === CLOSED) return;
      await w.write(frame(v));
      w.flush();
    }
  } catch (err) {
    if (ctx.err() === null && !w.raw.destroyed) throw err; // a real error, not a departed client
  } finally {
    if (ticker !== null) ticker.stop();
    // Stopped from outside (context, `stop`) with bytes still queued for a client that is not
    // reading them: close the connection rather than leave them (and shutdown) waiting.
    if ((ctx.err() !== null || (stop !== null && (stop as Chan<unknown>).closed)) && w.raw.writableLength > 0) w.raw.destroy();
  }
}

/**
 * A handler that streams a channel as SSE: `source(r)` returns the channel for each request
 * (start the producer there, with `r.context()`).
 *
 * @example
 * ```ts
 * mux.handle('GET /clock', sse((r) => clock(r.context()), { event: 'time' }));
 * ```
 */
export function sse<T>(source: (r: Request) => RecvChan<T>, opts: SSEOptions<T> = {}): HandlerFunc {
  return (w, r) => serveSSE(w, r, source(r), opts);
}
