/**
 * Test helpers: an in-process chat server on OS-chosen ports and a plain node:net line client
 * (so the server is tested through real sockets by a client that is not built on strand).
 */
import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { ChatServer, type ChatOptions } from '../../../examples/chat/server.js';

export const silent = pino({ level: 'silent' });

/** Starts a chat server on 127.0.0.1 with ports chosen by the OS. */
export function startServer(opts: Partial<ChatOptions> = {}): Promise<ChatServer> {
  return ChatServer.start({ tcp: '127.0.0.1:0', http: null, log: silent, graceMs: 500, rate: { perSecond: 0, burst: 0 }, ...opts });
}

/** `host:port` → [host, port]. */
export function hostPort(addr: string): [string, number] {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1))];
}

type Pred = RegExp | string | ((line: string) => boolean);

function matches(p: Pred, line: string): boolean {
  if (typeof p === 'string') return line === p;
  if (p instanceof RegExp) return p.test(line);
  return p(line);
}

/**
 * A TCP client that collects the server's lines. `expect` waits (event-driven, bounded by a
 * timeout) for the next line matching a predicate, after the previous match.
 */
export class LineClient {
  readonly sock: Socket;
  readonly lines: string[] = [];
  /** Index of the first line `expect` has not consumed. */
  pos = 0;
  /** Resolves when the server closes the connection. */
  readonly ended: Promise<void>;
  private partial = '';
  private wake: (() => void) | null = null;
  private isEnded = false;

  private constructor(sock: Socket, keep: ((line: string) => boolean) | null) {
    this.sock = sock;
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      for (const p of parts) if (keep === null || keep(p)) this.lines.push(p);
      this.notify();
    });
    this.ended = new Promise((resolve) => {
      sock.on('close', () => {
        this.isEnded = true;
        this.notify();
        resolve();
      });
    });
    sock.on('error', () => {});
  }

  /** Connects to `addr` (`host:port`); only lines passing `keep` are kept. */
  static connect(addr: string, keep: ((line: string) => boolean) | null = null): Promise<LineClient> {
    const [host, port] = hostPort(addr);
    return new Promise((resolve, reject) => {
      const s = connect({ host, port });
      s.once('connect', () => resolve(new LineClient(s, keep)));
      s.once('error', reject);
    });
  }

  /** Connects and waits for the welcome line; returns the client and its nick. */
  static async join(addr: string, nick?: string): Promise<LineClient> {
    const c = await LineClient.connect(addr);
    await c.expect(/^\* Welcome to strand chat/);
    if (nick !== undefined) {
      c.send(`/nick ${nick}`);
      await c.expect(new RegExp(` is now known as ${nick}$`));
    }
    return c;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Sends one line (a `\n` is appended). */
  send(line: string | Buffer): void {
    this.sock.write(typeof line === 'string' ? line + '\n' : line);
  }

  /** Waits for the next line matching `p` (after the last one matched), and returns it. */
  async expect(p: Pred, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.pos < this.lines.length) {
        const line = this.lines[this.pos++]!;
        if (matches(p, line)) return line;
      }
      if (this.isEnded) throw new Error(`connection closed while waiting for ${p}; last lines:\n${this.lines.slice(-10).join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${p}; last lines:\n${this.lines.slice(-10).join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Lines not yet consumed by `expect`. */
  rest(): string[] {
    return this.lines.slice(this.pos);
  }

  close(): void {
    this.sock.destroy();
  }
}
