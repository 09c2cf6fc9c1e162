/**
 * A TCP echo server in the Go style: one goroutine per connection, `copy(conn, conn)` at its
 * heart. Run it with `npm run echo -- --addr 127.0.0.1:7007` and talk to it with `nc 127.0.0.1
 * 7007`. SIGINT or SIGTERM stops it gracefully: stop accepting, close every connection, exit 0.
 *
 * `--procs N|auto` (or STRAND_PROCS) runs it as N processes on the same port, Go's GOMAXPROCS
 * by processes (strand/procs): each process is a whole strand runtime with its own goroutines;
 * the kernel (or node:cluster) spreads connections over them, and a supervisor restarts a
 * crashed one and drains them all on SIGINT/SIGTERM.
 *
 * `--debug 127.0.0.1:6060` serves the goroutine profile, metrics and a live view on that
 * loopback-only address (never on the public one); with --procs N the workers share it, and each
 * request is answered by one of them.
 * `--cert cert.pem --key key.pem` serves TLS instead (strand/net's `tls.listen`: the same
 * Listener and Conns, the handshake runs inside the first read); try it with
 * `openssl s_client -connect 127.0.0.1:7007`.
 *
 * Environment: LOG_LEVEL (pino level, default "info"), STRAND_PROCS.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { chan, go, signal } from 'strand';
import { copy, errorIs, listen, tls, ErrClosed, type Conn, type Listener } from 'strand/net';
import { listenDebug } from 'strand/http';
import { procsFromArgs, run, workerId } from 'strand/procs';

const { values } = parseArgs({
  options: {
    addr: { type: 'string', default: '127.0.0.1:7007' },
    procs: { type: 'string' },
    debug: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
  },
});
// Synchronous writes: when main returns the process exits at once (Go's rule), and a line still
// queued in an asynchronous logger would be lost.
const log = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: true })).child(workerId() > 0 ? { worker: workerId() } : {});

// The connections being served, so that a graceful stop can close them.
const conns = new Set<Conn>();
let stopping = false;
// Closed when the last connection goroutine has finished after a stop began.
const drained = chan<void>();

/** Serves one connection: echo every byte back until the client closes its side. */
async function serve(conn: Conn): Promise<void> {
  log.info({ remote: String(conn.remoteAddr) }, 'echo: connection open');
  let bytes = 0;
  let failure: string | undefined;
  try {
    // The whole protocol. `copy` reads what arrives and writes it back; a client that stops
    // reading parks this goroutine (backpressure) instead of growing memory.
    bytes = await copy(conn, conn);
  } catch (err) {
    // A reset by the peer, or our own close() during a stop.
    if (!errorIs(err, ErrClosed)) failure = (err as Error).message;
  } finally {
    conn.close();
    conns.delete(conn);
  }
  log.info({ remote: String(conn.remoteAddr), bytes, err: failure }, 'echo: connection closed');
  if (stopping && conns.size === 0 && !drained.closed) drained.close();
}

function stop(ln: Listener, sig: string): void {
  stopping = true;
  log.info({ signal: sig, open: conns.size }, 'echo: stopping');
  ln.close(); // the accept loop in main ends
  for (const c of conns) c.close(); // each serve() goroutine returns
  if (conns.size === 0) drained.close();
}

// The main goroutine (Go's func main): when it returns, the process exits. `run` runs it here,
// or (with --procs N) in each of N worker processes under a supervisor.
run(async () => {
  if (values.debug !== undefined) {
    // The debug pages (goroutine profile, metrics, live view): loopback only, refused otherwise.
    const dbg = await listenDebug(values.debug).catch((err: Error) => {
      process.stderr.write(`echo: --debug: ${err.message}\n`);
      process.exit(2);
    });
    log.info({ debug: `http://${dbg.addr}/debug/strand/` }, 'echo: debug pages');
  }
  const ln =
    values.cert !== undefined
      ? await tls.listen('tcp', values.addr!, { certificates: [{ cert: readFileSync(values.cert), key: readFileSync(values.key ?? values.cert) }] })
      : await listen('tcp', values.addr!);
  log.info({ addr: String(ln.addr) }, 'echo: listening');

  // Go's graceful shutdown: the first SIGINT or SIGTERM arrives on a channel.
  const sigs = chan<NodeJS.Signals>(1);
  signal.notify(sigs, 'SIGINT', 'SIGTERM');
  go(async function stopOnSignal() {
    stop(ln, (await sigs.recv())!);
  });

  // The accept loop: `for await` ends when the listener is closed.
  for await (const conn of ln) {
    conns.add(conn);
    go(serve, conn);
  }
  await drained.recv();
  log.info('echo: stopped');
}, { procs: procsFromArgs() });
