/**
 * Wires the chat together: the hub goroutine, the TCP accept loop and the web app, plus a
 * graceful shutdown. `main.ts` uses it; so do the tests, to run a server in-process on ports
 * chosen by the OS.
 *
 * @module
 */

import type { Logger } from 'pino';
import { after, chan, go, recvCase, select } from 'strand';
import { listen, type Conn, type Listener } from 'strand/net';
import { DEFAULT_OUTBOX } from './client.js';
import type { SessionLimits } from './sessions.js';
import { Hub } from './hub.js';
import { LocalBroker } from './broker/local.js';
import { DEFAULT_NICK_RESERVE_MS } from './nicks.js';
import { RedisBroker } from './broker/redis.js';
import type { Broker } from './broker/types.js';
import type { RateLimit } from './ratelimit.js';
import { serveTCP } from './tcp.js';
import { startWeb, type Web } from './web.js';

/** Chat server settings. */
export interface ChatOptions {
  /** TCP address for the line protocol (`host:port`; port 0 picks one), or null for none. */
  tcp: string | null;
  /** HTTP address for the web page, or null for none. */
  http: string | null;
  log: Logger;
  /** Outbox capacity per client, in events (default 256). */
  outboxSize?: number;
  /**
   * Outbox capacity per client, in bytes (default 256 KiB). A client whose outbox would go over
   * either bound is dropped as too slow, with the reason logged.
   */
  outboxBytes?: number;
  /** Lines per second per client (default 20, bursts of 40); `perSecond` 0 = unlimited. */
  rate?: RateLimit;
  /** `/rooms`, `/who` and `/help` per second per client, on top of `rate` (default 2, bursts of 10). */
  queryRate?: RateLimit;
  /** Messages of history kept per room (default 50). */
  historySize?: number;
  /** Most bytes of history replayed to a joiner (default 64 KiB: the newest messages that fit). */
  historyBytes?: number;
  /** Most rooms at once (default 1,000). */
  maxRooms?: number;
  /** How long a freed nick stays reserved, in ms (default 30 s; 0 = not at all). */
  nickReserveMs?: number;
  /** Web session limits (defaults: 1 a second per address, bursts of 10; 1,000 live; 15 s to attach; 30 min idle). */
  sessions?: Partial<SessionLimits>;
  /** How long shutdown waits for clients to take their goodbye before hanging up (default 2 s). */
  graceMs?: number;
  /** Redis URL: share rooms with other chat servers through it (default null: this process only). */
  redis?: string | null;
  /** With Redis: outgoing events held while it is unreachable (default 1000; beyond, messages are refused). */
  redisBufferSize?: number;
}

/**
 * A running chat server. Start one with {@link ChatServer.start}.
 *
 * @example
 * ```ts
 * const srv = await ChatServer.start({ tcp: '127.0.0.1:0', http: '127.0.0.1:0', log });
 * console.log(srv.tcpAddr, srv.httpURL);
 * await srv.shutdown();
 * ```
 */
export class ChatServer {
  readonly hub: Hub;
  /** This node's id in Redis, or null with the in-process broker. */
  readonly nodeId: string | null;
  /** The bound TCP address (`127.0.0.1:7070`), or null. */
  readonly tcpAddr: string | null;
  /** The web page's URL (`http://127.0.0.1:8080/`), or null. */
  readonly httpURL: string | null;
  readonly #ln: Listener | null;
  readonly #web: Web | null;
  readonly #log: Logger;
  readonly #broker: Broker;
  readonly #graceMs: number;
  /** Open TCP connections; touched by the connection goroutines (via track) and shutdown. */
  readonly #conns = new Set<Conn>();
  /** Closed when `conns` becomes empty after shutdown began. */
  readonly #drained = chan<void>();
  #stopping = false;
  #stopped: Promise<void> | null = null;

  private constructor(hub: Hub, broker: Broker, ln: Listener | null, web: Web | null, opts: ChatOptions) {
    this.hub = hub;
    this.#broker = broker;
    this.nodeId = broker instanceof RedisBroker ? broker.nodeId : null;
    this.#ln = ln;
    this.#web = web;
    this.#log = opts.log;
    this.#graceMs = opts.graceMs ?? 2000;
    this.tcpAddr = ln === null ? null : String(ln.addr);
    this.httpURL = web === null ? null : web.url;
  }

  /**
   * Starts the hub, listens, and serves.
   *
   * @throws the listen error (address in use, bad address) after undoing what was started.
   */
  static async start(opts: ChatOptions): Promise<ChatServer> {
    const broker = opts.redis
      ? new RedisBroker({ url: opts.redis, log: opts.log.child({ part: 'redis' }), historySize: opts.historySize, maxRooms: opts.maxRooms, bufferSize: opts.redisBufferSize, nickReserveMs: opts.nickReserveMs ?? DEFAULT_NICK_RESERVE_MS })
      : new LocalBroker();
    const hub = new Hub({
      log: opts.log.child({ part: 'hub' }),
      historySize: opts.historySize,
      historyBytes: opts.historyBytes,
      maxRooms: opts.maxRooms,
      nickReserveMs: opts.nickReserveMs,
      broker,
    });
    hub.start();
    let ln: Listener | null = null;
    let web: Web | null = null;
    try {
      if (opts.tcp !== null) ln = await listen('tcp', opts.tcp);
      if (opts.http !== null) {
        web = await startWeb(hub, opts.http, {
          log: opts.log.child({ part: 'web' }),
          outboxSize: opts.outboxSize ?? DEFAULT_OUTBOX,
          outboxBytes: opts.outboxBytes,
          rate: opts.rate,
          queryRate: opts.queryRate,
          sessions: opts.sessions,
        });
      }
    } catch (err) {
      ln?.close();
      await hub.shutdown();
      await broker.stop();
      throw err;
    }
    const srv = new ChatServer(hub, broker, ln, web, opts);
    if (ln !== null) {
      const log = opts.log.child({ part: 'tcp' });
      go(serveTCP, ln, hub, {
        log,
        outboxSize: opts.outboxSize ?? DEFAULT_OUTBOX,
        outboxBytes: opts.outboxBytes,
        rate: opts.rate,
        queryRate: opts.queryRate,
        track: (c: Conn, open: boolean) => srv.#track(c, open),
      });
    }
    return srv;
  }

  #track(conn: Conn, open: boolean): void {
    if (open) {
      // A connection accepted just before shutdown: it will find the hub stopped and close.
      this.#conns.add(conn);
      return;
    }
    this.#conns.delete(conn);
    if (this.#stopping && this.#conns.size === 0 && !this.#drained.closed) this.#drained.close();
  }

  /**
   * Graceful shutdown: stop accepting, tell every client (a `bye` line or event), let the
   * writers flush it, hang up whoever is still connected after the grace period, close the web
   * server. Idempotent.
   */
  shutdown(reason = 'server shutting down'): Promise<void> {
    this.#stopped ??= this.#shutdown(reason);
    return this.#stopped;
  }

  async #shutdown(reason: string): Promise<void> {
    this.#log.info({ reason }, 'shutting down');
    this.#stopping = true;
    this.#ln?.close();
    await this.hub.shutdown(reason);
    await this.#broker.stop();
    if (this.#conns.size === 0 && !this.#drained.closed) this.#drained.close();
    if (this.#conns.size > 0) {
      const i = await select([recvCase(this.#drained), recvCase(after(this.#graceMs))]);
      if (i === 1) {
        this.#log.warn({ conns: this.#conns.size }, 'hanging up on clients that did not leave in time');
        for (const c of this.#conns) c.close();
      }
    }
    if (this.#web !== null) await this.#web.close();
    this.#log.info('stopped');
  }
}
