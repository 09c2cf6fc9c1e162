/**
 * How many processes: `--procs N|auto` on the command line, `STRAND_PROCS` in the environment
 * (Go's GOMAXPROCS), `auto` = `os.availableParallelism()`, default 1.
 *
 * @module
 */

import { availableParallelism } from 'node:os';
import { errInvalidArg } from './errors.js';

/** A process count as a user writes it: a positive integer, or `'auto'` (one per CPU). */
export type Procs = number | 'auto';

/**
 * Resolves a process count: `'auto'` becomes `os.availableParallelism()`.
 *
 * @param n a positive integer or `'auto'`.
 * @returns the number of processes (≥ 1).
 * @throws StrandError `STRAND_ERR_INVALID_ARG` for anything else (0, negative, fractional).
 */
export function resolveProcs(n: Procs): number {
  if (n === 'auto') return Math.max(1, availableParallelism());
  if (!Number.isSafeInteger(n) || n < 1) throw errInvalidArg(`process count must be a positive integer or "auto", got ${String(n)}`);
  return n;
}

function parse(text: string, from: string): number {
  const t = text.trim();
  if (t === 'auto') return resolveProcs('auto');
  if (!/^[0-9]+$/.test(t)) throw errInvalidArg(`${from} wants a positive integer or "auto", got ${JSON.stringify(text)}`);
  const n = Number(t);
  if (n < 1) throw errInvalidArg(`${from} wants a positive integer or "auto", got ${JSON.stringify(text)}`);
  return n;
}

/**
 * The process count a program was asked for: `--procs N`, `--procs=N` or `--procs auto` in
 * `argv` wins over `STRAND_PROCS` in `env`; neither means 1. `auto` is
 * `os.availableParallelism()`. Other arguments are ignored (parse them as usual; declare
 * `procs` as a string option if your parser is strict).
 *
 * @param argv the program's arguments (default `process.argv.slice(2)`).
 * @param env the environment (default `process.env`).
 * @returns the number of processes to run (≥ 1).
 * @throws StrandError `STRAND_ERR_INVALID_ARG` when the value is not a positive integer or `auto`.
 * @example
 * ```ts
 * procsFromArgs(['--procs', '2'], {}); // 2
 * procsFromArgs([], { STRAND_PROCS: 'auto' }); // os.availableParallelism()
 * ```
 */
export function procsFromArgs(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--procs') {
      const v = argv[i + 1];
      if (v === undefined) throw errInvalidArg('--procs needs a value (a positive integer or "auto")');
      flag = v;
      i++;
    } else if (a.startsWith('--procs=')) {
      flag = a.slice('--procs='.length);
    }
  }
  if (flag !== undefined) return parse(flag, '--procs');
  const e = env.STRAND_PROCS;
  if (e !== undefined && e !== '') return parse(e, 'STRAND_PROCS');
  return 1;
}
