/**
 * The hostile-client suite's harness for the chat: the real server as a child process (its
 * logs parsed, its RSS sampled from /proc/<pid>/status), and a healthy TCP client measured
 * alongside each attack (it pings its own room ten times a second and times the echo).
 *
 * Everything is on 127.0.0.1 and bounded: every wait has a timeout, every child is killed in
 * `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { hostPort } from '../examples/chat/helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/chat-server.js', import.meta.url));

/** One pino log record of the server. */
export type Rec = Record<string, unknown> & { msg?: string; level?: number };

/** VmRSS of a process, in MiB (0 once it is gone). */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) / 1024;
  } catch {
    return 0;
  }
}

/** A chat server running as a child process. */
export class ChatChild {
  readonly proc: ChildProcess;
  readonly logs: Rec[] = [];
  readonly exit: Promise<number | null>;
  tcp = '';
  http = '';
  /** Highest RSS seen so far (MiB), sampled every 50 ms. */
  peakRss = 0;
  stderr = '';
  #exited = false;
  #waiters: Array<{ pred: (r: Rec) => boolean; resolve: (r: Rec) => void }> = [];
  #sampler: NodeJS.Timeout;

  private constructor(proc: ChildProcess) {
    this.proc = proc;
    this.exit = new Promise((resolve) => proc.on('exit', (code, sig) => {
      this.#exited = true;
      resolve(code ?? (sig === null ? null : 128));
    }));
    let buf = '';
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (l === '') continue;
        let rec: Rec;
        try {
          rec = JSON.parse(l) as Rec;
        } catch {
          continue;
        }
        this.logs.push(rec);
        this.#waiters = this.#waiters.filter((w) => (w.pred(rec) ? (w.resolve(rec), false) : true));
      }
    });
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.#sampler = setInterval(() => {
      if (proc.pid !== undefined) this.peakRss = Math.max(this.peakRss, rssMiB(proc.pid));
    }, 50);
    this.#sampler.unref();
  }

  /** Starts the server with `opts` (ChatOptions as JSON) and waits until it listens. */
  static async start(opts: object = {}): Promise<ChatChild> {
    const proc = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHAT_OPTS: JSON.stringify(opts) } });
    const c = new ChatChild(proc);
    const rec = await Promise.race([
      c.waitLog((r) => r.msg === 'chat: listening', 10_000),
      c.exit.then((code) => {
        throw new Error(`chat server exited with ${code} before listening:\n${c.stderr}`);
      }),
    ]);
    c.tcp = String(rec.tcp);
    c.http = String(rec.http);
    return c;
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /** Current RSS in MiB. */
  rss(): number {
    return this.proc.pid === undefined ? 0 : rssMiB(this.proc.pid);
  }

  /** The first log record (already seen or to come) matching `pred`. */
  waitLog(pred: (r: Rec) => boolean, timeoutMs: number): Promise<Rec> {
    const seen = this.logs.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a log record; last:\n${this.logs.slice(-5).map((r) => JSON.stringify(r)).join('\n')}`));
      }, timeoutMs);
      const done = (r: Rec): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.#waiters.push({ pred, resolve: done });
    });
  }

  /** Waits until `n` log records match `pred`. */
  async waitLogs(pred: (r: Rec) => boolean, n: number, timeoutMs: number): Promise<Rec[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.logs.filter(pred);
      if (got.length >= n) return got;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out: ${got.length} of ${n} log records`);
      // Wake on the next matching record (or the deadline) and count again.
      await this.waitLog((r) => pred(r) && !got.includes(r), left).catch(() => undefined);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  async stop(): Promise<void> {
    clearInterval(this.#sampler);
    if (!this.#exited) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await this.exit;
      clearTimeout(timer);
    }
  }
}

/** Latency figures of the healthy client. */
export interface Health {
  pings: number;
  echoed: number;
  p50: number;
  max: number;
  dropped: boolean;
}

/**
 * A well-behaved TCP client: joins, then sends `ping <seq> <ms>` to its room every 100 ms and
 * measures how long each takes to come back (the server broadcasts it to the sender too).
 */
export class Healthy {
  readonly sock: Socket;
  readonly nick: string;
  readonly latencies: number[] = [];
  #seq = 0;
  #sentAt = new Map<number, number>();
  #timer: NodeJS.Timeout | null = null;
  #dropped = false;
  #partial = '';
  #onEcho: (() => void) | null = null;

  private constructor(sock: Socket, nick: string) {
    this.sock = sock;
    this.nick = nick;
    sock.setEncoding('utf8');
    const re = new RegExp(`^\\[\\w+\\] <${nick}> ping (\\d+)$`);
    sock.on('data', (chunk: string) => {
      const lines = (this.#partial + chunk).split('\n');
      this.#partial = lines.pop()!;
      for (const l of lines) {
        const m = re.exec(l);
        if (m !== null) {
          const seq = Number(m[1]);
          const t0 = this.#sentAt.get(seq);
          if (t0 !== undefined) {
            this.latencies.push(performance.now() - t0);
            this.#sentAt.delete(seq);
            this.#onEcho?.();
          }
        } else if (l.startsWith('* bye')) {
          this.#dropped = true;
        }
      }
    });
    sock.on('close', () => (this.#dropped = this.#timer !== null || this.#dropped));
    sock.on('error', () => {});
  }

  /** Connects to `addr`, takes `nick`, and starts pinging. */
  static async start(addr: string, nick = 'healthy'): Promise<Healthy> {
    const [host, port] = hostPort(addr);
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(s));
      s.once('error', reject);
    });
    const h = new Healthy(sock, nick);
    sock.write(`/nick ${nick}\n`);
    h.#timer = setInterval(() => h.#ping(), 100);
    // The first echo proves the nick and the room work.
    await h.#nextEcho(5000);
    return h;
  }

  #ping(): void {
    const seq = ++this.#seq;
    this.#sentAt.set(seq, performance.now());
    this.sock.write(`ping ${seq}\n`);
  }

  #nextEcho(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onEcho = null;
        reject(new Error(`healthy client: no echo within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#onEcho = () => {
        clearTimeout(timer);
        this.#onEcho = null;
        resolve();
      };
    });
  }

  /**
   * Stops pinging, waits (up to `timeoutMs`) for the pings in flight to come back, closes, and
   * reports. A ping still missing then counts as its full wait.
   */
  async stop(timeoutMs = 5000): Promise<Health> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const deadline = performance.now() + timeoutMs;
    while (this.#sentAt.size > 0 && !this.#dropped && performance.now() < deadline) {
      await this.#nextEcho(deadline - performance.now()).catch(() => undefined);
    }
    const now = performance.now();
    const lat = [...this.latencies, ...[...this.#sentAt.values()].map((t0) => now - t0)].sort((a, b) => a - b);
    this.sock.destroy();
    return {
      pings: this.#seq,
      echoed: this.latencies.length,
      p50: lat[Math.floor(lat.length / 2)] ?? 0,
      max: lat[lat.length - 1] ?? 0,
      dropped: this.#dropped,
    };
  }
}

/** `n` rounded for a report line. */
export function fmt(n: number): string {
  return n.toFixed(n < 10 ? 1 : 0);
}
