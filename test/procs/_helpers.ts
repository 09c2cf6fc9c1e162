/**
 * Helpers for the procs tests: real processes (a supervisor and its workers) on real loopback
 * sockets. `start` runs `node <script> ...args` and collects its stdout and stderr lines; `until`
 * waits (bounded) for a line matching a pattern, lines seen before the call included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../load-tests/lib/env.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The compiled echo example. */
export const echoMain = join(repoRoot(), 'dist', 'examples', 'echo', 'main.js');

/** The compiled path of a fixture of this folder. */
export function fixture(name: string): string {
  return join(here, 'fixtures', `${name}.js`);
}

/** A running program. */
export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout and stderr line so far, in arrival order per stream. */
  lines(): string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Waits for a line (stdout or stderr) matching `re`; rejects after `ms` or when it exits. */
  until(re: RegExp, ms?: number, from?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit status (a number) or the signal name. */
  readonly exited: Promise<number | string>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Starts `node script ...args` (this test's Node) with extra environment. */
export function start(script: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  live.add(child);
  const lines: string[] = [];
  let err = '';
  const waiters = new Set<() => void>();
  const feed = (stream: NodeJS.ReadableStream, onText?: (s: string) => void): void => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      onText?.(d);
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      for (const w of [...waiters]) w();
    });
  };
  feed(child.stdout!);
  feed(child.stderr!, (d) => (err += d));
  let gone = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      gone = true;
      // Let the last pipe data arrive before waiters give up.
      setImmediate(() => {
        for (const w of [...waiters]) w();
        resolve(code ?? signal ?? 'unknown');
      });
    });
  });
  const until = (re: RegExp, ms = 15_000, from = 0): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        for (let i = from; i < lines.length; i++) {
          const m = re.exec(lines[i]!);
          if (m) return finish(null, m);
        }
        if (gone && child.stdout!.readableEnded && child.stderr!.readableEnded) finish(new Error(`exited before a line matched ${re}:\n${lines.slice(-30).join('\n')}`));
      };
      const timer = setTimeout(() => finish(new Error(`no line matched ${re} within ${ms} ms:\n${lines.slice(-30).join('\n')}`)), ms);
      function finish(e: Error | null, m?: RegExpMatchArray): void {
        clearTimeout(timer);
        waiters.delete(check);
        if (e) reject(e);
        else resolve(m!);
      }
      waiters.add(check);
      child.stdout!.once('end', check);
      child.stderr!.once('end', check);
      check();
    });
  return { child, pid: child.pid!, lines: () => lines, stderr: () => err, until, exited };
}

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One echo round trip on a fresh connection: sends `msg`, resolves with what came back. */
export function roundTrip(port: number, msg = 'ping\n', ms = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const s = connect(port, '127.0.0.1', () => s.write(msg));
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no echo within ${ms} ms`));
    }, ms);
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      got += d;
      if (got.length >= msg.length) s.end();
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The pino records (JSON lines) a program logged, parsed. */
export function records(p: Proc): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of p.lines()) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // a line that only looks like JSON
    }
  }
  return out;
}
