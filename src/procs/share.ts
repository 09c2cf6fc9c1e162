/**
 * How workers share a listening port, chosen once per Node line.
 *
 * - `reusePort`: each worker binds the port itself with SO_REUSEPORT and the kernel spreads new
 *   connections over their accept queues. Linux with Node ≥ 22.12 (22.x) or ≥ 23.1. strand/net's
 *   `listen` does it in a worker when the supervisor sets `STRAND_PROCS_SHARE=reusePort` in the
 *   worker's environment (the contract between the two layers; net does not import procs).
 * - `cluster`: node:cluster's shared handle. The primary binds the port and hands each accepted
 *   connection to a worker in turn (round-robin). Works on every Node line, for every kind of
 *   listener, with no help from net.
 *
 * Measured here (2 shared, loaded cores, Node 24, `npm run load -- scale`, see
 * load-tests/results/scale.md): strand at 2 processes with reusePort did 1.04× the HTTP req/s
 * and 1.21× the echo round trips/s of the same program on cluster round-robin. The machine was
 * noisy, but reusePort also removes a structural cost (the primary accepting every connection
 * and passing its handle over IPC, a hop that also makes the primary a bottleneck for connection
 * churn), so it is the default wherever it exists.
 *
 * @module
 */

import { errInvalidArg } from './errors.js';

/** How workers share a listening port (see the module comment). */
export type Sharing = 'reusePort' | 'cluster';

/** The environment variable through which the supervisor tells a worker's net layer. */
export const SHARE_ENV = 'STRAND_PROCS_SHARE';

/** Whether this Node line and platform can bind with SO_REUSEPORT through `listen`. */
export function reusePortAvailable(): boolean {
  if (process.platform !== 'linux') return false;
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/**
 * The sharing a supervisor will use: `want` if given (or `STRAND_PROCS_SHARE` in the
 * environment), else the best this Node offers (`reusePort` where available, `cluster`
 * otherwise). Asking for `reusePort` where it is not available falls back to `cluster` — a
 * program never fails for lack of it.
 *
 * @param want `'auto'` (default), `'reusePort'` or `'cluster'`.
 * @returns the sharing workers will use.
 * @throws StrandError `STRAND_ERR_INVALID_ARG` for another value.
 */
export function sharing(want: Sharing | 'auto' | undefined = undefined): Sharing {
  const w = want ?? (process.env[SHARE_ENV] as Sharing | 'auto' | undefined) ?? 'auto';
  if (w !== 'auto' && w !== 'reusePort' && w !== 'cluster') {
    throw errInvalidArg(`sharing must be "auto", "reusePort" or "cluster", got ${JSON.stringify(w)}`);
  }
  if (w === 'cluster') return 'cluster';
  return reusePortAvailable() ? 'reusePort' : 'cluster';
}
