/**
 * The default logger of servers that were not given one.
 *
 * @module
 */

import { pino, type Logger } from 'pino';

let dflt: Logger | null = null;

/**
 * The default logger: pino, JSON lines on stderr, level from `STRAND_LOG_LEVEL` (default
 * "info"); created on first use and shared by every server without a `logger` option.
 */
export function defaultLogger(): Logger {
  if (dflt === null) {
    dflt = pino({ name: 'strand/http', level: process.env.STRAND_LOG_LEVEL ?? 'info' }, pino.destination(2));
  }
  return dflt;
}

export type { Logger };
