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
  /** Events for this client. Bounded: the hub drops a client whose outbox is full. */
  readonly outbox: Chan<Event>;
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
   */
  constructor(kind: ClientKind, remote: string, outboxSize = DEFAULT_OUTBOX, hangUp: (reason: string) => void = noop) {
    this.id = nextId++;
    this.token = randomUUID();
    this.kind = kind;
    this.remote = remote;
    this.outbox = chan<Event>(outboxSize);
    this.hangUp = hangUp;
  }
}

function noop(): void {}
