/**
 * Web sessions: who may open one, how many may live, and when they end.
 *
 * A session is one web client between `POST /api/session` and the end of its event stream.
 * Opening one costs the server a hub client, a nick and a "joined" line to a whole room, so:
 * - each source address may open {@link SessionLimits.perAddress} sessions a second (a token
 *   bucket; over it, 429 with `Retry-After`);
 * - at most {@link SessionLimits.max} sessions live at once (over it, 503 with `Retry-After`);
 * - a session that has not opened its event stream within `attachMs` is dropped, and one that
 *   has sent nothing for `idleMs` is told goodbye and dropped (its stream then ends);
 * - a request from another site is refused before any of that ({@link crossSite}).
 *
 * Invariants (one JavaScript thread; touched by the web handlers and the janitor goroutine):
 * - `live` holds every session between a 201 from `POST /api/session` and its end (stream
 *   closed, attach timeout, idle expiry); its size is what `max` bounds;
 * - `addresses` holds a bucket per address seen in the last `forgetMs`, and at most
 *   {@link MAX_ADDRESSES} of them (the oldest is forgotten first), so it is bounded too.
 *
 * @module
 */

import { performance } from 'node:perf_hooks';
import { chan, type Chan } from 'strand';
import type { Client } from './client.js';
import { TokenBucket, type RateLimit } from './ratelimit.js';

/** Limits on web sessions. */
export interface SessionLimits {
  /** Sessions a source address may open per second (default 1 a second, bursts of 10). */
  perAddress: RateLimit;
  /** Most sessions alive at once (default 1,000). */
  max: number;
  /** How long a session may take to open its event stream, in ms (default 15 s). */
  attachMs: number;
  /** How long a session may send nothing before it is dropped, in ms (default 30 min). */
  idleMs: number;
}

/** The defaults of {@link SessionLimits}. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  perAddress: { perSecond: 1, burst: 10 },
  max: 1000,
  attachMs: 15_000,
  idleMs: 30 * 60_000,
};

/** Most source addresses whose rate is remembered at once. */
export const MAX_ADDRESSES = 10_000;

/** One web client's session. */
export class Session {
  readonly client: Client;
  /** Closed when its event stream attaches. */
  readonly attached: Chan<void> = chan<void>();
  /** Closed to end its event stream (the hub dropped the client). */
  readonly hangUp: Chan<void> = chan<void>();
  /** Rate limit of the session's POSTs. */
  readonly bucket: TokenBucket;
  /** Rate limit of its listing commands (`/rooms`, `/who`, `/help`). */
  readonly queries: TokenBucket;
  /** When it was created and when it last sent a line (performance.now() ms). */
  readonly created = performance.now();
  lastActive = performance.now();

  constructor(client: Client, rate: RateLimit, queryRate: RateLimit) {
    this.client = client;
    this.bucket = new TokenBucket(rate);
    this.queries = new TokenBucket(queryRate);
    // The hub hangs up on a client it drops as too slow: closing `hangUp` ends the stream
    // (`reply.sse`'s `done`), which wakes a write parked on a peer that does not read and
    // closes the connection.
    client.hangUp = () => {
      if (!this.hangUp.closed) this.hangUp.close();
    };
  }
}

/** Why a request was refused: an HTTP status, a message, and seconds to wait (if any). */
export interface Refused {
  status: number;
  error: string;
  retryAfter?: number;
}

/** Live sessions and the per-address limiter. */
export class Sessions {
  readonly limits: SessionLimits;
  readonly #live = new Map<Client, Session>();
  readonly #addresses = new Map<string, { bucket: TokenBucket; last: number }>();
  /** An address idle this long has a full bucket again: forget it. */
  readonly #forgetMs: number;

  constructor(limits: Partial<SessionLimits> = {}) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...limits };
    const r = this.limits.perAddress;
    this.#forgetMs = r.perSecond > 0 ? (r.burst / r.perSecond) * 1000 : 0;
  }

  /** Live sessions now. */
  get size(): number {
    return this.#live.size;
  }

  /**
   * May `address` open a session now? Takes one from its bucket.
   *
   * @returns null if it may; otherwise the refusal (429 or 503).
   */
  admit(address: string): Refused | null {
    const r = this.limits.perAddress;
    if (r.perSecond > 0) {
      const now = performance.now();
      let a = this.#addresses.get(address);
      if (a === undefined) {
        if (this.#addresses.size >= MAX_ADDRESSES) this.#addresses.delete(this.#addresses.keys().next().value!);
        a = { bucket: new TokenBucket(r), last: now };
      }
      this.#addresses.delete(address); // re-inserted at the end: oldest first
      this.#addresses.set(address, a);
      a.last = now;
      if (!a.bucket.tryTake()) {
        return { status: 429, error: 'too many new sessions from your address; try again shortly', retryAfter: Math.ceil(1 / r.perSecond) };
      }
    }
    if (this.#live.size >= this.limits.max) return { status: 503, error: 'the chat is full; try again later', retryAfter: 30 };
    return null;
  }

  add(s: Session): void {
    this.#live.set(s.client, s);
  }

  get(c: Client): Session | undefined {
    return this.#live.get(c);
  }

  delete(c: Client): void {
    this.#live.delete(c);
  }

  /**
   * The janitor's sweep: the sessions to drop now, with why, removed from the live set; and
   * the addresses not seen for a while forgotten.
   */
  expire(now = performance.now()): Array<[Session, 'attach' | 'idle']> {
    const out: Array<[Session, 'attach' | 'idle']> = [];
    for (const s of this.#live.values()) {
      if (!s.attached.closed) {
        if (now - s.created > this.limits.attachMs) out.push([s, 'attach']);
      } else if (now - s.lastActive > this.limits.idleMs) {
        out.push([s, 'idle']);
      }
    }
    for (const [s] of out) this.#live.delete(s.client);
    for (const [k, a] of this.#addresses) {
      if (now - a.last <= this.#forgetMs) break; // oldest first
      this.#addresses.delete(k);
    }
    return out;
  }

  /** How often the janitor should sweep: a quarter of the shortest timeout, at most 1 s. */
  get sweepMs(): number {
    return Math.max(10, Math.min(1000, this.limits.attachMs / 4, this.limits.idleMs / 4));
  }
}

/**
 * Refuses a request made by another site's page (a form, a `fetch` in no-cors mode), which the
 * browser sends with the user's network position but which must not act on the chat:
 * - `Sec-Fetch-Site`, when the browser sends it, must be `same-origin` (or `none`: typed by the
 *   user);
 * - `Origin`, when present, must be this server's own (`http://` or `https://` + `Host`);
 * - a POST must be `Content-Type: application/json`, which no other site can send without a
 *   CORS preflight — and this server answers no preflight, so it grants no other origin.
 *
 * @returns null if the request may proceed; otherwise 403 or 415.
 */
export function crossSite(method: string, headers: Record<string, string | string[] | undefined>): Refused | null {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, error: 'cross-site requests are not allowed' };
  const origin = headers.origin;
  if (origin !== undefined) {
    const host = headers.host;
    if (typeof host !== 'string' || (origin !== `http://${host}` && origin !== `https://${host}`)) {
      return { status: 403, error: 'cross-origin requests are not allowed' };
    }
  }
  if (method === 'POST') {
    const type = headers['content-type'];
    const media = typeof type === 'string' ? type.split(';')[0]!.trim().toLowerCase() : '';
    if (media !== 'application/json') return { status: 415, error: 'send JSON (Content-Type: application/json)' };
  }
  return null;
}
