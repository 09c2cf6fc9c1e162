// Raw HTTP/1.x over node:net for the hostile suite: exact bytes in, whole responses out (undici
// would normalise the requests these tests must send as they are).
import * as net from 'node:net';

/** One parsed response (interim 1xx responses are listed in `interim`). */
export interface RawResponse {
  status: number;
  head: string;
  headers: Record<string, string>;
  body: string;
  interim: number[];
}

/**
 * A raw client connection that reads responses one at a time: `next(isHead)` resolves with the
 * next complete response (by Content-Length, or by the connection closing), `closed` once the
 * server closed the connection.
 */
export class RawConn {
  readonly sock: net.Socket;
  readonly closed: Promise<void>;
  #buf = '';
  #isClosed = false;
  #waiters: (() => void)[] = [];

  constructor(sock: net.Socket) {
    this.sock = sock;
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.#buf += d;
      this.#wake();
    });
    sock.on('error', () => {});
    this.closed = new Promise((resolve) =>
      sock.once('close', () => {
        this.#isClosed = true;
        this.#wake();
        resolve();
      }),
    );
  }

  /** Opens a connection to 127.0.0.1:port. */
  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Everything received and not yet consumed by `next`. */
  get pending(): string {
    return this.#buf;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Resolves on the next data or close. */
  news(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  send(bytes: string | Buffer): void {
    this.sock.write(bytes);
  }

  /** The next complete response; `isHead` for a response to HEAD (no body). Rejects if the connection closes first. */
  async next(isHead = false): Promise<RawResponse> {
    const interim: number[] = [];
    for (;;) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.#buf.slice(0, end);
        const status = Number(head.slice(9, 12));
        const headers: Record<string, string> = {};
        for (const line of head.split('\r\n').slice(1)) {
          const c = line.indexOf(':');
          headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
        }
        if (status >= 100 && status < 200) {
          interim.push(status);
          this.#buf = this.#buf.slice(end + 4);
          continue;
        }
        const noBody = isHead || status === 204 || status === 304;
        const cl = headers['content-length'];
        if (noBody || cl !== undefined) {
          const n = noBody ? 0 : Number(cl);
          if (this.#buf.length >= end + 4 + n) {
            const body = this.#buf.slice(end + 4, end + 4 + n);
            this.#buf = this.#buf.slice(end + 4 + n);
            return { status, head, headers, body, interim };
          }
        } else if (this.#isClosed) {
          const body = this.#buf.slice(end + 4);
          this.#buf = '';
          return { status, head, headers, body, interim };
        }
      }
      if (this.#isClosed) throw new Error(`connection closed before a complete response: ${JSON.stringify(this.#buf)}`);
      await this.news();
    }
  }
}

/** Resolves `p`, or rejects with a message when `ms` pass first (a bound with a clear failure). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Samples this process's RSS every `ms` until stopped; `peak` is the highest sample. */
export class RssSampler {
  readonly base = process.memoryUsage().rss;
  peak = this.base;
  readonly #t: NodeJS.Timeout;
  constructor(ms = 10) {
    this.#t = setInterval(() => {
      const r = process.memoryUsage().rss;
      if (r > this.peak) this.peak = r;
    }, ms);
  }
  stop(): { baseMiB: number; peakMiB: number; growthMiB: number } {
    clearInterval(this.#t);
    const r = process.memoryUsage().rss;
    if (r > this.peak) this.peak = r;
    const mib = (b: number): number => Math.round((b / 1048576) * 10) / 10;
    return { baseMiB: mib(this.base), peakMiB: mib(this.peak), growthMiB: mib(this.peak - this.base) };
  }
}
