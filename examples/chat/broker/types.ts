/**
 * The broker: how one chat node's hub shares rooms with the hubs of other nodes (processes or
 * machines). The hub stays the single owner of its local state; the broker only carries what
 * must cross nodes — room events, nick claims, presence — and runs in goroutines of its own.
 *
 * The contract that keeps the hub from ever waiting on the network:
 * - every {@link Broker} method the hub calls returns at once (it queues work for the broker's
 *   goroutine, or does nothing);
 * - every answer comes back later as a {@link BrokerRequest} on the hub's request queue, which
 *   the hub handles in turn like a client's request.
 *
 * Two implementations: {@link LocalBroker} (in-process, the default: one node, nothing shared,
 * the hub answers everything itself) and `RedisBroker` (pub/sub for live events, a stream per
 * room for history, `SET NX PX` claims for nicks, per-node presence hashes).
 *
 * @module
 */

import type { Chan } from 'strand';
import type { Client } from '../client.js';
import type { EventData } from '../events.js';

/** The room events that cross nodes: messages and actions (kept in history), joins, leaves, renames. */
export type RoomEventData = Extract<EventData, { type: 'message' | 'action' | 'join' | 'leave' | 'rename' }>;

/** Who is where on the other nodes, for `/who` and `/rooms`: `[nick, room]` pairs. */
export type Presence = Array<[nick: string, room: string]>;

/** What a broker sends to its hub (as hub requests). */
export type BrokerRequest =
  /**
   * A room event from the shared log. `own`: this node published it (the hub has delivered it
   * already and only records it in history, now in the shared order). `live`: deliver it to the
   * room's local members (false while loading history at start-up).
   */
  | { op: 'remote'; data: RoomEventData; own: boolean; live: boolean }
  /** The answer to {@link Broker.claim}: the nick granted (a guest claim may get another), or null and why not. */
  | { op: 'claimed'; ticket: number; nick: string | null; why: 'taken' | 'unavailable' | null }
  /** The answer to {@link Broker.census}: the other nodes' presence, or null when it cannot be known now. */
  | { op: 'census'; client: Client; kind: 'who' | 'rooms'; others: Presence | null }
  /** The link to the other nodes went down or came back: tell every local client `text`. */
  | { op: 'link'; up: boolean; text: string }
  /** The broker wants this node's presence: every local `[nick, room]`, nicks being claimed with room ''. */
  | { op: 'snapshot'; reply: Chan<Presence> };

/** How a broker reaches its hub: `Hub.send` (blocks while the hub's queue is full; false once it stopped). */
export type HubSend = (r: BrokerRequest) => boolean | Promise<boolean>;

/** A chat node's link to the other nodes. All methods but {@link Broker.stop} return at once. */
export interface Broker {
  /**
   * false: this node is alone (in-process broker). The hub then checks nicks, answers `/who` and
   * `/rooms` and records history itself, synchronously, and never calls claim/census.
   * true: nick claims, `/who`, `/rooms` are asked of the broker, and the hub records a message
   * in history when it comes back from the shared log (`remote` with `own`).
   */
  readonly shared: boolean;
  /** Starts the broker's goroutines; `send` delivers its requests to the hub. */
  start(send: HubSend): void;
  /**
   * Publishes a room event from a local client. Returns false when it cannot be accepted (the
   * broker's bounded outgoing buffer is full while the link is down): the hub then refuses the
   * message. Joins, leaves and renames are best effort.
   */
  publish(data: RoomEventData): boolean;
  /** Asks for `nick` (any free guest nick if `guest`); answered by a `claimed` request with `ticket`. */
  claim(ticket: number, nick: string, guest: boolean): void;
  /** Gives `nick` back (only if this node holds it). */
  release(nick: string): void;
  /** Asks for the other nodes' presence for `client`'s `/who` or `/rooms`; answered by a `census` request. */
  census(client: Client, kind: 'who' | 'rooms'): void;
  /** Local presence changed (a client came, went, moved or was renamed). */
  presenceChanged(): void;
  /** Releases what this node holds (nicks, presence) and closes the link. Call after the hub has stopped. */
  stop(): Promise<void>;
}
