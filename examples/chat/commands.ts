/**
 * The line protocol: one line of input becomes one {@link Command}. Pure functions, no state;
 * the per-client goroutine calls {@link parseLine} and sends the result to the hub.
 *
 * @module
 */

import { sanitize } from './validate.js';

/** What a line of input asks for. */
export type Command =
  | { op: 'say'; text: string }
  | { op: 'me'; text: string }
  | { op: 'nick'; nick: string }
  | { op: 'join'; room: string }
  | { op: 'who' }
  | { op: 'rooms' }
  | { op: 'help' }
  | { op: 'quit'; reason: string }
  /** A line that could not be parsed: `text` says why, for the user. */
  | { op: 'invalid'; text: string };

/** The `/help` text, one entry per line. */
export const HELP: readonly string[] = [
  'commands:',
  '  /nick NAME    change your nick (letters, digits, _ and -; must be unique)',
  '  /join ROOM    leave this room and join ROOM (created if needed)',
  '  /rooms        list the rooms and how many people are in each',
  '  /who          list the people in this room',
  '  /me ACTION    say what you are doing ("/me waves")',
  '  /quit [WHY]   leave the chat',
  '  /help         this text',
  'anything else is a message to your room; start it with // to send a line beginning with /',
];

/**
 * Parses one line of client input (already decoded, without its line ending).
 *
 * @param raw - the line as received.
 * @returns the command, or `null` for a line that is empty once sanitized (ignored).
 * @example
 * ```ts
 * parseLine('/join #go'); // { op: 'join', room: '#go' }
 * parseLine('hello');     // { op: 'say', text: 'hello' }
 * ```
 */
export function parseLine(raw: string): Command | null {
  const line = sanitize(raw);
  if (line === '') return null;
  if (line[0] !== '/') return { op: 'say', text: line };
  if (line.startsWith('//')) return { op: 'say', text: line.slice(1) };
  const sp = line.indexOf(' ');
  const name = (sp < 0 ? line.slice(1) : line.slice(1, sp)).toLowerCase();
  const arg = sp < 0 ? '' : line.slice(sp + 1).trim();
  switch (name) {
    case 'nick':
      return arg === '' || arg.includes(' ') ? usage('/nick NAME') : { op: 'nick', nick: arg };
    case 'join':
      return arg === '' || arg.includes(' ') ? usage('/join ROOM') : { op: 'join', room: arg };
    case 'me':
      return arg === '' ? usage('/me ACTION') : { op: 'me', text: arg };
    case 'who':
      return { op: 'who' };
    case 'rooms':
      return { op: 'rooms' };
    case 'help':
      return { op: 'help' };
    case 'quit':
      return { op: 'quit', reason: arg };
    default:
      return { op: 'invalid', text: `unknown command /${name.slice(0, 40)}; type /help for the list` };
  }
}

function usage(u: string): Command {
  return { op: 'invalid', text: `usage: ${u}` };
}
