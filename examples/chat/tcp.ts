/**
 * The TCP side: the line protocol for `nc` and `telnet`, written the Go way.
 *
 * `serveTCP` is the accept loop. Each connection gets two goroutines:
 * - the reader (the client's goroutine, which owns the connection): reads lines (at most
 *   {@link MAX_LINE_BYTES} bytes), parses them and sends typed requests to the hub; at EOF or on
 *   an error it tells the hub the client is gone and closes the connection;
 * - the writer: drains the client's outbox to the socket, batching what is already queued into
 *   one write. When the outbox is closed (the hub let go of the client: /quit, shutdown) it
 *   half-closes the connection, as a lingering close does: the goodbye line is delivered, the
 *   client sees end of stream and hangs up, and the reader then sees EOF (a client that does
 *   not hang up within {@link LINGER_MS} hits a read deadline). When a write fails (the client
 *   vanished mid-write) it closes the connection, which wakes the reader.
 * The hub hangs up on a client it drops as too slow by closing its connection outright.
 *
 * @module
 */

import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import { chan, go, newTimer, recvCase, select, sleep, CLOSED, WOULD_BLOCK } from 'strand';
import { errorIs, ErrClosed, OpError, type Conn, type Listener } from 'strand/net';
import { Client, DEFAULT_OUTBOX_BYTES } from './client.js';
import { parseLine } from './commands.js';
import type { Hub, Refusal } from './hub.js';
import { LineReader, TOO_LONG } from './linereader.js';
import { DEFAULT_QUERY_RATE, DEFAULT_RATE, TokenBucket, isQuery, type RateLimit } from './ratelimit.js';
import { MAX_LINE_BYTES } from './validate.js';

/** Settings of the TCP side. */
export interface TCPOptions {
  log: Logger;
  /** Outbox capacity per client, in events. */
  outboxSize?: number;
  /** Outbox capacity per client, in bytes (default {@link DEFAULT_OUTBOX_BYTES}). */
  outboxBytes?: number | undefined;
  /** Lines per second per client (default {@link DEFAULT_RATE}). */
  rate?: RateLimit | undefined;
  /** `/rooms`, `/who`, `/help` per second per client, on top of `rate` (default {@link DEFAULT_QUERY_RATE}). */
  queryRate?: RateLimit | undefined;
  /** Called with each connection as it starts and ends (the server uses it to force-close on shutdown). */
  track?: (conn: Conn, open: boolean) => void;
}

/**
 * Write coalescing, as Nagle does for TCP but only under load. In a big busy room the cost that
 * dominates is one write (one syscall) per event per client: 1,000 clients at 100 messages/s
 * are 100,000 writes/s. So while the server as a whole writes more than {@link BUSY_WRITES}
 * times a second, a client whose last write was less than {@link FLUSH_MS} ago waits out the
 * rest of FLUSH_MS, and what the hub sends meanwhile goes out in the same write. Below that
 * rate every event is written at once.
 */
const FLUSH_MS = 20;
/** Server-wide writes per second above which coalescing starts. */
const BUSY_WRITES = 20_000;
/** Server-wide write counter, over windows of 100 ms (shared by every writer goroutine). */
const load = { windowStart: 0, writes: 0, busy: false };

function countWrite(now: number): void {
  load.writes++;
  if (now - load.windowStart >= 100) {
    load.busy = (load.writes * 1000) / (now - load.windowStart) > BUSY_WRITES;
    load.windowStart = now;
    load.writes = 0;
  }
}

/** How long a client may keep its end open after the server's goodbye. */
const LINGER_MS = 5000;

/** Most bytes the writer puts in one write when events are queued. */
const BATCH_BYTES = 64 * 1024;

/**
 * Accepts connections until the listener is closed, serving each in its own goroutines.
 *
 * @returns when the listener has been closed.
 */
export async function serveTCP(ln: Listener, hub: Hub, opts: TCPOptions): Promise<void> {
  for (;;) {
    let conn: Conn;
    try {
      conn = await ln.accept();
    } catch (err) {
      if (errorIs(err, ErrClosed)) return; // the server is shutting down
      opts.log.error({ err }, 'tcp: accept failed');
      return;
    }
    go(serveConn, conn, hub, opts);
  }
}

/** The client goroutine: join, then read lines and forward them to the hub as requests. */
async function serveConn(conn: Conn, hub: Hub, opts: TCPOptions): Promise<void> {
  opts.track?.(conn, true);
  // Chat lines are small and latency matters: no Nagle delay (each write is already a batch).
  conn.setNoDelay(true);
  const remote = String(conn.remoteAddr);
  const client = new Client('tcp', remote, opts.outboxSize, () => closeQuietly(conn), opts.outboxBytes ?? DEFAULT_OUTBOX_BYTES);
  const reply = chan<Refusal | null>(1);
  const refused = (await hub.send({ op: 'connect', client, nick: '', room: '', reply })) ? await reply.recv() : { message: 'server shutting down' };
  if (refused !== null) {
    try {
      await conn.write(Buffer.from(`* bye: ${refused?.message ?? 'server shutting down'}\n`));
    } catch {
      // gone already
    }
    closeQuietly(conn);
    opts.track?.(conn, false);
    return;
  }
  go(writeLoop, conn, client, opts.log);

  const lines = new LineReader(conn, MAX_LINE_BYTES);
  const bucket = new TokenBucket(opts.rate ?? DEFAULT_RATE);
  const queries = new TokenBucket(opts.queryRate ?? DEFAULT_QUERY_RATE);
  let reason = 'connection closed';
  try {
    for (;;) {
      const line = await lines.readLine();
      if (line === null) break;
      if (line === TOO_LONG) {
        opts.log.info({ client: client.id, remote }, 'refused an over-long line');
        if (!(await hub.send({ op: 'notice', client, text: `line too long (max ${MAX_LINE_BYTES} bytes); it was not sent` }))) break;
        continue;
      }
      const cmd = parseLine(line);
      if (cmd === null) continue;
      // Over its rate, a client waits: it is not read meanwhile, so TCP slows the sender down.
      // Listings (/rooms, /who) also wait for the query rate: their replies are large.
      const wait = Math.max(bucket.take(), isQuery(cmd.op) ? queries.take() : 0);
      if (wait > 0) await sleep(wait);
      // After /quit, keep reading (and ignoring) until the client hangs up; see the writer.
      if (!(await hub.send({ ...cmd, client }))) break;
    }
  } catch (err) {
    // The writer (or the hub, for a slow client) closed the socket, or the peer reset it.
    if (!errorIs(err, ErrClosed)) {
      reason = err instanceof OpError && err.errno === 'ECONNRESET' ? 'connection reset' : 'connection lost';
      opts.log.info({ client: client.id, remote, err: (err as Error).message }, 'tcp: read failed');
    }
  }
  await hub.send({ op: 'disconnect', client, reason });
  closeQuietly(conn);
  opts.track?.(conn, false);
}

/** The writer goroutine: outbox → socket, until the outbox closes or a write fails. */
async function writeLoop(conn: Conn, client: Client, log: Logger): Promise<void> {
  const out = client.outbox;
  let lastWrite = -FLUSH_MS;
  // The coalescing wait: FLUSH_MS after the last write, or sooner when the hub kicks (the
  // outbox is half full). One timer per writer, reset for each wait.
  const flush = newTimer(FLUSH_MS);
  flush.stop();
  const waitCases = [recvCase(flush.c), recvCase(client.kick)];
  try {
    for (;;) {
      let ev = out.tryRecv();
      if (ev === WOULD_BLOCK) {
        ev = await out.recvOrClosed();
        if (load.busy && ev !== CLOSED && out.len < 16) {
          const wait = lastWrite + FLUSH_MS - performance.now();
          if (wait > 0) {
            client.kick.tryRecv(); // a kick from before this wait is stale
            flush.reset(wait);
            await select(waitCases);
            flush.stop();
          }
        }
      }
      if (ev === CLOSED) {
        conn.closeWrite();
        conn.setReadDeadline(Date.now() + LINGER_MS);
        return;
      }
      client.took(ev);
      let text = ev.line ?? '';
      // Batch what is already queued: one write (one syscall) for many events. While the write
      // is parked (a client not reading) the batch is this client's only buffer outside its
      // byte-bounded outbox: at most BATCH_BYTES plus one event.
      while (text.length < BATCH_BYTES) {
        const more = out.tryRecv();
        if (more === WOULD_BLOCK || more === CLOSED) break;
        client.took(more);
        text += more.line ?? '';
      }
      if (text !== '') {
        lastWrite = performance.now();
        countWrite(lastWrite);
        await conn.write(Buffer.from(text));
      }
    }
  } catch (err) {
    log.debug({ client: client.id, err: (err as Error).message }, 'tcp: write failed');
  }
  closeQuietly(conn);
}

function closeQuietly(conn: Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
