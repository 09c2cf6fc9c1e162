/**
 * Child processes for the net tests that need their own file-descriptor limit or their own RSS:
 * compiled fixtures (dist/test/net/fixtures/*.js) started through `bash -c 'ulimit -n ...; exec
 * node ...'`, with a line reader on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The compiled path of a fixture, e.g. `fixture('server')`. */
export function fixture(name: string): string {
  return join(here, 'fixtures', `${name}.js`);
}

/** A child process with a line-oriented view of its stdout. */
export interface Child {
  proc: ChildProcess;
  /** Waits for the next stdout line matching `re` (lines seen before the call count too). */
  line(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Writes a line to its stdin. */
  send(cmd: string): void;
  /** Resolves with the exit code (or signal). */
  exited: Promise<number | string>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

/**
 * Starts `node <script> ...args` with the soft fd limit set to `fdLimit` ('max' = the hard limit).
 */
export function spawnNode(script: string, args: string[], fdLimit: number | 'max' = 'max', env: Record<string, string> = {}): Child {
  const limit = fdLimit === 'max' ? '"$(ulimit -Hn)"' : String(fdLimit);
  const quoted = [process.execPath, script, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const proc = spawn('bash', ['-c', `ulimit -n ${limit} && exec ${quoted}`], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  let buf = '';
  let err = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.findIndex((x) => x.re.test(l));
      if (w >= 0) {
        const x = waiters.splice(w, 1)[0];
        x.resolve(l.match(x.re)!);
      } else lines.push(l);
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    err = (err + d).slice(-8000);
  });
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')));
  return {
    proc,
    exited,
    stderr: () => err,
    send: (cmd) => proc.stdin!.write(`${cmd}\n`),
    line(re, timeoutMs = 20_000) {
      const seen = lines.findIndex((l) => re.test(l));
      if (seen >= 0) return Promise.resolve(lines.splice(seen, 1)[0].match(re)!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`child exited (${code}) before a line matching ${re}; stderr: ${err}`));
        });
        waiters.push({
          re,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
}
