/**
 * The chat's scale options: how many processes (`--procs N|auto`, `STRAND_PROCS`) and the broker
 * that lets them, or several machines, share rooms (`--redis URL`, `CHAT_REDIS_URL`).
 *
 * The rule: more than one process needs a shared broker. Without one every process would keep
 * its own rooms and people on different processes would silently not see each other, so that
 * combination is refused before anything starts.
 *
 * @module
 */

import { resolveProcs } from 'strand/procs';

/** Parsed scale options. */
export interface ScaleOptions {
  /** Redis URL of the shared broker, or null for the in-process one. */
  redis: string | null;
  /** Processes to run (1 = this one). */
  procs: number;
}

/** A bad or refused option; `main` prints `message` and exits with status 2. */
export class OptionError extends Error {
  readonly code = 'CHAT_ERR_OPTION';
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

/** Whether `err` is an {@link OptionError}. */
export function isOptionError(err: unknown): err is OptionError {
  return err instanceof OptionError;
}

/**
 * Reads `--procs` / `STRAND_PROCS` and `--redis` / `CHAT_REDIS_URL` (flags win).
 *
 * @throws {@link OptionError} for a malformed value, or `procs > 1` without Redis.
 * @example
 * ```ts
 * scaleOptions({ procs: '2', redis: 'redis://127.0.0.1:6379' }, {}); // { procs: 2, redis: 'redis://…' }
 * scaleOptions({ procs: '2' }, {}); // throws: rooms would split
 * ```
 */
export function scaleOptions(flags: { procs?: string | undefined; redis?: string | undefined }, env: NodeJS.ProcessEnv): ScaleOptions {
  const procsText = flags.procs ?? env.STRAND_PROCS;
  const procs = parseProcs(procsText);
  const url = flags.redis ?? env.CHAT_REDIS_URL;
  const redis = url === undefined || url === '' ? null : url;
  if (redis !== null && !/^rediss?:\/\/[^\s]+$/.test(redis)) {
    throw new OptionError(`--redis "${redis}" is not a Redis URL (redis://HOST:PORT or rediss://…)`);
  }
  if (procs > 1 && redis === null) {
    throw new OptionError(
      `--procs ${procsText} runs ${procs} processes, and without a shared broker each would keep its own rooms: ` +
        `people on different processes would silently not see each other. Give --redis redis://HOST:PORT ` +
        `(or CHAT_REDIS_URL), or run one process.`,
    );
  }
  return { redis, procs };
}

/** `N` (a positive integer) or `auto` (one per CPU, as strand/procs counts them); unset or '' is 1. */
export function parseProcs(v: string | undefined): number {
  if (v === undefined || v === '') return 1;
  if (v === 'auto') return resolveProcs('auto');
  if (!/^[1-9][0-9]{0,3}$/.test(v)) throw new OptionError(`--procs "${v}" must be a positive whole number or "auto"`);
  return Number(v);
}
