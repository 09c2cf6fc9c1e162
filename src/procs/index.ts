/**
 * strand/procs — Go's GOMAXPROCS for strand, by processes: run one program as N processes on
 * shared listening ports, under a supervisor.
 *
 * A strand runtime is one event loop, so one process uses one core. {@link run} starts N
 * processes of the same program (workers), each a full, independent strand runtime:
 * **goroutines, channels, mutexes and every other in-memory value do not cross processes.**
 * Connections are spread over the workers by the kernel (SO_REUSEPORT, Linux, Node ≥ 22.12 /
 * 23.1) or by node:cluster (elsewhere); `listen` and `listenAndServe` need no change. What must
 * be shared between workers (chat rooms, sessions) goes through a real broker or database.
 *
 * Layering: procs sits above net and http (it knows programs, not sockets). net learns that it
 * runs in a worker from the `STRAND_PROCS_SHARE` environment variable the supervisor sets, and
 * tells the supervisor that a worker listens through a diagnostics channel; it imports nothing
 * from here.
 *
 * @example
 * ```ts
 * import { listen, copy } from 'strand/net';
 * import { go } from 'strand';
 * import { run, procsFromArgs } from 'strand/procs';
 *
 * run(async () => {
 *   const ln = await listen('tcp', '127.0.0.1:7007'); // every worker: the same port
 *   for await (const conn of ln) go(async () => void (await copy(conn, conn)));
 * }, { procs: procsFromArgs() }); // --procs N|auto, or STRAND_PROCS
 * ```
 *
 * @module
 */
export { run, type RunOptions } from './run.js';
export { procsFromArgs, resolveProcs, type Procs } from './args.js';
export { sharing, reusePortAvailable, type Sharing } from './share.js';
export { workerId } from './worker.js';
export { procsCodes } from './errors.js';
