/**
 * The supervisor: the primary process of a program run as N processes. It runs no goroutine of
 * the program; it starts N workers (node:cluster, which re-runs the program's entry module) and
 * keeps them running.
 *
 * Rules:
 * - A worker that exits non-zero or is killed (a panic is status 2) while the supervisor is not
 *   stopping is restarted in the same slot after a back-off: 100 ms, doubling per consecutive
 *   crash of that slot up to 5 s; the count resets once a replacement has stayed up 10 s.
 * - Start-up crash loop: while no worker has ever listened (strand/net's listen, or a cluster
 *   shared listen), {@link SupervisorOptions.maxStartCrashes} crashes within
 *   {@link SupervisorOptions.startWindowMs} make it give up: it prints a
 *   `STRAND_ERR_PROCS_START_FAILED` error, kills the remaining workers and exits 1.
 * - A worker that exits 0 on its own has finished (its main returned): it is not restarted. When
 *   no worker is left the supervisor exits 0.
 * - SIGTERM / SIGINT: stop restarting, forward the signal to every worker (their own
 *   `signal.notify` handling drains them), and exit once all have exited: 0 when each exited 0
 *   or by that very signal (a program that does not catch it), 1 otherwise. A second signal
 *   kills the workers (SIGKILL) and exits 1.
 * - SIGQUIT: every live worker is asked (IPC) for its goroutine dump; the dumps are printed to
 *   stderr in worker order, each under `--- worker N (pid P) ---`. A worker that does not answer
 *   within 2 s is shown as such. Nobody exits.
 *
 * State: all fields are touched only by the primary's single JavaScript thread, from cluster
 * and signal events.
 *
 * @module
 */

import cluster, { type Worker } from 'node:cluster';
import { errStartFailed } from './errors.js';
import { SHARE_ENV, type Sharing } from './share.js';
import { WORKER_ENV, isMessage, type DumpRequest } from './_ipc.js';

/** @internal What the supervisor needs to know. */
export interface SupervisorOptions {
  procs: number;
  sharing: Sharing;
  maxStartCrashes: number;
  startWindowMs: number;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;
/** A worker up this long is healthy: its slot's crash count resets. */
const HEALTHY_MS = 10_000;
const DUMP_TIMEOUT_MS = 2_000;

/** One worker position (1..N); its process is replaced on a crash. */
interface Slot {
  readonly id: number;
  worker: Worker | null;
  startedAt: number;
  /** Consecutive crashes (reset when a worker stayed up HEALTHY_MS). */
  crashes: number;
  restartTimer: NodeJS.Timeout | null;
  /** Finished on its own (exit 0): not restarted. */
  done: boolean;
}

function say(line: string): void {
  process.stderr.write(`procs: ${line}\n`);
}

function describeExit(code: number | null, signal: string | null): string {
  return signal !== null ? `signal ${signal}` : `exit status ${code ?? 0}`;
}

/** @internal Starts the supervisor in the primary process; never returns control to the program. */
export function supervise(opts: SupervisorOptions): void {
  const slots: Slot[] = [];
  let everListened = false;
  const startCrashes: number[] = [];
  let stopping: NodeJS.Signals | null = null;
  let stopFailed = false;
  let dumpSeq = 0;

  const fork = (slot: Slot): void => {
    slot.restartTimer = null;
    const w = cluster.fork({ [WORKER_ENV]: String(slot.id), [SHARE_ENV]: opts.sharing });
    slot.worker = w;
    slot.startedAt = Date.now();
    w.on('message', (m: unknown) => {
      if (isMessage(m) && m.strandProcs === 'listening') everListened = true;
    });
    w.on('listening', () => (everListened = true)); // a cluster-shared listen (any kind of server)
    w.on('exit', (code, signal) => onExit(slot, w, code, signal));
  };

  const live = (): Slot[] => slots.filter((s) => s.worker !== null);

  const finish = (code: number): void => {
    for (const s of slots) if (s.restartTimer !== null) clearTimeout(s.restartTimer);
    process.exit(code);
  };

  const maybeFinish = (): void => {
    if (live().length > 0) return;
    if (stopping !== null) {
      finish(stopFailed ? 1 : 0);
      return;
    }
    if (slots.every((s) => s.done)) finish(0);
  };

  const giveUp = (last: string): void => {
    const err = errStartFailed(
      `giving up: workers crashed ${startCrashes.length} times within ${opts.startWindowMs / 1000} s ` +
        `before any of them listened (last: ${last})`,
    );
    process.stderr.write(`${err.message} [${err.code}]\n`);
    stopping = 'SIGKILL';
    for (const s of slots) {
      if (s.restartTimer !== null) clearTimeout(s.restartTimer);
      s.worker?.process.kill('SIGKILL');
    }
    stopFailed = true;
    process.exitCode = 1;
    if (live().length === 0) finish(1);
    // else the last exit event calls finish(1)
  };

  const onExit = (slot: Slot, w: Worker, code: number | null, signal: string | null): void => {
    if (slot.worker !== w) return;
    slot.worker = null;
    const how = describeExit(code, signal);
    if (stopping !== null) {
      if (!(code === 0 || signal === stopping)) {
        stopFailed = true;
        say(`worker ${slot.id} (pid ${w.process.pid}) ended the drain with ${how}`);
      }
      maybeFinish();
      return;
    }
    if (code === 0 && signal === null) {
      slot.done = true;
      maybeFinish();
      return;
    }
    const now = Date.now();
    if (now - slot.startedAt >= HEALTHY_MS) slot.crashes = 0;
    slot.crashes++;
    if (!everListened) {
      startCrashes.push(now);
      while (startCrashes.length > 0 && startCrashes[0]! < now - opts.startWindowMs) startCrashes.shift();
      if (startCrashes.length >= opts.maxStartCrashes) {
        giveUp(`worker ${slot.id}, ${how}`);
        return;
      }
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (slot.crashes - 1));
    say(`worker ${slot.id} (pid ${w.process.pid}) exited with ${how}; restarting in ${delay} ms`);
    slot.restartTimer = setTimeout(fork, delay, slot);
  };

  const onStop = (sig: NodeJS.Signals): void => {
    if (stopping !== null) {
      if (stopping === 'SIGKILL') return;
      say(`second ${sig}: killing the workers`);
      stopFailed = true;
      for (const s of live()) s.worker!.process.kill('SIGKILL');
      return;
    }
    stopping = sig;
    for (const s of slots) {
      if (s.restartTimer !== null) clearTimeout(s.restartTimer);
      s.restartTimer = null;
    }
    for (const s of live()) s.worker!.process.kill(sig);
    maybeFinish();
  };

  const onQuit = (): void => {
    const seq = ++dumpSeq;
    const workers = live().map((s) => ({ id: s.id, w: s.worker! }));
    const texts = workers.map(
      ({ w }) =>
        new Promise<string>((resolve) => {
          const timer = setTimeout(() => done(`(no answer within ${DUMP_TIMEOUT_MS / 1000} s)\n`), DUMP_TIMEOUT_MS);
          const onMsg = (m: unknown): void => {
            if (isMessage(m) && m.strandProcs === 'dump-reply' && m.seq === seq) done(m.text);
          };
          const onGone = (): void => done('(exited before answering)\n');
          function done(text: string): void {
            clearTimeout(timer);
            w.removeListener('message', onMsg);
            w.removeListener('exit', onGone);
            resolve(text);
          }
          w.on('message', onMsg);
          w.once('exit', onGone);
          const req: DumpRequest = { strandProcs: 'dump', seq };
          if (w.isConnected()) w.send(req, undefined, (err: Error | null) => err && onGone());
          else onGone();
        }),
    );
    void Promise.all(texts).then((all) => {
      let out = `SIGQUIT: goroutine dumps of ${workers.length} worker${workers.length === 1 ? '' : 's'}\n\n`;
      all.forEach((text, i) => {
        out += `--- worker ${workers[i]!.id} (pid ${workers[i]!.w.process.pid}) ---\n${text}\n`;
      });
      process.stderr.write(out);
    });
  };

  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGQUIT', onQuit);
  for (let id = 1; id <= opts.procs; id++) {
    const slot: Slot = { id, worker: null, startedAt: 0, crashes: 0, restartTimer: null, done: false };
    slots.push(slot);
    fork(slot);
  }
}
