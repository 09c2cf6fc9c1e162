/**
 * What the hub sends to clients. One {@link Event} is built per broadcast and shared by every
 * recipient's outbox, so it is immutable; its two renderings (a text line for TCP, JSON for
 * the web page's SSE stream) are computed on first use and cached on the object.
 *
 * @module
 */

/** A room and how many people are in it, as listed by `/rooms`. */
export interface RoomInfo {
  room: string;
  members: number;
}

/** The data of an event; `ts` is milliseconds since the epoch. */
export type EventData =
  | { type: 'welcome'; nick: string; room: string; text: string }
  /** Your own nick or room changed (the web page uses it; TCP shows nothing). */
  | { type: 'state'; nick: string; room: string }
  | { type: 'message'; room: string; nick: string; text: string; ts: number; history?: boolean }
  | { type: 'action'; room: string; nick: string; text: string; ts: number; history?: boolean }
  | { type: 'join'; room: string; nick: string; ts: number }
  | { type: 'leave'; room: string; nick: string; reason: string; ts: number }
  | { type: 'rename'; room: string; from: string; nick: string; ts: number }
  /** `more`: how many members were left out of a long list (a reply is bounded in size). */
  | { type: 'who'; room: string; nicks: string[]; more?: number }
  /** `more`: how many rooms were left out of a long list. */
  | { type: 'rooms'; rooms: RoomInfo[]; more?: number }
  | { type: 'info'; text: string }
  | { type: 'error'; text: string }
  /** The last event a client gets: it is being disconnected (quit, too slow, shutdown). */
  | { type: 'bye'; text: string };

/** An event with its cached renderings. Build with {@link event}. */
export class Event {
  readonly data: EventData;
  /** @internal cache of {@link Event.line}; `undefined` until computed. */
  _line: string | null | undefined = undefined;
  /** @internal cache of {@link Event.json}. */
  _json: string | undefined = undefined;
  /** Cache of {@link Event.bytes}: TCP bytes and SSE bytes, -1 until computed. */
  #lineBytes = -1;
  #sseBytes = -1;

  constructor(data: EventData) {
    this.data = data;
  }

  /** The TCP rendering, ending in `\n`, or `null` when TCP clients are not shown this event. */
  get line(): string | null {
    if (this._line === undefined) this._line = formatLine(this.data);
    return this._line;
  }

  /** The JSON rendering (for SSE `data:`). */
  get json(): string {
    if (this._json === undefined) this._json = JSON.stringify(this.data);
    return this._json;
  }

  /**
   * What this event costs in a client's outbox, in bytes of UTF-8: its TCP line, or (`web`)
   * its JSON plus the SSE framing (`data: ` and a blank line). Outboxes are bounded by it.
   */
  bytes(web: boolean): number {
    if (web) {
      if (this.#sseBytes < 0) this.#sseBytes = Buffer.byteLength(this.json) + SSE_FRAMING;
      return this.#sseBytes;
    }
    if (this.#lineBytes < 0) this.#lineBytes = Buffer.byteLength(this.line ?? '');
    return this.#lineBytes;
  }
}

/** `data: ` + `\n\n` around each SSE event. */
const SSE_FRAMING = 8;

/** Builds an event. */
export function event(data: EventData): Event {
  return new Event(data);
}

/**
 * Renders an event as the TCP protocol's text line(s), each ending in `\n`:
 * `[room] <nick> text`, `[room] * nick action`, `[room] -> nick joined`, `* info`,
 * `! error: text`.
 */
export function formatLine(d: EventData): string | null {
  switch (d.type) {
    case 'welcome':
      return `* ${d.text}\n`;
    case 'state':
      return null;
    case 'message':
      return `[${d.room}] <${d.nick}> ${d.text}\n`;
    case 'action':
      return `[${d.room}] * ${d.nick} ${d.text}\n`;
    case 'join':
      return `[${d.room}] -> ${d.nick} joined\n`;
    case 'leave':
      return `[${d.room}] <- ${d.nick} left${d.reason ? ` (${d.reason})` : ''}\n`;
    case 'rename':
      return `[${d.room}] ${d.from} is now known as ${d.nick}\n`;
    case 'who':
      return `* in #${d.room}: ${d.nicks.join(', ')}${more(d.more)}\n`;
    case 'rooms':
      return `* rooms: ${d.rooms.map((r) => `#${r.room} (${r.members})`).join(', ')}${more(d.more)}\n`;
    case 'info':
      return `* ${d.text}\n`;
    case 'error':
      return `! error: ${d.text}\n`;
    case 'bye':
      return `* bye: ${d.text}\n`;
  }
}

function more(n: number | undefined): string {
  return n === undefined || n === 0 ? '' : ` and ${n} more`;
}
