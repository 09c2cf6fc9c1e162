/**
 * The worker side of strand/procs: runs the program under strand's `main()` and answers the
 * supervisor.
 *
 * - SIGQUIT does not kill a worker (Ctrl-\ in a terminal reaches the whole process group): the
 *   supervisor asks each worker for its dump over IPC instead and prints them labelled.
 * - When a strand listener starts listening (strand/net's diagnostics channel) the worker tells
 *   the supervisor once: it is up, so later crashes are not start-up crashes.
 * - The IPC channel to the supervisor stays ref'd, as node:cluster keeps it (a cluster-shared
 *   listen waits on it for the primary's answer). So a worker ends when its main goroutine
 *   returns or panics, but the event loop never runs dry while the supervisor lives: a worker
 *   whose goroutines are all blocked is not reported as a deadlock — the SIGQUIT dump shows it.
 *   A worker whose primary is gone exits (node:cluster's rule).
 *
 * @module
 */

import cluster from 'node:cluster';
import { subscribe } from 'node:diagnostics_channel';
import { formatDump, main } from '../runtime/index.js';
import { LISTEN_CHANNEL } from '../net/index.js';
import { WORKER_ENV, isMessage, type DumpReply, type Listening } from './_ipc.js';

function noop(): void {}

function send(m: DumpReply | Listening): void {
  if (process.send === undefined || !process.connected) return;
  process.send(m, undefined, {}, noop); // the primary may be gone: nothing to do then
}

let told = false;
function onListen(): void {
  if (told) return;
  told = true;
  send({ strandProcs: 'listening' });
}

function onMessage(m: unknown): void {
  if (!isMessage(m) || m.strandProcs !== 'dump') return;
  send({ strandProcs: 'dump-reply', seq: m.seq, text: formatDump() });
}

/** @internal Runs `fn` as this worker's main goroutine, wired to the supervisor. */
export function runWorker(fn: () => unknown): void {
  process.on('SIGQUIT', noop);
  process.on('message', onMessage);
  subscribe(LISTEN_CHANNEL, onListen);
  main(fn);
}

/**
 * This process's worker number under a procs supervisor: 1..N in a worker, 0 in a program that
 * runs as one process (`procs` 1) or in the supervisor itself. A restarted worker keeps the
 * number of the one it replaces.
 */
export function workerId(): number {
  if (!cluster.isWorker) return 0;
  const v = Number(process.env[WORKER_ENV]);
  return Number.isSafeInteger(v) && v > 0 ? v : 0;
}
