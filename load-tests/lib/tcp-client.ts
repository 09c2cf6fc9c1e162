/**
 * A TCP load client for echo-style servers (echo, and any line protocol that answers), run in its
 * own process so that it never shares a CPU budget with the server under test.
 *
 * Modes, each a closed loop per connection:
 * - `rtt`: send `size` bytes, wait until `size` bytes came back, record the round trip, repeat.
 * - either over TLS (`tlsCA`): the client trusts that CA; connections complete their handshake
 *   before the warm-up, so only the encrypted echo is measured.
 * - `stream`: keep `window` bytes in flight in `size`-byte writes; count the bytes echoed back;
 *   the latency is per chunk (write of its first byte → arrival of its last echoed byte).
 * - idle ({@link openIdle}): open many connections, one 1-byte round trip each, then hold them
 *   open until told to close — for measuring the server's memory per idle connection.
 *
 * The parent side ({@link runTcpLoad}, {@link openIdle}) spawns `node <this file> <json>`; the
 * child prints one JSON line with its result. The child raises its soft file-descriptor limit to
 * the hard limit (`ulimit -n`), connects to 127.0.0.1 only, and stops by itself.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';

/** Options of {@link runTcpLoad}. */
export interface TcpLoadOptions {
  port: number;
  /** Number of connections. */
  conns: number;
  mode: 'rtt' | 'stream';
  /** Message size (rtt) or write size (stream), in bytes. */
  size: number;
  /** Measured duration, in ms (after the warm-up). */
  durationMs: number;
  /** Warm-up before measuring, in ms (default 300). */
  warmupMs?: number;
  /** Stream mode: bytes in flight per connection (default 4 × size). */
  window?: number;
  /** Speak TLS, trusting this CA (PEM) for the name `localhost`; the handshake is not timed. */
  tlsCA?: string;
}

/** What {@link runTcpLoad} measured. */
export interface TcpLoadResult {
  /** Round trips (rtt) or echoed chunks (stream) completed per second. */
  ops_s: number;
  /** Echoed megabytes (10^6 bytes) per second, counting the bytes received back. */
  mb_s: number;
  p50_ms: number;
  p99_ms: number;
  /** Connections that failed (errors or early close). */
  errors: number;
  /** CPU of the client process, % of one core. */
  client_cpu_pct: number;
}

/** Where the compiled child script is. */
const SELF = fileURLToPath(import.meta.url);

/** Runs `node SELF <json>` with the fd limit raised, resolving with its last JSON stdout line. */
function runChild(
  args: object,
  onLine?: (line: string, child: import('node:child_process').ChildProcess) => void,
  onStart?: (child: import('node:child_process').ChildProcess) => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const cmd = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "${process.execPath}" "${SELF}" '${JSON.stringify(args)}'`;
    const child = spawn('bash', ['-c', cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    onStart?.(child);
    let out = '';
    let err = '';
    let last: unknown;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      let i: number;
      while ((i = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, i);
        out = out.slice(i + 1);
        if (line.startsWith('{')) last = JSON.parse(line);
        onLine?.(line, child);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      err = (err + d).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && last !== undefined) resolve(last);
      else reject(new Error(`load-tests: tcp client exited with ${code}: ${err}`));
    });
  });
}

/**
 * Runs a closed-loop TCP load against 127.0.0.1:`port` in a separate process.
 *
 * @returns throughput, latency percentiles, errors and the client's CPU.
 * @throws Error when the client process fails.
 * @example const r = await runTcpLoad({ port, conns: 50, mode: 'rtt', size: 64, durationMs: 5000 });
 */
export async function runTcpLoad(opts: TcpLoadOptions): Promise<TcpLoadResult> {
  return (await runChild({ kind: 'load', ...opts })) as TcpLoadResult;
}

/** Idle connections held open by a client process (see {@link openIdle}). */
export interface IdleConnections {
  /** How many are open. */
  readonly conns: number;
  /** Closes them all and waits for the client process to exit. */
  close(): Promise<void>;
}

/**
 * Opens `conns` connections to 127.0.0.1:`port` from a separate process, does one 1-byte round
 * trip on each, and holds them open until `close()`.
 *
 * @param timeoutMs give up (and kill the client) if they are not all open by then.
 * @returns once every connection has completed its round trip.
 * @throws Error when a connection fails, the time runs out, or the client process dies.
 */
export function openIdle(port: number, conns: number, timeoutMs = 60_000): Promise<IdleConnections> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let proc: import('node:child_process').ChildProcess | null = null;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      proc?.kill('SIGKILL');
      reject(new Error(`load-tests: ${conns} idle connections were not all open after ${timeoutMs} ms`));
    }, timeoutMs);
    const done = runChild(
      { kind: 'idle', port, conns },
      (line, child) => {
        if (line === 'IDLE READY' && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve({
            conns,
            close: async () => {
              child.stdin!.end('close\n');
              await done;
            },
          });
        }
      },
      (child) => (proc = child),
    );
    done.catch((e: unknown) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(e);
      }
    });
  });
}

// ---- the child --------------------------------------------------------------------------------

interface ChildArgs extends TcpLoadOptions {
  kind: 'load' | 'idle';
}

/** Latencies in µs, kept in a growable typed array. */
class Samples {
  private a = new Float64Array(1 << 16);
  n = 0;
  add(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  percentile(p: number): number {
    if (this.n === 0) return NaN;
    const s = this.a.subarray(0, this.n).sort();
    return s[Math.min(this.n - 1, Math.floor((p / 100) * this.n))];
  }
}

async function childLoad(a: ChildArgs): Promise<void> {
  const window = a.mode === 'stream' ? (a.window ?? 4 * a.size) : a.size;
  const payload = Buffer.alloc(a.size, 0x61);
  const lat = new Samples();
  let measuring = false;
  let ops = 0;
  let bytes = 0;
  let errors = 0;
  let stopped = false;
  const socks: Socket[] = [];

  const start = (s: Socket): void => {
    // Per connection: bytes received, and the send times of the chunks in flight.
    let received = 0;
    const sent: number[] = [];
    const send = (): void => {
      sent.push(performance.now());
      s.write(payload);
    };
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (measuring) bytes += d.length;
      while (received >= a.size) {
        received -= a.size;
        const t0 = sent.shift()!;
        if (measuring) {
          ops++;
          lat.add((performance.now() - t0) * 1000);
        }
        if (!stopped) send();
      }
    });
    for (let inFlight = 0; inFlight < window; inFlight += a.size) send();
  };

  await Promise.all(
    Array.from({ length: a.conns }, () =>
      new Promise<void>((resolve) => {
        const ready = (): void => {
          socks.push(s);
          resolve();
        };
        const s: Socket =
          a.tlsCA === undefined
            ? connect({ host: '127.0.0.1', port: a.port, noDelay: true }, ready)
            : tlsConnect({ host: '127.0.0.1', port: a.port, ca: a.tlsCA, servername: 'localhost' }, ready).setNoDelay(true);
        s.on('error', () => {
          errors++;
          resolve();
        });
      }),
    ),
  );
  for (const s of socks) start(s);
  await new Promise((r) => setTimeout(r, a.warmupMs ?? 300));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  measuring = true;
  await new Promise((r) => setTimeout(r, a.durationMs));
  measuring = false;
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  stopped = true;
  for (const s of socks) s.destroy();
  const result: TcpLoadResult = {
    ops_s: ops / secs,
    mb_s: bytes / 1e6 / secs,
    p50_ms: lat.percentile(50) / 1000,
    p99_ms: lat.percentile(99) / 1000,
    errors,
    client_cpu_pct: ((cpu.user + cpu.system) / 1e6 / secs) * 100,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function childIdle(a: ChildArgs): Promise<void> {
  const socks: Socket[] = [];
  const BATCH = 250;
  for (let i = 0; i < a.conns; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, a.conns - i) }, () =>
        new Promise<void>((resolve, reject) => {
          const s = connect({ host: '127.0.0.1', port: a.port }, () => s.write('x'));
          s.once('data', () => {
            socks.push(s);
            resolve();
          });
          s.on('error', reject);
        }),
      ),
    );
  }
  process.stdout.write('IDLE READY\n');
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', () => undefined);
  await new Promise((r) => process.stdin.once('end', r));
  for (const s of socks) s.destroy();
  process.stdout.write(JSON.stringify({ closed: socks.length }) + '\n');
}

if (process.argv[1] === SELF && process.argv[2] !== undefined) {
  const a = JSON.parse(process.argv[2]) as ChildArgs;
  (a.kind === 'idle' ? childIdle(a) : childLoad(a)).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
      process.exit(1);
    },
  );
}
