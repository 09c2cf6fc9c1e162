/**
 * The hub: one goroutine that owns all chat state — rooms, members, nicks, history — and talks
 * to every client goroutine through channels (Go's "share memory by communicating").
 *
 * Clients send typed {@link Request}s on `hub.requests`; the hub answers by sending
 * {@link Event}s to each client's bounded outbox. The hub never blocks on a client: it uses
 * `trySend`, and a client whose outbox is full is dropped (outbox closed, transport hung up,
 * reason logged, a leave announced). So one client that stops reading can never stall a room.
 *
 * Why one file: it is one goroutine's state and the handlers of every request kind, which all
 * keep the same invariants below; split, the invariants would be stated in one file and kept in
 * others. What does not touch that state lives beside it (nicks.ts, events.ts, validate.ts).
 *
 * Invariants (all state below is touched only by the hub goroutine):
 * - a client is in `clients` iff `client.active`; an active client is in exactly one room's
 *   `members` and holds exactly one nick in `nicks` (keyed by its look-alike skeleton);
 * - an inactive client's outbox is closed, and the hub never sends to it again;
 * - a room exists while it has members or history (at most `maxRooms` rooms: at the cap, the
 *   longest-idle empty room is forgotten to make space), and `lobby` always exists;
 * - every reply the hub builds for one request is bounded in bytes — a history replay by
 *   `historyBytes`, `/rooms` and `/who` by {@link MAX_LIST} entries — so a client's byte-bounded
 *   outbox ({@link Client.offer}) only overflows when the client stops reading;
 * - requests that carry a reply channel are always answered (reply channels have capacity 1,
 *   so answering never blocks), even after shutdown: the hub drains its queue before it stops;
 * - with a shared broker (Redis), a nick is in `nicks` only once the broker has granted it; while
 *   the claim is out, its key is in `claiming` (so no local client can take it meanwhile) and the
 *   claim in `claims` until the broker's `claimed` answer arrives. The hub never waits for the
 *   broker: it calls broker methods that return at once, and answers come back as requests.
 *
 * @module
 */

import type { Logger } from 'pino';
import { chan, go, gosched, select, recvCase, sendCase, WOULD_BLOCK, CLOSED, type Chan } from 'strand';
import type { Client } from './client.js';
import type { Command } from './commands.js';
import { HELP } from './commands.js';
import { event, type Event, type RoomInfo } from './events.js';
import { Nicks } from './nicks.js';
import { checkNick, nickKey, normalizeRoom } from './validate.js';
import { LocalBroker } from './broker/local.js';
import type { Broker, BrokerRequest, Presence, RoomEventData } from './broker/types.js';

/** A typed request from a client goroutine (a parsed {@link Command} plus who sent it). */
export type ClientRequest = Command & { client: Client };

/** Counters answered by a `stats` request. */
export interface HubStats {
  clients: number;
  rooms: number;
  /** Clients dropped because their outbox overflowed. */
  dropped: number;
  /** Messages and actions broadcast. */
  messages: number;
}

/**
 * Why the hub refused a `connect`: `taken` (the nick is in use), `invalid` (the nick or the room
 * name is not acceptable), `unavailable` (too many rooms, or the hub is shutting down). Callers
 * branch on `code`; `message` is for the person.
 */
export interface Refusal {
  code: 'taken' | 'invalid' | 'unavailable';
  message: string;
}

/** Everything the hub understands. */
export type Request =
  | ClientRequest
  /** Join the chat: `nick` '' picks a free guest nick; the reply is null or why not. */
  | { op: 'connect'; client: Client; nick: string; room: string; reply: Chan<Refusal | null> }
  /**
   * The client's connection is gone (EOF, error, SSE closed), or it must go (an idle web
   * session: then `bye` is its last event). No-op if already dropped.
   */
  | { op: 'disconnect'; client: Client; reason: string; bye?: string }
  /** Deliver an error line to the client (e.g. its line was too long). */
  | { op: 'notice'; client: Client; text: string }
  /** Find the active web session with this token. */
  | { op: 'lookup'; token: string; reply: Chan<Client | null> }
  | { op: 'stats'; reply: Chan<HubStats> }
  /** Say goodbye to every client, close every outbox, stop. */
  | { op: 'shutdown'; reason: string }
  /** From the broker: remote room events, nick claim answers, census answers, link changes. */
  | BrokerRequest;

/** Hub settings. */
export interface HubOptions {
  log: Logger;
  /** Messages kept per room for joiners (default 50). */
  historySize?: number;
  /** Most rooms that may exist at once (default 1000). */
  maxRooms?: number;
  /** Capacity of the request queue (default 1024). */
  queueSize?: number;
  /** Most bytes of history replayed to a joiner: the newest messages that fit (default 64 KiB). */
  historyBytes?: number;
  /** How long a freed nick stays reserved for the client that freed it, in ms (default 30 s; 0 = not at all). */
  nickReserveMs?: number;
  /** How rooms span nodes (default: a {@link LocalBroker}, this process only). */
  broker?: Broker;
}

/** A nick claim the broker has not answered yet (shared broker only). */
interface Claim {
  client: Client;
  /** The nick asked for; its key is in `claiming` until the answer. */
  nick: string;
  /** For a connect: the room to enter and where to answer; for a /nick: '' and null. */
  room: string;
  reply: Chan<Refusal | null> | null;
}

/** `#connect`'s answer when it has asked the broker and will reply later. */
const PENDING = Symbol('pending');

const LINK_DOWN = 'nicks cannot be checked while this server has lost its link to the other servers; try again shortly';

/** Most entries in a `/rooms` or `/who` reply (the rest are counted: "and 250 more"). */
export const MAX_LIST = 100;

/** The room everyone starts in. */
export const LOBBY = 'lobby';

/**
 * Requests handled back to back before the hub yields. A burst of queued requests (a thousand
 * clients connecting at once) would otherwise be handled in one go, every broadcast filling
 * outboxes faster than the writer goroutines — which only run when the hub parks or yields —
 * can drain them. JavaScript has one thread; Go's writers would run in parallel.
 */
const HUB_BATCH = 16;

interface Room {
  readonly name: string;
  readonly members: Set<Client>;
  /** Last `historySize` message/action events, oldest first. */
  readonly history: Event[];
  /** When someone last joined or spoke here (ms since the epoch). */
  active: number;
}

/**
 * The chat's state owner. Create it, call {@link Hub.start}, then talk to it with
 * {@link Hub.send}.
 *
 * @example
 * ```ts
 * const hub = new Hub({ log: pino() });
 * hub.start();
 * const reply = chan<string | null>(1);
 * await hub.send({ op: 'connect', client, nick: 'ana', room: 'lobby', reply });
 * const err = await reply.recv();
 * ```
 */
export class Hub {
  /** Requests from clients. Never closed; use {@link Hub.send}, which stops once the hub has. */
  readonly requests: Chan<Request>;
  /** Closed when the hub goroutine has stopped. */
  readonly done: Chan<void>;
  readonly #log: Logger;
  readonly #historySize: number;
  readonly #historyBytes: number;
  readonly #maxRooms: number;
  readonly #clients = new Set<Client>();
  readonly #nicks: Nicks;
  readonly #tokens = new Map<string, Client>();
  readonly #rooms = new Map<string, Room>();
  readonly #broker: Broker;
  /** Nick claims out with the broker, by ticket, and the keys of the nicks they ask for. */
  readonly #claims = new Map<number, Claim>();
  readonly #claiming = new Set<string>();
  #ticket = 0;
  /**
   * The `/rooms` reply while no room or membership has changed (null: build it again). Shared by
   * every client that asks: a flood of `/rooms` costs neither CPU nor memory per request.
   */
  #roomsReply: Event | null = null;
  /** Clients whose outbox overflowed during the current request, and why; dropped before the next. */
  #slow: Array<[Client, string]> = [];
  #stopped = false;
  #guestSeq = 0;
  #dropped = 0;
  #messages = 0;

  constructor(opts: HubOptions) {
    this.#log = opts.log;
    this.#historySize = opts.historySize ?? 50;
    this.#historyBytes = opts.historyBytes ?? 64 * 1024;
    this.#nicks = new Nicks(opts.nickReserveMs);
    this.#maxRooms = opts.maxRooms ?? 1000;
    this.#broker = opts.broker ?? new LocalBroker();
    this.requests = chan<Request>(opts.queueSize ?? 1024);
    this.done = chan<void>();
    this.#room(LOBBY);
  }

  /** Starts the hub goroutine. */
  start(): void {
    go(Hub.#hubLoop, this);
    this.#broker.start((r) => this.send(r));
  }

  /**
   * Sends a request to the hub, blocking while its queue is full.
   *
   * @returns true if the hub took it, false if the hub has stopped (the request is dropped).
   */
  send(r: Request): boolean | Promise<boolean> {
    if (this.#stopped) return false;
    if (this.requests.trySend(r)) return true;
    return this.#sendSlow(r);
  }

  async #sendSlow(r: Request): Promise<boolean> {
    const i = await select([sendCase(this.requests, r), recvCase(this.done)]);
    return i === 0;
  }

  /**
   * Asks the hub to shut down (every client gets a goodbye and its outbox is closed) and waits
   * until it has stopped.
   */
  async shutdown(reason = 'server shutting down'): Promise<void> {
    await this.send({ op: 'shutdown', reason });
    await this.done.recv();
  }

  /** Asks the hub for its counters (zeros once it has stopped). */
  async stats(): Promise<HubStats> {
    const reply = chan<HubStats>(1);
    if (!(await this.send({ op: 'stats', reply }))) return { clients: 0, rooms: 0, dropped: this.#dropped, messages: this.#messages };
    return (await reply.recv())!;
  }

  // ---- everything below runs on the hub goroutine -------------------------------------------

  /** The hub goroutine: handle requests until a shutdown, then answer what is left and stop. */
  static async #hubLoop(hub: Hub): Promise<void> {
    const requests = hub.requests;
    let n = 0;
    for (;;) {
      let r = requests.tryRecv();
      if (r === WOULD_BLOCK) {
        n = 0;
        r = await requests.recvOrClosed();
      } else if (++n === HUB_BATCH) {
        n = 0;
        await gosched();
      }
      if (r === CLOSED || hub.#handle(r)) break;
    }
    hub.#drain();
  }

  /** Handles one request; returns true when the hub must stop. */
  #handle(r: Request): boolean {
    switch (r.op) {
      case 'connect': {
        const refused = this.#connect(r.client, r.nick, r.room, r.reply);
        if (refused !== PENDING) r.reply.trySend(refused);
        break;
      }
      case 'disconnect':
        this.#drop(r.client, r.reason, r.bye ?? null, false);
        break;
      case 'notice':
        if (r.client.active) this.#deliver(r.client, event({ type: 'error', text: r.text }));
        break;
      case 'lookup': {
        const c = this.#tokens.get(r.token);
        r.reply.trySend(c !== undefined && c.active ? c : null);
        break;
      }
      case 'stats':
        r.reply.trySend({ clients: this.#clients.size, rooms: this.#rooms.size, dropped: this.#dropped, messages: this.#messages });
        break;
      case 'shutdown':
        this.#stopAll(r.reason);
        return true;
      case 'remote':
        this.#remote(r.data, r.own, r.live);
        break;
      case 'claimed':
        this.#claimed(r.ticket, r.nick, r.why);
        break;
      case 'census':
        if (r.client.active) this.#census(r.client, r.kind, r.others);
        break;
      case 'link':
        for (const c of this.#clients) this.#info(c, r.text);
        break;
      case 'snapshot':
        r.reply.trySend(this.#presence());
        break;
      default:
        if (r.client.active) this.#command(r);
    }
    this.#dropSlow();
    return false;
  }

  /** Answers whatever is still queued after a shutdown, then marks the hub stopped. */
  #drain(): void {
    for (let r = this.requests.tryRecv(); r !== WOULD_BLOCK && r !== CLOSED; r = this.requests.tryRecv()) {
      if (r.op === 'connect') r.reply.trySend({ code: 'unavailable', message: 'server shutting down' });
      else if (r.op === 'lookup') r.reply.trySend(null);
      else if (r.op === 'stats') r.reply.trySend({ clients: 0, rooms: 0, dropped: this.#dropped, messages: this.#messages });
      else if (r.op === 'snapshot') r.reply.trySend([]);
    }
    this.#stopped = true;
    this.done.close();
  }

  #connect(c: Client, nick: string, roomName: string, reply: Chan<Refusal | null>): Refusal | null | typeof PENDING {
    const guest = nick === '';
    if (guest) nick = this.#guestNick();
    const bad = checkNick(nick);
    if (bad !== null) return { code: 'invalid', message: bad };
    const taken = this.#nickTaken(nick, c);
    if (taken !== null) return { code: 'taken', message: taken };
    const [room, badRoom] = normalizeRoom(roomName || LOBBY);
    if (badRoom !== null) return { code: 'invalid', message: badRoom };
    if (!this.#roomFor(room)) return { code: 'unavailable', message: 'too many rooms; join an existing one' };
    if (this.#broker.shared) {
      this.#ask(c, nick, guest, room, reply);
      return PENDING;
    }
    this.#admit(c, nick, room);
    return null;
  }

  /** Makes `c` a member: nick taken, welcomed, in `room` (which may exist). */
  #admit(c: Client, nick: string, room: string): void {
    c.active = true;
    c.nick = nick;
    this.#clients.add(c);
    this.#nicks.take(nick, c);
    this.#tokens.set(c.token, c);
    this.#log.info({ client: c.id, kind: c.kind, remote: c.remote, nick, room }, 'client connected');
    this.#deliver(c, event({ type: 'welcome', nick, room, text: `Welcome to strand chat, ${nick}! You are in #${room}. Type /help for commands.` }));
    this.#enter(c, room);
  }

  /** Why `c` may not take `nick` here (held, reserved, or being claimed), or null. */
  #nickTaken(nick: string, c: Client | null): string | null {
    const taken = this.#nicks.check(nick, c);
    if (taken !== null) return taken;
    return this.#claiming.has(nickKey(nick)) ? `nick "${nick}" is taken` : null;
  }

  /** Asks the shared broker for a nick; the `claimed` answer finishes the connect or the rename. */
  #ask(c: Client, nick: string, guest: boolean, room: string, reply: Chan<Refusal | null> | null): void {
    const ticket = ++this.#ticket;
    this.#claims.set(ticket, { client: c, nick, room, reply });
    this.#claiming.add(nickKey(nick));
    this.#broker.claim(ticket, nick, guest);
  }

  /** The broker's answer to a nick claim. */
  #claimed(ticket: number, nick: string | null, why: 'taken' | 'unavailable' | null): void {
    const claim = this.#claims.get(ticket);
    if (claim === undefined) {
      if (nick !== null) this.#broker.release(nick); // answered after a shutdown cleared the claims
      return;
    }
    this.#claims.delete(ticket);
    this.#claiming.delete(nickKey(claim.nick));
    const c = claim.client;
    // A granted nick already used here can only mean Redis lost its data: keep the local holder.
    const granted = nick !== null && this.#nicks.check(nick, c) === null ? nick : null;
    const refusal: Refusal =
      why === 'unavailable' ? { code: 'unavailable', message: LINK_DOWN } : { code: 'taken', message: `nick "${claim.nick}" is taken` };
    if (claim.reply !== null) {
      if (granted === null) return void claim.reply.trySend(refusal);
      if (!this.#roomFor(claim.room)) {
        this.#broker.release(granted);
        return void claim.reply.trySend({ code: 'unavailable', message: 'too many rooms; join an existing one' });
      }
      this.#admit(c, granted, claim.room);
      claim.reply.trySend(null);
      return;
    }
    if (granted === null) {
      if (c.active) this.#error(c, refusal.message);
    } else if (!c.active) this.#broker.release(granted);
    else this.#rename(c, granted);
  }

  /** Renames an active client whose new nick is secured. */
  #rename(c: Client, nick: string): void {
    const from = c.nick;
    this.#nicks.free(from, c);
    this.#nicks.take(nick, c);
    c.nick = nick;
    if (nickKey(from) !== nickKey(nick)) this.#broker.release(from);
    this.#log.info({ client: c.id, from, nick: c.nick }, 'nick changed');
    this.#deliver(c, event({ type: 'state', nick: c.nick, room: c.room }));
    this.#share(this.#rooms.get(c.room)!, { type: 'rename', room: c.room, from, nick: c.nick, ts: Date.now() });
    this.#broker.presenceChanged();
  }

  /** Broadcasts a room event to local members and publishes it to the other nodes (best effort). */
  #share(room: Room, d: RoomEventData): void {
    this.#broadcast(room, event(d));
    this.#broker.publish(d);
  }

  /** Appends a message to a room's history, keeping the last `historySize`. */
  #record(room: Room, ev: Event): void {
    room.history.push(ev);
    if (room.history.length > this.#historySize) room.history.shift();
  }

  /** A room event from the shared log (see {@link BrokerRequest}). */
  #remote(d: RoomEventData, own: boolean, live: boolean): void {
    if (d.type === 'message' || d.type === 'action') {
      if (!this.#roomFor(d.room)) return; // at the room cap with every room occupied: not kept here
      const room = this.#room(d.room);
      const ev = event(d);
      this.#record(room, ev);
      if (!own && live) this.#broadcast(room, ev);
      return;
    }
    const room = this.#rooms.get(d.room);
    if (room !== undefined && !own && live) this.#broadcast(room, event(d));
  }

  /**
   * Answers `/who` or `/rooms` (shared broker) from local state plus the other nodes' presence;
   * with `others` null (the broker cannot reach them), this node's answer, marked as such.
   * Bounded like the local answers: at most {@link MAX_LIST} entries, the rest counted.
   */
  #census(c: Client, kind: 'who' | 'rooms', others: Presence | null): void {
    if (kind === 'who') {
      const all = new Set([...this.#rooms.get(c.room)!.members].map((m) => m.nick));
      for (const [nick, room] of others ?? []) if (room === c.room) all.add(nick);
      const nicks = [...all].sort();
      const more = Math.max(0, nicks.length - MAX_LIST);
      this.#deliver(c, event({ type: 'who', room: c.room, nicks: nicks.slice(0, MAX_LIST), ...(more > 0 ? { more } : {}) }));
    } else {
      const counts = new Map<string, number>();
      for (const x of this.#rooms.values()) counts.set(x.name, x.members.size);
      for (const [, room] of others ?? []) if (room !== '') counts.set(room, (counts.get(room) ?? 0) + 1);
      const rooms: RoomInfo[] = [...counts].map(([room, members]) => ({ room, members }));
      rooms.sort((a, b) => b.members - a.members || (a.room < b.room ? -1 : 1));
      const more = Math.max(0, rooms.length - MAX_LIST);
      this.#deliver(c, event({ type: 'rooms', rooms: rooms.slice(0, MAX_LIST), ...(more > 0 ? { more } : {}) }));
    }
    if (others === null) this.#info(c, 'this server only: it has lost its link to the other servers');
  }

  /** This node's presence for the broker: every client's nick and room, claimed nicks in room ''. */
  #presence(): Presence {
    const out: Presence = [];
    for (const c of this.#clients) out.push([c.nick, c.room]);
    for (const claim of this.#claims.values()) out.push([claim.nick, '']);
    return out;
  }

  #command(r: ClientRequest): void {
    const c = r.client;
    switch (r.op) {
      case 'say':
      case 'me': {
        const room = this.#rooms.get(c.room)!;
        const ts = Date.now();
        const d: RoomEventData = { type: r.op === 'say' ? 'message' : 'action', room: room.name, nick: c.nick, text: r.text, ts };
        if (!this.#broker.publish(d)) {
          return this.#error(c, 'message not sent: this server has lost its link to the other servers and its outgoing buffer is full; try again shortly');
        }
        const ev = event(d);
        // A shared broker hands the message back in the shared order; it joins history then.
        if (!this.#broker.shared) this.#record(room, ev);
        room.active = ts;
        this.#messages++;
        this.#broadcast(room, ev);
        break;
      }
      case 'nick': {
        if (r.nick === c.nick) return this.#info(c, `you are already ${c.nick}`);
        const bad = checkNick(r.nick);
        if (bad !== null) return this.#error(c, bad);
        const taken = this.#nickTaken(r.nick, c);
        if (taken !== null) return this.#error(c, taken);
        // A new nick is asked of a shared broker; the same nick in another spelling is ours already.
        if (this.#broker.shared && nickKey(r.nick) !== nickKey(c.nick)) this.#ask(c, r.nick, false, '', null);
        else this.#rename(c, r.nick);
        break;
      }
      case 'join': {
        const [name, bad] = normalizeRoom(r.room);
        if (bad !== null) return this.#error(c, bad);
        if (name === c.room) return this.#info(c, `you are already in #${name}`);
        if (!this.#roomFor(name)) return this.#error(c, 'too many rooms; join an existing one');
        this.#leave(c, `went to #${name}`);
        this.#enter(c, name);
        break;
      }
      case 'who': {
        if (this.#broker.shared) {
          this.#broker.census(c, 'who');
          break;
        }
        // At most MAX_LIST nicks (24 characters each): a reply of a few KB, however big the room.
        const nicks = [...this.#rooms.get(c.room)!.members].map((m) => m.nick).sort();
        const more = Math.max(0, nicks.length - MAX_LIST);
        this.#deliver(c, event({ type: 'who', room: c.room, nicks: nicks.slice(0, MAX_LIST), ...(more > 0 ? { more } : {}) }));
        break;
      }
      case 'rooms':
        if (this.#broker.shared) this.#broker.census(c, 'rooms');
        else this.#deliver(c, (this.#roomsReply ??= this.#listRooms()));
        break;
      case 'help':
        for (const line of HELP) this.#info(c, line);
        break;
      case 'quit':
        this.#drop(c, r.reason ? `quit: ${r.reason}` : 'quit', 'see you!', false);
        break;
      case 'invalid':
        this.#error(c, r.text);
        break;
    }
  }

  /** The MAX_LIST busiest rooms: ~4 KB at most, where 1,000 rooms listed in full were 13.5 KB. */
  #listRooms(): Event {
    const rooms: RoomInfo[] = [...this.#rooms.values()].map((x) => ({ room: x.name, members: x.members.size }));
    rooms.sort((a, b) => b.members - a.members || (a.room < b.room ? -1 : 1));
    const more = Math.max(0, rooms.length - MAX_LIST);
    return event({ type: 'rooms', rooms: rooms.slice(0, MAX_LIST), ...(more > 0 ? { more } : {}) });
  }

  /** Puts an active client into a room: tells it, replays history, announces the join. */
  #enter(c: Client, name: string): void {
    this.#roomsReply = null;
    const room = this.#room(name);
    room.active = Date.now();
    c.room = name;
    room.members.add(c);
    this.#deliver(c, event({ type: 'state', nick: c.nick, room: name }));
    if (room.history.length > 0) {
      // The newest messages that fit in historyBytes (50 messages of 4 KiB would be 200 KiB).
      const web = c.kind === 'web';
      let first = room.history.length;
      for (let bytes = 0; first > 0; first--) {
        bytes += room.history[first - 1]!.bytes(web);
        if (bytes > this.#historyBytes) break;
      }
      const n = room.history.length - first;
      if (n > 0) {
        this.#info(c, `last ${n === 1 ? 'message' : `${n} messages`} in #${name}:`);
        for (let i = first; i < room.history.length; i++) this.#deliver(c, historyCopy(room.history[i]!));
      }
    }
    this.#share(room, { type: 'join', room: name, nick: c.nick, ts: Date.now() });
    this.#broker.presenceChanged();
  }

  /** Takes a client out of its room and announces it to those left. */
  #leave(c: Client, reason: string): void {
    const room = this.#rooms.get(c.room);
    if (room === undefined) return;
    this.#roomsReply = null;
    room.members.delete(c);
    c.room = '';
    this.#share(room, { type: 'leave', room: room.name, nick: c.nick, reason, ts: Date.now() });
    this.#broker.presenceChanged();
    if (room.members.size === 0 && room.history.length === 0 && room.name !== LOBBY) this.#rooms.delete(room.name);
  }

  /**
   * Lets go of a client: out of its room and the nick table, a last `bye` event if there is
   * room for it, outbox closed (its writer drains what is queued, then ends), and, when
   * `hangUp`, its transport closed at once.
   */
  #drop(c: Client, reason: string, bye: string | null, hangUp: boolean): void {
    if (!c.active) return;
    c.active = false;
    this.#clients.delete(c);
    this.#nicks.free(c.nick, c);
    this.#broker.release(c.nick);
    this.#tokens.delete(c.token);
    this.#leave(c, reason);
    if (bye !== null) c.offer(event({ type: 'bye', text: bye }));
    c.outbox.close();
    if (hangUp) c.hangUp(reason);
    this.#log.info({ client: c.id, nick: c.nick, remote: c.remote, reason }, 'client left');
  }

  /** Drops every client whose outbox overflowed (which may, in turn, overflow others). */
  #dropSlow(): void {
    while (this.#slow.length > 0) {
      const [c, why] = this.#slow.pop()!;
      if (!c.active) continue;
      this.#dropped++;
      this.#log.warn({ client: c.id, kind: c.kind, nick: c.nick, remote: c.remote, why, queuedBytes: c.queued, queuedEvents: c.outbox.len }, `dropping slow client: ${why}`);
      this.#drop(c, 'too slow', null, true);
    }
  }

  #stopAll(reason: string): void {
    this.#log.info({ clients: this.#clients.size, reason }, 'hub shutting down');
    const bye = event({ type: 'bye', text: reason });
    for (const c of this.#clients) {
      c.active = false;
      c.offer(bye);
      c.outbox.close();
      // Other nodes' people see them leave (the broker publishes what is queued as it stops).
      this.#broker.publish({ type: 'leave', room: c.room, nick: c.nick, reason, ts: Date.now() });
    }
    for (const claim of this.#claims.values()) claim.reply?.trySend({ code: 'unavailable', message: reason });
    this.#claims.clear();
    this.#claiming.clear();
    this.#clients.clear();
    this.#nicks.clear();
    this.#tokens.clear();
    this.#rooms.clear();
    this.#roomsReply = null;
    this.#slow = [];
  }

  #broadcast(room: Room, ev: Event): void {
    for (const m of room.members) this.#deliver(m, ev);
  }

  /** Queues an event for a client without ever blocking; a full outbox marks it slow. */
  #deliver(c: Client, ev: Event): void {
    const full = c.offer(ev);
    if (full !== null) this.#slow.push([c, full]);
  }

  #info(c: Client, text: string): void {
    this.#deliver(c, event({ type: 'info', text }));
  }

  #error(c: Client, text: string): void {
    this.#deliver(c, event({ type: 'error', text }));
  }

  /**
   * Whether room `name` exists or may be created. At the cap, the empty room (other than the
   * lobby) idle the longest is forgotten, history and all, to make space; false if every room
   * has people in it.
   */
  #roomFor(name: string): boolean {
    if (this.#rooms.has(name) || this.#rooms.size < this.#maxRooms) return true;
    let oldest: Room | null = null;
    for (const r of this.#rooms.values()) {
      if (r.members.size === 0 && r.name !== LOBBY && (oldest === null || r.active < oldest.active)) oldest = r;
    }
    if (oldest === null) return false;
    this.#rooms.delete(oldest.name);
    this.#roomsReply = null;
    return true;
  }

  #room(name: string): Room {
    let room = this.#rooms.get(name);
    if (room === undefined) {
      room = { name, members: new Set(), history: [], active: Date.now() };
      this.#rooms.set(name, room);
    }
    return room;
  }

  #guestNick(): string {
    for (;;) {
      const nick = `guest${++this.#guestSeq}`;
      if (this.#nickTaken(nick, null) === null) return nick;
    }
  }
}

/** Replayed copies of history entries, made once and shared by every joiner. */
const replayed = new WeakMap<Event, Event>();

/** A replayed history entry: same message, marked so the web page can show it dimmed. */
function historyCopy(h: Event): Event {
  const d = h.data;
  if (d.type !== 'message' && d.type !== 'action') return h;
  let copy = replayed.get(h);
  if (copy === undefined) replayed.set(h, (copy = event({ ...d, history: true })));
  return copy;
}
