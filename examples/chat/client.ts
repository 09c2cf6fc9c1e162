/**
 * A connected client as the hub sees it: an identity, a bounded outbox channel, and a way to
 * hang up the transport. TCP connections and web sessions both become a {@link Client}.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { chan, type Chan } from 'strand';
import type { Event } from './events.js';

/** Default outbox capacity, in events. */
export const DEFAULT_OUTBOX = 256;
/**
 * Default outbox capacity, in bytes (of the rendering the client gets: a TCP line or an SSE
 * frame). Events alone are not a bound: one `/rooms` reply can be 13 KB, and 256 of them held
 * for a client that never reads were 3 MB — 600 such clients took the server to 4 GiB. Every
 * single reply the hub builds is far smaller than this (history replays, `/rooms` and `/who`
 * are bounded), so a client that reads keeps well within it.
 */
export const DEFAULT_OUTBOX_BYTES = 256 * 1024;

let nextId = 1;

/** How a client is connected. */
export type ClientKind = 'tcp' | 'web';

/**
 * One chat participant.
 *
 * Ownership: `outbox` is sent to and closed only by the hub goroutine; the client's writer
 * goroutine only receives from it. The fields marked "hub-owned" are read and written only by
 * the hub goroutine.
 */
export class Client {
  /** Small sequential id, for logs. */
  readonly id: number;
  /** Secret session token (web clients send it with each POST); unique per client. */
  readonly token: string;
  readonly kind: ClientKind;
  /** Remote address, for logs. */
  readonly remote: string;
  /**
   * Events for this client. Bounded in events (its capacity) and in bytes (`outboxBytes`,
   * enforced by {@link Client.offer}): the hub drops a client whose outbox is full.
   */
  readonly outbox: Chan<Event>;
  /** Most bytes the outbox may hold. */
  readonly outboxBytes: number;
  /**
   * Bytes queued in the outbox now: added by the hub in {@link Client.offer}, taken off by the
   * writer in {@link Client.took}. One JavaScript thread, so the two never interleave mid-update.
   */
  queued = 0;
  /**
   * Hangs up the transport at once (closes the socket, ends the SSE stream). The hub calls it
   * when it drops a slow client, after closing the outbox. Must not block.
   */
  hangUp: (reason: string) => void;

  /** Hub-owned: the current nick ('' before the hub has accepted the client). */
  nick = '';
  /** Hub-owned: the current room name ('' before accepted). */
  room = '';
  /** Hub-owned: false once the hub has let go of the client (its outbox is closed). */
  active = false;

  /**
   * @param kind - transport.
   * @param remote - remote address, for logs.
   * @param outboxSize - outbox capacity in events.
   * @param hangUp - see {@link Client.hangUp}.
   * @param outboxBytes - outbox capacity in bytes.
   */
  constructor(kind: ClientKind, remote: string, outboxSize = DEFAULT_OUTBOX, hangUp: (reason: string) => void = noop, outboxBytes = DEFAULT_OUTBOX_BYTES) {
    this.id = nextId++;
    this.token = randomUUID();
    this.kind = kind;
    this.remote = remote;
    this.outbox = chan<Event>(outboxSize);
    this.#half = Math.max(1, outboxSize >> 1);
    this.outboxBytes = outboxBytes;
    this.hangUp = hangUp;
  }

  /** Signalled (capacity 1, never blocks) when the outbox reaches half its capacity in events. */
  readonly kick: Chan<void> = chan<void>(1);
  /** Half the outbox's capacity, in events: where {@link Client.kick} fires. */
  readonly #half: number;

  /**
   * Queues an event without blocking (hub only).
   *
   * @returns null if queued; otherwise why not (`"outbox full"`: too many events, or too many
   * bytes), and nothing was queued.
   */
  offer(ev: Event): string | null {
    const n = ev.bytes(this.kind === 'web');
    if (this.queued + n > this.outboxBytes) return `outbox over ${this.outboxBytes} bytes`;
    if (!this.outbox.trySend(ev)) return `outbox full (${this.outbox.cap} events)`;
    this.queued += n;
    // Half full: a writer waiting out its coalescing delay must flush now (a burst, such as a
    // room's joins arriving from another node at once, would otherwise fill the outbox first).
    if (this.outbox.len === this.#half) this.kick.trySend();
    return null;
  }

  /** The writer received `ev` from the outbox: its bytes no longer count (writer only). */
  took(ev: Event): void {
    this.queued -= ev.bytes(this.kind === 'web');
  }
}

function noop(): void {}
