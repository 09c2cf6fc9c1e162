/**
 * Helpers for the multi-node chat tests: a real `redis-server` on a free loopback port (temporary
 * directory, no persistence), chat nodes started as real processes (`dist/examples/chat/main.js
 * --redis …`), and a web client that speaks the page's API (POST /api/session, SSE, POST
 * /api/send). Everything started registers its own teardown, so a failing test stops it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { LineClient } from './helpers.js';

/** The part of a tap test these helpers use. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** `redis-server` on PATH (Debian installs it in /usr/bin). */
function redisServerPath(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat('/usr/bin', '/usr/sbin')) {
    const p = join(dir, 'redis-server');
    if (dir !== '' && existsSync(p)) return p;
  }
  throw new Error(
    process.env.CI === 'true'
      ? 'redis-server is missing on CI: the multi-node chat tests need Debian\'s redis-server package (.ci/run installs it with apt-get)'
      : 'redis-server is missing: install it with `sudo apt-get install redis-server` to run the multi-node chat tests',
  );
}

/** A free TCP port on 127.0.0.1 (bound, read and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Waits for a line of a child's stdout that passes `pred`; rejects if the child exits first or on timeout. */
export function waitForLine(child: ChildProcess, pred: (line: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer | string): void => {
      buf += String(d);
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (pred(l)) {
          done();
          resolve(l);
          return;
        }
      }
    };
    const onExit = (code: number | null, sig: string | null): void => {
      done();
      reject(new Error(`process exited (${code ?? sig}) while waiting for ${what}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** A redis-server of the test's own. */
export class TestRedis {
  readonly port: number;
  readonly url: string;
  readonly #dir: string;
  #child: ChildProcess | null = null;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.#dir = dir;
  }

  /** Starts redis-server on a free port; stopped (and its directory removed) at teardown. */
  static async start(t: Teardown): Promise<TestRedis> {
    const bin = redisServerPath();
    const dir = mkdtempSync(join(tmpdir(), 'strand-redis-'));
    const r = new TestRedis(await freePort(), dir);
    t.teardown(() => {
      r.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    await r.#spawn(bin);
    return r;
  }

  async #spawn(bin = redisServerPath()): Promise<void> {
    const child = spawn(bin, ['--save', '', '--appendonly', 'no', '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir, '--loglevel', 'notice'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.resume();
    await waitForLine(child, (l) => l.includes('Ready to accept connections'), `redis-server on port ${this.port}`);
  }

  /** Stops it at once (SIGKILL): every connection drops. */
  kill(): Promise<void> {
    const c = this.#child;
    this.#child = null;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGKILL');
    return gone;
  }

  /** Starts it again on the same port (empty: there is no persistence). */
  restart(): Promise<void> {
    return this.#spawn();
  }
}

const mainJs = fileURLToPath(new URL('../../../examples/chat/main.js', import.meta.url));

/** A chat node: main.js with --redis, as its own process. */
export class ChatNode {
  readonly child: ChildProcess;
  readonly tcp: string;
  readonly http: string;
  readonly exited: Promise<number | null>;
  /** Its id in Redis (its connections are named `chat:<id>` and `chat-sub:<id>`). */
  readonly nodeId: string;
  /** Everything it logged (JSON lines). */
  readonly log: string[];

  private constructor(child: ChildProcess, tcp: string, http: string, nodeId: string, exited: Promise<number | null>, log: string[]) {
    this.child = child;
    this.nodeId = nodeId;
    this.tcp = tcp;
    this.http = http;
    this.exited = exited;
    this.log = log;
  }

  /** Starts a node and waits until it listens and is linked to Redis; killed at teardown. */
  static async start(t: Teardown, redisURL: string, args: string[] = []): Promise<ChatNode> {
    const child = spawn(process.execPath, [mainJs, '--tcp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--redis', redisURL, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const log: string[] = [];
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.stdout!.setEncoding('utf8');
    let buf = '';
    child.stdout!.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      log.push(...lines);
    });
    const linked = waitForLine(child, (l) => l.includes('"redis: linked"'), 'the node to link to Redis', 15_000);
    const listening = await waitForLine(child, (l) => l.includes('"chat: listening"'), 'the node to listen', 15_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${err}`);
    });
    await linked;
    const rec = JSON.parse(listening) as { tcp: string; http: string; node: string };
    return new ChatNode(child, rec.tcp, rec.http, rec.node, exited, log);
  }

  /** A TCP client on this node in `room`, renamed to `nick`; closed at teardown. */
  async tcpClient(t: Teardown, nick: string, room = 'go'): Promise<LineClient> {
    const c = await LineClient.join(this.tcp, nick);
    t.teardown(() => c.close());
    if (room !== 'lobby') {
      c.send(`/join ${room}`);
      await c.expect(`[${room}] -> ${nick} joined`);
    }
    return c;
  }

  /** A web session on this node in `room`, its event stream open; closed at teardown. */
  webClient(t: Teardown, nick: string, room = 'go'): Promise<WebClient> {
    return WebClient.join(t, this.http, nick, room);
  }

  /** SIGKILL, and wait until it is gone. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The API's events as the page sees them, rendered like TCP lines (`[room] <nick> text`) for matching. */
export class WebClient {
  readonly nick: string;
  readonly lines: string[] = [];
  pos = 0;
  readonly #base: string;
  readonly #token: string;
  readonly #abort = new AbortController();
  #wake: (() => void) | null = null;
  #ended = false;

  private constructor(base: string, token: string, nick: string) {
    this.#base = base;
    this.#token = token;
    this.nick = nick;
  }

  /** POST /api/session, then reads GET /api/events until closed. */
  static async join(t: Teardown, base: string, nick: string, room: string): Promise<WebClient> {
    const s = await post(base + 'api/session', { nick, room });
    if (s.status !== 201) throw new Error(`session refused (${s.status}): ${JSON.stringify(s.json)}`);
    const c = new WebClient(base, s.json.token, s.json.nick);
    t.teardown(() => c.close());
    const res = await fetch(`${base}api/events?token=${encodeURIComponent(c.#token)}`, { signal: c.#abort.signal });
    if (!res.ok || res.body === null) throw new Error(`event stream refused: ${res.status}`);
    void c.#read(res.body);
    await c.expect(`[${room}] -> ${c.nick} joined`);
    return c;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const l of frame.split('\n')) if (l.startsWith('data:')) this.lines.push(render(JSON.parse(l.slice(5).trim())));
          this.#notify();
        }
      }
    } catch {
      // aborted or reset
    }
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** POST /api/send; resolves with the status. */
  async send(text: string): Promise<number> {
    return (await post(this.#base + 'api/send', { token: this.#token, text })).status;
  }

  /** Waits for the next line matching `p` (after the last matched), as LineClient.expect does. */
  async expect(p: RegExp | string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.pos < this.lines.length) {
        const line = this.lines[this.pos++]!;
        if (typeof p === 'string' ? line === p : p.test(line)) return line;
      }
      if (this.#ended) throw new Error(`event stream ended while waiting for ${p}; last lines:\n${this.lines.slice(-10).join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${p}; last lines:\n${this.lines.slice(-10).join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.#abort.abort();
  }
}

/** An SSE event's JSON as the TCP protocol line (the page's data, in the tests' common form). */
function render(d: { type: string; [k: string]: any }): string {
  switch (d.type) {
    case 'message':
      return `[${d.room}] <${d.nick}> ${d.text}`;
    case 'action':
      return `[${d.room}] * ${d.nick} ${d.text}`;
    case 'join':
      return `[${d.room}] -> ${d.nick} joined`;
    case 'leave':
      return `[${d.room}] <- ${d.nick} left`;
    case 'info':
      return `* ${d.text}`;
    case 'error':
      return `! error: ${d.text}`;
    case 'who':
      return `* in #${d.room}: ${d.nicks.join(', ')}`;
    default:
      return `(${d.type}) ${JSON.stringify(d)}`;
  }
}

export async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : null };
}

/** The `[room] <nick> text` lines among `lines`. */
export function messages(lines: readonly string[], room = 'go'): string[] {
  return lines.filter((l) => l.startsWith(`[${room}] <`));
}

/** Messages by sender, in the order received: `{ ana: ['ana 1', …] }` (text only). */
export function bySender(lines: readonly string[], room = 'go'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const re = new RegExp(`^\\[${room}\\] <([^>]+)> (.*)$`);
  for (const l of lines) {
    const m = re.exec(l);
    if (m === null) continue;
    let a = out.get(m[1]!);
    if (a === undefined) out.set(m[1]!, (a = []));
    a.push(m[2]!);
  }
  return out;
}
