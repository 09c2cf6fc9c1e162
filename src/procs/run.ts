/**
 * `run`: the entry point of a program that may run as N processes.
 *
 * @module
 */

import cluster from 'node:cluster';
import { main } from '../runtime/index.js';
import { errInvalidArg, errRunTwice } from './errors.js';
import { resolveProcs, procsFromArgs, type Procs } from './args.js';
import { sharing, type Sharing } from './share.js';
import { supervise } from './supervisor.js';
import { runWorker } from './worker.js';
import { WORKER_ENV } from './_ipc.js';

/** Options of {@link run}. */
export interface RunOptions {
  /**
   * How many processes: a positive integer or `'auto'` (`os.availableParallelism()`). Default:
   * {@link procsFromArgs} (`--procs` on the command line, else `STRAND_PROCS`, else 1).
   */
  procs?: Procs;
  /**
   * How workers share listening ports: `'auto'` (default: `reusePort` where this Node has it,
   * else `cluster`), `'reusePort'` (falls back to `cluster` where unavailable) or `'cluster'`.
   * `STRAND_PROCS_SHARE` in the environment sets it too.
   */
  share?: Sharing | 'auto';
  /**
   * Crashes at start-up (before any worker listened) within {@link startWindowMs} after which
   * the supervisor gives up and exits 1 (default 5).
   */
  maxStartCrashes?: number;
  /** The window for {@link maxStartCrashes}, in ms (default 10,000). */
  startWindowMs?: number;
}

let ran = false;

/**
 * Runs a program as N processes, each a full strand runtime (Go's GOMAXPROCS, by processes).
 *
 * - N = 1 (the default): `fn` runs in this process as its main goroutine, exactly as
 *   `main(fn)` — no supervisor, no extra process.
 * - N > 1, in the process you started (the primary): starts N workers, each re-running the
 *   program's entry module, and supervises them (restarts a crashed worker with back-off, gives
 *   up after repeated start-up crashes, forwards SIGTERM/SIGINT for a graceful drain and exits 0
 *   once every worker has drained, prints every worker's goroutine dump on SIGQUIT). `fn` does
 *   not run in the primary.
 * - In a worker: `fn` runs as the worker's main goroutine (`main(fn)`). strand/net's `listen`
 *   and strand/http's `listenAndServe` work unchanged: every worker listens on the same port
 *   (SO_REUSEPORT where Node has it, node:cluster's shared handle otherwise).
 *
 * Goroutines, channels and every other in-memory value do not cross processes: each worker has
 * its own. Share state between workers through something outside them (a database, a broker).
 * Code before `run` runs in every process; do the work inside `fn`.
 *
 * @param fn the program's main function (Go's `func main`).
 * @param opts the process count and supervision knobs.
 * @throws StrandError `STRAND_ERR_INVALID_ARG` for a bad process count (also from
 *   `--procs`/`STRAND_PROCS`), `STRAND_ERR_PROCS_RUN_TWICE` when called twice.
 * @example
 * ```ts
 * import { run, procsFromArgs } from 'strand/procs';
 * run(async () => {
 *   // listen, accept, serve: as in a one-process program
 * }, { procs: procsFromArgs() });
 * ```
 */
export function run(fn: () => Promise<void> | void, opts: RunOptions = {}): void {
  if (ran) throw errRunTwice();
  ran = true;
  if (cluster.isWorker && process.env[WORKER_ENV] !== undefined) {
    runWorker(fn);
    return;
  }
  const n = resolveProcs(opts.procs ?? procsFromArgs());
  const maxStartCrashes = opts.maxStartCrashes ?? 5;
  const startWindowMs = opts.startWindowMs ?? 10_000;
  if (!Number.isSafeInteger(maxStartCrashes) || maxStartCrashes < 1) throw errInvalidArg('maxStartCrashes must be a positive integer');
  if (!(startWindowMs > 0)) throw errInvalidArg('startWindowMs must be positive');
  const share = sharing(opts.share);
  if (n === 1) {
    main(fn);
    return;
  }
  supervise({ procs: n, sharing: share, maxStartCrashes, startWindowMs });
}
