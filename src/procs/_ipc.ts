/**
 * The messages between the supervisor and its workers over node:cluster's IPC channel. Each is
 * an object with a `strandProcs` tag, so a program's own `process.send` traffic is left alone.
 *
 * @module
 */

/** primary → worker: send your goroutine dump. */
export interface DumpRequest {
  strandProcs: 'dump';
  seq: number;
}

/** worker → primary: the dump (`formatDump()` output). */
export interface DumpReply {
  strandProcs: 'dump-reply';
  seq: number;
  text: string;
}

/** worker → primary: a strand listener is listening (the worker is up). */
export interface Listening {
  strandProcs: 'listening';
}

/** Any procs message. */
export type Message = DumpRequest | DumpReply | Listening;

/** Whether `m` is a procs message (and not the program's own). */
export function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as { strandProcs?: unknown }).strandProcs === 'string';
}

/** The environment variable naming a worker's slot (1..N); set by the supervisor. */
export const WORKER_ENV = 'STRAND_PROCS_WORKER';
