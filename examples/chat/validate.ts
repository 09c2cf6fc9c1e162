/**
 * Input hygiene and name rules, shared by the TCP and the web side.
 *
 * Every line a client sends goes through {@link sanitize} before anything else looks at it:
 * invalid UTF-8 has already become U+FFFD (the decoder replaces it), lone UTF-16 surrogates
 * (possible in JSON from a browser) become U+FFFD too, tabs become spaces, and control
 * characters are removed: C0 and C1 controls, DEL, the BOM, and the bidirectional embedding,
 * override and isolate controls (which can make a line display differently from what it says).
 *
 * @module
 */

/** Longest line a client may send, in bytes of UTF-8, not counting the line ending. */
export const MAX_LINE_BYTES = 4096;
/** Longest nick, in characters. */
export const MAX_NICK = 24;
/** Longest room name, in characters (without the leading `#`). */
export const MAX_ROOM = 32;

const controls = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const nickRe = /^[A-Za-z][A-Za-z0-9_-]*$/;
const roomRe = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Cleans one line of client input: lone surrogates → U+FFFD, tab → space, control characters
 * removed, surrounding white space trimmed.
 *
 * @param line - the decoded line, without its line ending.
 * @returns the cleaned line (possibly empty).
 * @example
 * ```ts
 * sanitize('hi\u0007 there\r'); // "hi there"
 * ```
 */
export function sanitize(line: string): string {
  return line.replace(loneSurrogates, '\ufffd').replace(/\t/g, ' ').replace(controls, '').trim();
}

/**
 * Checks a nick against the rules: 1 to {@link MAX_NICK} ASCII letters, digits, `_` or `-`,
 * starting with a letter.
 *
 * @returns `null` if valid, else an error text for the user.
 */
export function checkNick(nick: string): string | null {
  if (nick.length === 0) return 'a nick cannot be empty';
  if (nick.length > MAX_NICK) return `nick "${clip(nick)}" is too long (max ${MAX_NICK} characters)`;
  if (!nickRe.test(nick)) {
    return `nick "${clip(nick)}" is invalid: use letters, digits, "_" or "-", starting with a letter`;
  }
  return null;
}

/**
 * The key under which a nick is unique: nicks that map to the same key cannot both be in use
 * (today case-insensitively: `Ana` and `ana` are one nick). The hub's nick table and the Redis
 * broker's nick claims both go through this one function.
 */
export function nickKey(nick: string): string {
  return nick.toLowerCase();
}

/**
 * Normalizes a room name (`#Go` and `go` are the same room, `go`) and checks it: 1 to
 * {@link MAX_ROOM} lowercase ASCII letters, digits, `_` or `-`, starting with a letter or digit.
 *
 * @returns `[room, null]` if valid, else `["", error text]`.
 */
export function normalizeRoom(name: string): [string, string | null] {
  const room = (name.startsWith('#') ? name.slice(1) : name).toLowerCase();
  if (room.length === 0) return ['', 'a room name cannot be empty'];
  if (room.length > MAX_ROOM) return ['', `room "${clip(name)}" is too long (max ${MAX_ROOM} characters)`];
  if (!roomRe.test(room)) {
    return ['', `room "${clip(name)}" is invalid: use letters, digits, "_" or "-"`];
  }
  return [room, null];
}

/** Shortens a rejected name for an error message. */
function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}
