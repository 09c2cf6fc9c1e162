/**
 * The Redis broker: chat rooms that span processes and machines, on node-redis (`@redis/client`).
 *
 * What lives in Redis (keys under `chat:`):
 * - `events`, a pub/sub channel: every room event of every node (`<stream id> <node> <json>`);
 * - `history:<room>`, a stream per room: its messages and actions (`XADD … MAXLEN ~ 50`). One Lua
 *   script appends to the stream and publishes, so pub/sub order is stream order and the
 *   message's stream id travels with it. Each node remembers the last id it saw per room:
 *   an id not above it is a duplicate; after a lost connection (or a pub/sub backlog the node
 *   could not keep) it reads the stream from there (catch-up). `rooms`, a sorted set, says which
 *   rooms have streams (the most recent 1000);
 * - `nick:<key>` = node id, `SET NX PX`: a nick claim, renewed every heartbeat while held, deleted
 *   on release only by its owner (a Lua compare-and-delete); a node that dies loses its nicks
 *   when their expiry passes;
 * - `presence:<node>`, a hash nick → room with an expiry, and `nodes`, a sorted set of node ids
 *   by expiry: what `/who` and `/rooms` read of the other nodes;
 * - `lastpub:<node>`, the sequence number of this node's last published event: the publishing
 *   script skips a sequence number it has seen, so resending after a lost reply never duplicates.
 *
 * Goroutines and ownership. The hub never waits for Redis: {@link Broker} methods only try-send
 * on bounded channels. One goroutine, the pump, owns every field below marked "pump" and does
 * all the Redis work in order: outgoing events (`out`), claims and queries (`ctl`), incoming
 * pub/sub payloads (`inbox`, filled by node-redis's callback with `trySend`), and the heartbeat.
 * Its answers reach the hub as hub requests (it may wait for the hub; the hub never waits for it).
 *
 * Outage. node-redis's offline queue is disabled: a command while disconnected fails at once and
 * nothing piles up inside the client. While the link is down the pump stops taking from `out`, so
 * the hub's messages wait there — bounded ({@link RedisBrokerOptions.bufferSize}); the hub has
 * already shown them to this node's clients, and they are published in order once Redis is back.
 * When `out` is full, `publish` returns false and the hub refuses the message with an error. Nick
 * claims are refused while the link is down (uniqueness cannot be checked), `/who` and `/rooms`
 * answer for this node only. node-redis reconnects with back-off (capped at 2 s); the pump then
 * catches up from the streams and tells every local client the link is back.
 *
 * Why one file: the pump's state (link, dedupe ids, held nicks, pending publish) is one concept,
 * touched by one goroutine; splitting it would pass that state between files.
 *
 * @module
 */

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { after, chan, go, newTicker, recvCase, select, type Chan } from 'strand';
import { createClient, ErrorReply } from '@redis/client';
import type { Client } from '../client.js';
import { nickKey } from '../validate.js';
import type { Broker, HubSend, Presence, RoomEventData } from './types.js';

/** Redis broker settings. */
export interface RedisBrokerOptions {
  /** `redis://host:port` (or `rediss://`, with user and password if needed). */
  url: string;
  log: Logger;
  /** Messages kept per room (default 50). */
  historySize?: number;
  /** Rooms whose history is loaded and kept (default 1000, the hub's room cap). */
  maxRooms?: number;
  /** Outgoing events held while Redis is unreachable (default 1000); beyond it messages are refused. */
  bufferSize?: number;
  /** Heartbeat: nick renewal and presence refresh (default 2000 ms); claims expire after 5 beats. */
  heartbeatMs?: number;
  /** Key and channel prefix (default `chat:`). */
  prefix?: string;
  /**
   * How long a freed nick stays claimed by this node (default 0): the hub reserves a freed nick
   * for a while (nicks.ts), and keeping the claim makes that reservation hold on every node.
   */
  nickReserveMs?: number;
}

/**
 * Whether a node-redis error means the link is down (not connected, connection lost, timed out)
 * rather than Redis refusing the command (an error reply).
 */
export function isLinkError(err: unknown): boolean {
  return err instanceof Error && !(err instanceof ErrorReply);
}

/** Hub → pump requests other than outgoing events. */
type Ctl =
  | { op: 'claim'; ticket: number; nick: string; guest: boolean }
  | { op: 'release'; nick: string }
  | { op: 'census'; client: Client; kind: 'who' | 'rooms' };

/** A stream id as [milliseconds, sequence], comparable. */
type StreamId = [number, number];

function parseId(id: string): StreamId {
  const i = id.indexOf('-');
  return [Number(id.slice(0, i)), Number(id.slice(i + 1))];
}

function newer(a: StreamId, b: StreamId | undefined): boolean {
  return b === undefined || a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

/**
 * Publish one event. KEYS: stream, rooms set, lastpub. ARGV: max stream length, sequence number,
 * event json, channel, now, room, max rooms, node, 'h' (message: keep in history) or 'l' (live only).
 * Returns the stream id ('' for live only), or false if this sequence number was published already.
 */
const PUBLISH = `
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
if tonumber(ARGV[2]) <= last then return false end
redis.call('SET', KEYS[3], ARGV[2], 'PX', 86400000)
local id = ''
if ARGV[9] == 'h' then
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'n', ARGV[8], 'e', ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
  local max = tonumber(ARGV[7])
  if redis.call('ZCARD', KEYS[2]) > max then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -max - 1) end
end
redis.call('PUBLISH', ARGV[4], id .. ' ' .. ARGV[8] .. ' ' .. ARGV[3])
return id
`;

/** Delete each KEY whose value is ARGV[1] (the owner). */
const RELEASE = `
local n = 0
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k); n = n + 1 end
end
return n
`;

/**
 * Renew each KEY held by ARGV[1] for ARGV[2] ms; take back a KEY that has vanished (Redis lost its
 * data). Returns the KEYS now held by another node.
 */
const RENEW = `
local lost = {}
for _, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v == ARGV[1] then redis.call('PEXPIRE', k, ARGV[2])
  elseif not v then redis.call('SET', k, ARGV[1], 'PX', ARGV[2])
  else table.insert(lost, k) end
end
return lost
`;

const LINK_DOWN =
  "lost the link to the other chat servers (Redis): your messages reach this server's people now and the others once it is back";
const LINK_UP = 'the link to the other chat servers is back';

/** Incoming pub/sub payloads held before the pump takes them; beyond it, the pump catches up from the streams. */
const INBOX = 4096;

/** A broker that shares rooms, history, nicks and presence through Redis. See the module comment. */
export class RedisBroker implements Broker {
  readonly shared = true;
  /** This node's id: host, pid and a random part (unique per process start). */
  readonly nodeId: string;
  readonly #log: Logger;
  readonly #historySize: number;
  readonly #maxRooms: number;
  readonly #heartbeatMs: number;
  readonly #ttlMs: number;
  readonly #reserveMs: number;
  readonly #p: string;
  readonly #channel: string;
  readonly #cmd: ReturnType<typeof createClient>;
  readonly #sub: ReturnType<typeof createClient>;
  /** Hub → pump. Bounded; `out` is the outage buffer. */
  readonly #out: Chan<RoomEventData>;
  readonly #ctl = chan<Ctl>(1024);
  /** node-redis's pub/sub callback → pump. */
  readonly #inbox = chan<string>(INBOX);
  /** Pokes the pump (link change, presence change, inbox overflow). Capacity 1: pokes coalesce. */
  readonly #wake = chan<void>(1);
  readonly #stop = chan<void>();
  readonly #stopped = chan<void>();
  #send: HubSend = () => false;
  /** Set by the hub's calls and node-redis callbacks (same thread), cleared by the pump. */
  #presenceDirty = true;
  #gap = false;
  // ---- pump ----
  /** Linked: both connections ready and caught up. */
  #online = false;
  /** Told the hub the link is down (so it says when it is back). */
  #toldDown = false;
  /** History loaded once (before that, stream entries are history only, not live). */
  #loaded = false;
  /** Catch up again at the next heartbeat (the resubscribe may have raced the first catch-up). */
  #recheck = false;
  readonly #lastSeen = new Map<string, StreamId>();
  /** Nicks this node holds in Redis, by key. */
  readonly #held = new Map<string, string>();
  /** Held nicks that were freed, by key: when to release them (their reservation ends). */
  readonly #freed = new Map<string, number>();
  #seq = 0;
  /** An event whose publish failed with the link; sent again (same seq) before anything else. */
  #pending: { d: RoomEventData; seq: number } | null = null;

  constructor(opts: RedisBrokerOptions) {
    this.nodeId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#log = opts.log;
    this.#historySize = opts.historySize ?? 50;
    this.#maxRooms = opts.maxRooms ?? 1000;
    this.#heartbeatMs = opts.heartbeatMs ?? 2000;
    this.#ttlMs = this.#heartbeatMs * 5;
    this.#reserveMs = opts.nickReserveMs ?? 0;
    this.#p = opts.prefix ?? 'chat:';
    this.#channel = this.#p + 'events';
    this.#out = chan<RoomEventData>(opts.bufferSize ?? 1000);
    this.#cmd = createClient({
      url: opts.url,
      name: `chat:${this.nodeId}`,
      // Fail at once while disconnected: the pump holds what must wait, bounded, in its channels.
      disableOfflineQueue: true,
      commandsQueueMaxLength: 10_000,
      socket: { reconnectStrategy: backoff, connectTimeout: 2000 },
    });
    this.#sub = this.#cmd.duplicate({ name: `chat-sub:${this.nodeId}` });
    // Every (re)connection of the subscriber may have missed messages published while it was
    // away, and the pump may not even have seen it go down (a quick reconnect): mark a gap, so
    // the pump holds pub/sub payloads until it has caught up from the streams. Otherwise a live
    // message newer than the missed ones would move the dedupe id past them.
    this.#sub.on('ready', () => {
      this.#gap = true;
    });
    for (const [name, c] of [['commands', this.#cmd], ['subscriber', this.#sub]] as const) {
      c.on('ready', () => this.#poke());
      c.on('end', () => this.#poke());
      c.on('error', (err: Error) => {
        // Every failed reconnect attempt reports here; say it once per outage.
        if (this.#online) this.#log.warn({ conn: name, err: err.message }, 'redis: connection error');
        else this.#log.debug({ conn: name, err: err.message }, 'redis: connection error');
        this.#poke();
      });
    }
  }

  start(send: HubSend): void {
    this.#send = send;
    go(RedisBroker.#pump, this);
  }

  publish(d: RoomEventData): boolean {
    return this.#out.trySend(d);
  }

  claim(ticket: number, nick: string, guest: boolean): void {
    // Called on the hub goroutine, which must not wait on its own queue: answer from a goroutine.
    if (!this.#ctl.trySend({ op: 'claim', ticket, nick, guest })) go(this.#send, { op: 'claimed', ticket, nick: null, why: 'unavailable' });
  }

  release(nick: string): void {
    // If the queue is full the heartbeat's reconciliation releases it (held but not present).
    this.#ctl.trySend({ op: 'release', nick });
  }

  census(client: Client, kind: 'who' | 'rooms'): void {
    if (!this.#ctl.trySend({ op: 'census', client, kind })) go(this.#send, { op: 'census', client, kind, others: null });
  }

  presenceChanged(): void {
    this.#presenceDirty = true;
    this.#wake.trySend(undefined);
  }

  /** Releases this node's nicks and presence, publishes what is still queued if linked, disconnects. */
  async stop(): Promise<void> {
    if (!this.#stop.closed) this.#stop.close();
    await this.#stopped.recv();
  }

  #poke(): void {
    this.#wake.trySend(undefined);
  }

  // ---- the pump goroutine ------------------------------------------------------------------

  static async #pump(b: RedisBroker): Promise<void> {
    b.#connect();
    const ticker = newTicker(b.#heartbeatMs);
    const out = recvCase(b.#out);
    const ctl = recvCase(b.#ctl);
    const inbox = recvCase(b.#inbox);
    const wake = recvCase(b.#wake);
    const tick = recvCase(ticker.c);
    const stop = recvCase(b.#stop);
    const cases = [stop, ctl, inbox, wake, tick, out];
    try {
      for (;;) {
        // Go's nil-channel idiom: while the link is down, the outgoing case is never ready; and
        // pub/sub payloads wait while the link is down or a backlog was dropped, because a newer
        // id seen before the catch-up would hide the older ones the catch-up must still read.
        out.chan = b.#online ? b.#out : null;
        inbox.chan = b.#online && !b.#gap ? b.#inbox : null;
        const i = await select(cases);
        if (i === 0) break;
        if (i === 1) await b.#control(ctl.value!);
        else if (i === 2) await b.#incoming(inbox.value!);
        else if (i === 3 || i === 4) await b.#maintain(i === 4);
        else await b.#publishOne(out.value!, ++b.#seq);
      }
    } catch (err) {
      b.#log.error({ err }, 'redis broker: pump failed');
    } finally {
      ticker.stop();
      await b.#shutdown();
      b.#stopped.close();
    }
  }

  /** Starts both connections and the subscription (node-redis retries until Redis answers). */
  #connect(): void {
    const fail = (err: unknown): void => {
      if (!this.#stop.closed) this.#log.warn({ err: (err as Error).message }, 'redis: cannot connect');
    };
    this.#cmd.connect().then(() => this.#poke(), fail);
    this.#sub
      .connect()
      .then(() => this.#sub.subscribe(this.#channel, (m: string) => this.#onMessage(m)))
      .then(() => this.#poke(), fail);
  }

  /** node-redis's pub/sub callback: hand over, never block; on overflow, catch up later. */
  #onMessage(m: string): void {
    if (!this.#inbox.trySend(m)) {
      this.#gap = true;
      this.#poke();
    }
  }

  /** Link bookkeeping, presence, nick renewal; on `beat` also the periodic part. */
  async #maintain(beat: boolean): Promise<void> {
    const ready = this.#cmd.isReady && this.#sub.isReady && this.#subscribed();
    if (!ready) {
      if (this.#online) await this.#down();
      return;
    }
    try {
      if (!this.#online || this.#gap || (beat && this.#recheck)) {
        this.#recheck = !this.#online;
        this.#gap = false;
        await this.#catchUp();
        if (!this.#online) {
          this.#online = true;
          this.#log.info({ node: this.nodeId }, 'redis: linked');
          if (this.#toldDown) {
            this.#toldDown = false;
            await this.#send({ op: 'link', up: true, text: LINK_UP });
          }
          this.#presenceDirty = true;
        }
        if (this.#pending !== null) await this.#publishOne(this.#pending.d, this.#pending.seq);
      }
      if (this.#online && (this.#presenceDirty || beat)) await this.#heartbeat();
    } catch (err) {
      if (!isLinkError(err)) throw err;
      await this.#down();
    }
  }

  #subscribed(): boolean {
    return this.#sub.isPubSubActive;
  }

  async #down(): Promise<void> {
    if (!this.#online) return;
    this.#online = false;
    this.#log.warn({ node: this.nodeId }, 'redis: link lost; serving this node only until it is back');
    if (!this.#toldDown) {
      this.#toldDown = true;
      await this.#send({ op: 'link', up: false, text: LINK_DOWN });
    }
  }

  /** Publishes one event (idempotent per `seq`); on a lost link keeps it for after recovery. */
  async #publishOne(d: RoomEventData, seq: number): Promise<void> {
    const history = d.type === 'message' || d.type === 'action';
    const keys = [this.#p + 'history:' + d.room, this.#p + 'rooms', this.#p + 'lastpub:' + this.nodeId];
    const args = [String(this.#historySize), String(seq), JSON.stringify(d), this.#channel, String(Date.now()), d.room, String(this.#maxRooms), this.nodeId, history ? 'h' : 'l'];
    try {
      await this.#cmd.eval(PUBLISH, { keys, arguments: args });
      this.#pending = null;
    } catch (err) {
      if (!isLinkError(err)) {
        this.#pending = null;
        this.#log.error({ err, room: d.room }, 'redis: publish refused');
        return;
      }
      this.#pending = { d, seq };
      await this.#down();
    }
  }

  /** A pub/sub payload: `<stream id or ''> <node> <json>`. */
  async #incoming(m: string): Promise<void> {
    const a = m.indexOf(' ');
    const b = m.indexOf(' ', a + 1);
    if (a < 0 || b < 0) return;
    const id = m.slice(0, a);
    const node = m.slice(a + 1, b);
    let d: RoomEventData;
    try {
      d = JSON.parse(m.slice(b + 1)) as RoomEventData;
    } catch {
      return;
    }
    const own = node === this.nodeId;
    if (id === '') {
      if (!own) await this.#send({ op: 'remote', data: d, own, live: true });
      return;
    }
    await this.#entry(d.room, id, d, own, true);
  }

  /** One history entry (live or from a stream read), at most once per stream id. */
  async #entry(room: string, id: string, d: RoomEventData, own: boolean, live: boolean): Promise<void> {
    const sid = parseId(id);
    if (!newer(sid, this.#lastSeen.get(room))) return; // seen already
    this.#lastSeen.delete(room); // re-insert: the map's order is least recently used first
    this.#lastSeen.set(room, sid);
    if (this.#lastSeen.size > this.#maxRooms) this.#lastSeen.delete(this.#lastSeen.keys().next().value!);
    await this.#send({ op: 'remote', data: d, own, live });
  }

  /**
   * Reads the streams: at the first link, the last `historySize` entries of each room (history
   * only); after an outage or a pub/sub backlog, every entry after the last one seen (live).
   */
  async #catchUp(): Promise<void> {
    const rooms = await this.#cmd.zRange(this.#p + 'rooms', 0, this.#maxRooms - 1, { REV: true });
    const live = this.#loaded;
    let n = 0;
    for (const room of rooms) {
      const key = this.#p + 'history:' + room;
      const last = this.#lastSeen.get(room);
      const read =
        last === undefined
          ? ((await this.#cmd.xRevRange(key, '+', '-', { COUNT: this.#historySize })) ?? []).reverse()
          : ((await this.#cmd.xRange(key, `(${last[0]}-${last[1]}`, '+', { COUNT: this.#historySize * 4 })) ?? []);
      for (const e of read) {
        if (e === null) continue;
        const f = e.message as Record<string, string>;
        let d: RoomEventData;
        try {
          d = JSON.parse(f.e!) as RoomEventData;
        } catch {
          continue;
        }
        const before = this.#lastSeen.get(room);
        await this.#entry(room, e.id, d, f.n === this.nodeId, live);
        if (this.#lastSeen.get(room) !== before) n++;
      }
    }
    this.#loaded = true;
    if (n > 0) this.#log.info({ entries: n, rooms: rooms.length, live }, 'redis: read from the room streams');
  }

  /** Claims, releases, census queries. Claims and queries are answered even with the link down. */
  async #control(r: Ctl): Promise<void> {
    try {
      switch (r.op) {
        case 'claim': {
          if (!this.#online) return void (await this.#send({ op: 'claimed', ticket: r.ticket, nick: null, why: 'unavailable' }));
          const nick = await this.#claim(r.nick, r.guest);
          await this.#send({ op: 'claimed', ticket: r.ticket, nick, why: nick === null ? 'taken' : null });
          return;
        }
        case 'release': {
          const key = nickKey(r.nick);
          if (!this.#held.has(key)) return;
          if (this.#reserveMs > 0) {
            // Still claimed (and renewed) while reserved; the heartbeat releases it after.
            this.#freed.set(key, Date.now() + this.#reserveMs);
            return;
          }
          this.#held.delete(key);
          // While the link is down the claim simply expires (it is no longer renewed).
          if (this.#online) await this.#cmd.eval(RELEASE, { keys: [this.#p + 'nick:' + key], arguments: [this.nodeId] });
          return;
        }
        case 'census': {
          const others = this.#online ? await this.#others() : null;
          await this.#send({ op: 'census', client: r.client, kind: r.kind, others });
          return;
        }
      }
    } catch (err) {
      if (!isLinkError(err)) throw err;
      if (r.op === 'claim') await this.#send({ op: 'claimed', ticket: r.ticket, nick: null, why: 'unavailable' });
      else if (r.op === 'census') await this.#send({ op: 'census', client: r.client, kind: r.kind, others: null });
      await this.#down();
    }
  }

  /** `SET nick:<key> node NX PX ttl`; a guest gets `guest<n>` from a shared counter. */
  async #claim(nick: string, guest: boolean): Promise<string | null> {
    for (let tries = 0; tries < (guest ? 5 : 1); tries++) {
      const want = guest ? `guest${await this.#cmd.incr(this.#p + 'guests')}` : nick;
      const key = nickKey(want);
      if (this.#held.has(key)) {
        // Freed here and still reserved: the hub, which keeps the reservation, allowed it.
        this.#freed.delete(key);
        this.#held.set(key, want);
        return want;
      }
      const ok = await this.#cmd.set(this.#p + 'nick:' + key, this.nodeId, { condition: 'NX', expiration: { type: 'PX', value: this.#ttlMs } });
      if (ok !== null) {
        this.#held.set(key, want);
        return want;
      }
    }
    return null;
  }

  /** The other live nodes' presence (at most 100 nodes). */
  async #others(): Promise<Presence> {
    const now = Date.now();
    const nodes = (await this.#cmd.zRangeByScore(this.#p + 'nodes', now, '+inf', { LIMIT: { offset: 0, count: 100 } })).filter((n) => n !== this.nodeId);
    const hashes = await Promise.all(nodes.map((n) => this.#cmd.hGetAll(this.#p + 'presence:' + n)));
    const out: Presence = [];
    for (const h of hashes) for (const [nick, room] of entries(h)) out.push([nick, room]);
    return out;
  }

  /** Writes this node's presence, renews its nicks, releases nicks no local client holds. */
  async #heartbeat(): Promise<void> {
    this.#presenceDirty = false;
    const reply = chan<Presence>(1);
    if (!(await this.#send({ op: 'snapshot', reply }))) return;
    const present = (await reply.recv()) ?? [];
    const now = Date.now();
    const key = this.#p + 'presence:' + this.nodeId;
    const m = this.#cmd.multi().del(key);
    const fields = present.filter(([, room]) => room !== '').flatMap(([nick, room]) => [nick, room]);
    if (fields.length > 0) m.hSet(key, fields);
    await m
      .pExpire(key, this.#ttlMs)
      .zAdd(this.#p + 'nodes', { score: now + this.#ttlMs, value: this.nodeId })
      .zRemRangeByScore(this.#p + 'nodes', '-inf', now)
      .exec();
    // Reconcile: a held nick nobody here uses (its release could not be queued) counts as
    // freed; a freed one in use again is not; freed ones whose reservation is over are released.
    const keep = new Set(present.map(([nick]) => nickKey(nick)));
    for (const k of this.#held.keys()) {
      if (keep.has(k)) this.#freed.delete(k);
      else if (!this.#freed.has(k)) this.#freed.set(k, now + this.#reserveMs);
    }
    const stale = [...this.#freed].filter(([, due]) => due <= now).map(([k]) => k);
    for (const k of stale) {
      this.#held.delete(k);
      this.#freed.delete(k);
    }
    if (stale.length > 0) await this.#cmd.eval(RELEASE, { keys: stale.map((k) => this.#p + 'nick:' + k), arguments: [this.nodeId] });
    if (this.#held.size > 0) {
      const lost = (await this.#cmd.eval(RENEW, { keys: [...this.#held.keys()].map((k) => this.#p + 'nick:' + k), arguments: [this.nodeId, String(this.#ttlMs)] })) as string[];
      if (lost.length > 0) this.#log.warn({ nicks: lost }, 'redis: nick claims taken over by another node while the link was down');
    }
  }

  /** After the pump: publish what is queued (if linked, briefly), release nicks and presence, disconnect. */
  async #shutdown(): Promise<void> {
    const work = async (): Promise<void> => {
      if (this.#online) {
        if (this.#pending !== null) await this.#publishOne(this.#pending.d, this.#pending.seq);
        for (let d = this.#out.tryRecv(); this.#online && typeof d !== 'symbol'; d = this.#out.tryRecv()) await this.#publishOne(d, ++this.#seq);
        const keys = [...this.#held.keys()].map((k) => this.#p + 'nick:' + k);
        if (keys.length > 0) await this.#cmd.eval(RELEASE, { keys, arguments: [this.nodeId] });
        await this.#cmd.multi().del(this.#p + 'presence:' + this.nodeId).zRem(this.#p + 'nodes', this.nodeId).exec();
      }
    };
    const done = chan<void>(1);
    work().then(
      () => done.trySend(undefined),
      (err: unknown) => {
        this.#log.debug({ err: (err as Error).message }, 'redis: could not release on shutdown');
        done.trySend(undefined);
      },
    );
    await select([recvCase(done), recvCase(after(2000))]);
    this.#held.clear();
    this.#freed.clear();
    for (const c of [this.#cmd, this.#sub]) {
      try {
        c.destroy();
      } catch {
        // not connected
      }
    }
  }
}

/** Reconnect back-off: 100 ms doubling to 2 s, with jitter so nodes do not reconnect in step. */
function backoff(retries: number): number {
  return Math.min(100 * 2 ** retries, 2000) + Math.floor(Math.random() * 100);
}

/** A hash reply (RESP2 object or RESP3 map) as entries. */
function entries(h: unknown): Array<[string, string]> {
  if (h instanceof Map) return [...h].map(([k, v]) => [String(k), String(v)]);
  return Object.entries(h as Record<string, string>).map(([k, v]) => [k, String(v)]);
}
