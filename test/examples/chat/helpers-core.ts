/**
 * Helpers for the chat core tests: a hub with a silent logger and clients whose outboxes the
 * test reads directly.
 */
import { pino } from 'pino';
import { chan, CLOSED } from '../../../src/index.js';
import { Client } from '../../../examples/chat/client.js';
import { Hub, type HubOptions, type Refusal } from '../../../examples/chat/hub.js';
import { parseLine } from '../../../examples/chat/commands.js';
import type { EventData } from '../../../examples/chat/events.js';

export function newHub(opts: Partial<HubOptions> = {}): Hub {
  const hub = new Hub({ log: pino({ level: 'silent' }), ...opts });
  hub.start();
  return hub;
}

/** Connects a client (nick '' = guest); throws with the hub's error text if refused. */
export async function join(hub: Hub, nick = '', room = 'lobby', outbox = 256): Promise<Client> {
  const c = new Client('tcp', 'test', outbox);
  const err = await tryJoin(hub, c, nick, room);
  if (err !== null) throw new Error(err);
  return c;
}

export async function tryJoin(hub: Hub, c: Client, nick: string, room = 'lobby'): Promise<string | null> {
  const reply = chan<Refusal | null>(1);
  if (!(await hub.send({ op: 'connect', client: c, nick, room, reply }))) return 'hub stopped';
  return (await reply.recv())?.message ?? null;
}

/** Sends one protocol line as the client would. */
export async function line(hub: Hub, c: Client, text: string): Promise<void> {
  const cmd = parseLine(text);
  if (cmd !== null) await hub.send({ ...cmd, client: c });
}

/** Next event in the client's outbox, or null once it is closed. */
export async function next(c: Client): Promise<EventData | null> {
  const v = await c.outbox.recvOrClosed();
  return v === CLOSED ? null : v.data;
}

/** Receives until an event matches, returning it (fails if the outbox closes first). */
export async function until(c: Client, pred: (d: EventData) => boolean): Promise<EventData> {
  for (;;) {
    const d = await next(c);
    if (d === null) throw new Error('outbox closed before the expected event');
    if (pred(d)) return d;
  }
}

/** Everything queued right now, without waiting. */
export function drain(c: Client): EventData[] {
  const out: EventData[] = [];
  for (;;) {
    const v = c.outbox.tryRecv();
    if (typeof v === 'symbol') return out;
    out.push(v.data);
  }
}

/** Waits until the hub has handled everything sent so far (a stats round trip). */
export async function sync(hub: Hub): Promise<void> {
  await hub.stats();
}
