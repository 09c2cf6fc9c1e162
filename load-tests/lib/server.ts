/**
 * Starting, waiting for and stopping the servers under test.
 *
 * ## The READY convention
 * A server under test takes its address from argv or the environment (scenarios pass port 0 or
 * a free port on 127.0.0.1) and, once it is listening, prints one line on stdout:
 *
 * ```
 * READY <port>
 * ```
 *
 * (extra words after the port are allowed and ignored; any other output is fine before and after).
 * `spawnServer` waits for that line by default and reports the port. For programs that cannot
 * print it (a third-party binary), pass `readyPort` instead: the harness then polls until
 * 127.0.0.1:<port> accepts TCP connections.
 *
 * Every wait is bounded (`timeoutMs`), and a server that exits before it is ready fails the wait
 * with its exit status and the tail of its stderr. `stop()` sends SIGTERM, then SIGKILL after a
 * grace period, and resolves once the process is gone. Servers only ever bind 127.0.0.1.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** Options of {@link spawnServer}. */
export interface SpawnServerOptions {
  /** Extra environment variables (merged over `process.env`). */
  env?: Record<string, string | undefined>;
  /** Working directory of the child (the current one by default). */
  cwd?: string;
  /**
   * Wait until 127.0.0.1:`readyPort` accepts a TCP connection, instead of waiting for the READY
   * line.
   */
  readyPort?: number;
  /**
   * The stdout line that means "listening". Default `/^READY (\d+)\b/`; the first capture group,
   * when present, is the port. Ignored when `readyPort` is given.
   */
  readyLine?: RegExp;
  /** Upper bound on the wait for readiness, in ms (default 15,000). */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL in `stop()`, in ms (default 3,000). */
  graceMs?: number;
  /** Called with each stderr line of the child (default: kept only in the tail for errors). */
  onStderr?: (line: string) => void;
  /** Called with each stdout line of the child after the READY line. */
  onStdout?: (line: string) => void;
  /** A name for error messages (the command by default). */
  name?: string;
}

/** A running server under test, as returned by {@link spawnServer}. */
export interface ServerProcess {
  /** The child's pid (for {@link sampleProcess}). */
  readonly pid: number;
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The Node child process. */
  readonly child: ChildProcess;
  /** The last lines of its stderr (at most 50), for diagnostics. */
  stderrTail(): string[];
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /**
   * Stops the server: SIGTERM, then SIGKILL after the grace period; resolves once it has exited
   * with its exit code or signal name. Safe to call more than once.
   */
  stop(): Promise<number | string>;
}

const TAIL = 50;

/** Children not yet exited: killed when this process exits, so no server outlives a run. */
const _live = new Set<ChildProcess>();
let _exitHookInstalled = false;

/** Kills every server still running (SIGKILL); used on exit and by the harness on a timeout. */
export function killAllServers(): void {
  for (const c of _live) c.kill('SIGKILL');
}

/** A bounded tail of lines. */
function _push(tail: string[], line: string): void {
  tail.push(line);
  if (tail.length > TAIL) tail.shift();
}

/** Splits a stream into lines, calling `onLine` for each complete one. */
function _lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
    // A child that never prints a newline must not grow this without bound.
    if (buf.length > 1 << 16) buf = buf.slice(-(1 << 12));
  });
  stream.on('end', () => {
    if (buf) onLine(buf);
    buf = '';
  });
}

/**
 * Starts a server process and waits until it is ready (the READY line, or its port accepting).
 *
 * @param cmd the executable (e.g. `process.execPath` for Node, a built Go binary).
 * @param args its arguments (give it 127.0.0.1 and a port, or port 0 with the READY line).
 * @param opts environment, readiness (`readyLine` or `readyPort`), bounds.
 * @returns the running server: pid, port, `stop()`.
 * @throws Error when it exits before ready, or is not ready within `timeoutMs` (it is killed then).
 * @example
 * const srv = await spawnServer(process.execPath, ['dist/examples/echo/main.js', '--addr', '127.0.0.1:0']);
 * try { await load(srv.port); } finally { await srv.stop(); }
 */
export async function spawnServer(cmd: string, args: readonly string[], opts: SpawnServerOptions = {}): Promise<ServerProcess> {
  const name = opts.name ?? [cmd, ...args].join(' ');
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const graceMs = opts.graceMs ?? 3_000;
  const readyLine = opts.readyLine ?? /^READY (\d+)\b/;
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  _live.add(child);
  if (!_exitHookInstalled) {
    _exitHookInstalled = true;
    process.on('exit', killAllServers);
  }
  const stderr: string[] = [];
  const stdout: string[] = [];
  let exitResult: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      _live.delete(child);
      exitResult = code ?? signal ?? 'unknown';
      resolve(exitResult);
    });
    child.once('error', (err) => {
      _live.delete(child);
      _push(stderr, `spawn error: ${err.message}`);
      exitResult = 'spawn-error';
      resolve(exitResult);
    });
  });

  let onReadyLine: ((port: number | undefined) => void) | undefined;
  _lines(child.stderr, (line) => {
    _push(stderr, line);
    opts.onStderr?.(line);
  });
  _lines(child.stdout, (line) => {
    if (onReadyLine) {
      const m = readyLine.exec(line);
      if (m) {
        const cb = onReadyLine;
        onReadyLine = undefined;
        cb(m[1] !== undefined ? Number(m[1]) : undefined);
        return;
      }
    }
    _push(stdout, line);
    opts.onStdout?.(line);
  });

  let stopping: Promise<number | string> | undefined;
  const stop = (): Promise<number | string> => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (exitResult !== undefined) return exitResult;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (exitResult === undefined) child.kill('SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      return exited;
    })();
    return stopping;
  };

  const fail = async (why: string): Promise<never> => {
    await stop();
    const tail = stderr.length ? `\n--- stderr (last lines) ---\n${stderr.join('\n')}` : '';
    const out = stdout.length ? `\n--- stdout (last lines) ---\n${stdout.slice(-10).join('\n')}` : '';
    throw new Error(`load-tests: server "${name}" ${why}${tail}${out}`);
  };

  let port: number;
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    deadline = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    if (opts.readyPort !== undefined) {
      const ready = waitForPort(opts.readyPort, { timeoutMs, exited });
      const r = await Promise.race([ready.then(() => 'ready' as const), exited.then(() => 'exit' as const)]).catch((e: Error) => e);
      if (r instanceof Error) return await fail(r.message.replace(/^load-tests: /, ''));
      if (r === 'exit') return await fail(`exited (${String(exitResult)}) before 127.0.0.1:${opts.readyPort} accepted connections`);
      port = opts.readyPort;
    } else {
      const linePort = new Promise<number | undefined>((resolve) => {
        onReadyLine = resolve;
      });
      const r = await Promise.race([linePort, exited.then(() => 'exit' as const), timedOut]);
      if (r === 'exit') return await fail(`exited (${String(exitResult)}) before printing a line matching ${readyLine}`);
      if (r === 'timeout') return await fail(`printed no line matching ${readyLine} within ${timeoutMs} ms`);
      if (r === undefined) return await fail(`ready line ${readyLine} has no port capture group; pass readyPort`);
      port = r;
    }
  } finally {
    clearTimeout(deadline);
    onReadyLine = undefined;
  }

  return {
    pid: child.pid!,
    port,
    child,
    stderrTail: () => stderr.slice(),
    exited,
    stop,
  };
}

/**
 * Waits until 127.0.0.1:`port` accepts a TCP connection (polling every 25 ms).
 *
 * @param port the port.
 * @param opts `timeoutMs` (default 15,000); `host` (default 127.0.0.1); `exited`, a promise that
 *   settles if the server dies, to stop waiting early.
 * @returns once a connection was accepted (and closed again).
 * @throws Error when the port does not accept within `timeoutMs`.
 * @example await waitForPort(8080, { timeoutMs: 5_000 });
 */
export async function waitForPort(
  port: number,
  opts: { timeoutMs?: number; host?: string; exited?: Promise<unknown> } = {},
): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const until = Date.now() + timeoutMs;
  let dead = false;
  void opts.exited?.then(() => {
    dead = true;
  });
  let lastErr = '';
  while (!dead && Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.setTimeout(Math.max(1, Math.min(1000, until - Date.now())));
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('timeout', () => {
        lastErr = 'connect timeout';
        s.destroy();
        resolve(false);
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        lastErr = e.code ?? e.message;
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (dead) throw new Error(`load-tests: server exited before ${host}:${port} accepted connections`);
  throw new Error(`load-tests: ${host}:${port} did not accept connections within ${timeoutMs} ms (${lastErr})`);
}

/**
 * A port that is free on 127.0.0.1 right now (bind to port 0, read it, close). Prefer passing
 * port 0 to a server that prints the READY line; use this for programs that need a fixed port.
 *
 * @returns the port number.
 * @example const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}
