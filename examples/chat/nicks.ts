/**
 * The nick table: who holds which nick, compared by {@link skeleton} so look-alikes (`lana` and
 * `Iana`, `bob` and `b0b`) count as the same nick, and which freed nicks are still reserved.
 *
 * A nick let go of (its holder left, or renamed) stays reserved for `reserveMs` (default 30 s):
 * nobody else may take it meanwhile, so a person who drops off and reconnects gets their nick
 * back instead of finding an impostor wearing it. The client that freed it may take it back.
 *
 * Invariants (touched only by the hub goroutine):
 * - `held` maps a skeleton to the one active client holding a nick with that skeleton;
 * - `reserved` maps a skeleton to its release time and the client that freed it; entries are in
 *   insertion order, which is expiry order (one `reserveMs` for all), so expired ones are
 *   removed from the front as new ones are added: the map holds at most the nicks freed in the
 *   last `reserveMs`.
 *
 * @module
 */

import { performance } from 'node:perf_hooks';
import type { Client } from './client.js';
import { skeleton } from './validate.js';

/** How long a freed nick stays reserved, by default. */
export const DEFAULT_NICK_RESERVE_MS = 30_000;

interface Reservation {
  readonly until: number;
  readonly by: Client;
}

/** The hub's nick table. */
export class Nicks {
  readonly #reserveMs: number;
  readonly #held = new Map<string, Client>();
  readonly #reserved = new Map<string, Reservation>();

  /** @param reserveMs - how long a freed nick stays reserved (0: not at all). */
  constructor(reserveMs = DEFAULT_NICK_RESERVE_MS) {
    this.#reserveMs = reserveMs;
  }

  /**
   * Whether `c` may take `nick`.
   *
   * @returns null if it may; otherwise the reason, for the person.
   */
  check(nick: string, c: Client | null): string | null {
    const key = skeleton(nick);
    const holder = this.#held.get(key);
    if (holder !== undefined && holder !== c) {
      return holder.nick.toLowerCase() === nick.toLowerCase() ? `nick "${nick}" is taken` : `nick "${nick}" is taken (it looks like "${holder.nick}")`;
    }
    const r = this.#reserved.get(key);
    if (r !== undefined && r.by !== c) {
      const left = r.until - performance.now();
      if (left > 0) return `nick "${nick}" is taken (it was just freed and is reserved for another ${Math.ceil(left / 1000)} s)`;
    }
    return null;
  }

  /** Gives `nick` to `c` (after a successful {@link Nicks.check}). */
  take(nick: string, c: Client): void {
    const key = skeleton(nick);
    this.#held.set(key, c);
    this.#reserved.delete(key);
  }

  /** `c` lets go of `nick`: it is reserved for `reserveMs`. */
  free(nick: string, c: Client): void {
    const key = skeleton(nick);
    if (this.#held.get(key) !== c) return;
    this.#held.delete(key);
    const now = performance.now();
    for (const [k, r] of this.#reserved) {
      if (r.until > now) break;
      this.#reserved.delete(k);
    }
    if (this.#reserveMs > 0) {
      this.#reserved.delete(key); // re-inserted at the end, keeping expiry order
      this.#reserved.set(key, { until: now + this.#reserveMs, by: c });
    }
  }

  /** Forgets everything (shutdown). */
  clear(): void {
    this.#held.clear();
    this.#reserved.clear();
  }
}
