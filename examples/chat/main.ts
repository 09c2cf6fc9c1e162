/**
 * strand chat — what `npm start` runs.
 *
 * A chat server with rooms and nicks, written the Go way: one hub goroutine owns the state,
 * each client has its own goroutines, and they talk through channels. People connect with
 * `nc 127.0.0.1 7070` (or telnet) and with a browser at http://127.0.0.1:8080/, and meet in
 * the same rooms.
 *
 *   npm start
 *   npm start -- --tcp 127.0.0.1:7000 --http off
 *   CHAT_HTTP_ADDR=0.0.0.0:8080 npm start
 *
 * @module
 */

import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { chan, go, handleSigquit, signal } from 'strand';
import { joinHostPort, splitHostPort } from 'strand/net';
import { listenDebug } from 'strand/http';
import { run, workerId } from 'strand/procs';
import { ChatServer } from './server.js';
import { isOptionError, scaleOptions, type ScaleOptions } from './options.js';

const HELP = `strand chat: a TCP + browser chat server

usage: npm start -- [options]      (or: node dist/examples/chat/main.js [options])

options:
  --tcp ADDR    TCP line-protocol address      (env CHAT_TCP_ADDR,  default 127.0.0.1:7070)
  --http ADDR   web page address               (env CHAT_HTTP_ADDR, default 127.0.0.1:8080)
  --host HOST   host for both default addresses (env CHAT_HOST, default 127.0.0.1)
  --redis URL   share rooms, history and nicks with other chat servers through Redis
                (env CHAT_REDIS_URL, e.g. redis://127.0.0.1:6379; default: this process only)
  --procs N     processes to run, or "auto" for one per CPU (env STRAND_PROCS, default 1);
                more than one needs --redis, or the rooms would split between processes
  --debug ADDR  goroutine profile, metrics and live view (/debug/strand/), loopback only (default off)
  -h, --help    show this help

ADDR is host:port (port 0 picks a free one) or "off" to disable that side.
Logs are pretty on a terminal and JSON lines otherwise; LOG_LEVEL sets the level (default info).
SIGINT or SIGTERM shuts down gracefully: clients are told, connections closed, exit status 0.
SIGQUIT (Ctrl-\\) prints every goroutine to stderr and exits with status 2, as Go does.
`;

/** What the command line and the environment ask for. */
interface ChatOptions {
  tcp: string | null;
  http: string | null;
  scale: ScaleOptions;
  /** `--debug ADDR`: where to serve the debug pages (loopback only), or null. */
  debug: string | null;
}

/** Parses the command line (exits with the help or a usage error when it says so). */
function options(): ChatOptions {
  let args;
  try {
    args = parseArgs({
      options: {
        tcp: { type: 'string' },
        http: { type: 'string' },
        host: { type: 'string' },
        redis: { type: 'string' },
        procs: { type: 'string' },
        debug: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`chat: ${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  let scale: ScaleOptions;
  try {
    scale = scaleOptions({ procs: args.procs, redis: args.redis }, process.env);
  } catch (err) {
    if (!isOptionError(err)) throw err;
    process.stderr.write(`chat: ${err.message}\n`);
    process.exit(2);
  }
  const host = args.host ?? process.env.CHAT_HOST ?? '127.0.0.1';
  const tcp = address(args.tcp ?? process.env.CHAT_TCP_ADDR, host, 7070);
  const http = address(args.http ?? process.env.CHAT_HTTP_ADDR, host, 8080);
  return { tcp, http, scale, debug: args.debug ?? null };
}

/** Runs the server until a signal has drained it (in each worker, with --procs N). */
async function chat({ tcp, http, scale, debug }: ChatOptions): Promise<void> {
  const log = workerId() > 0 ? logger().child({ worker: workerId() }) : logger();
  // Go's SIGQUIT: the goroutine dump on stderr, then exit status 2 (the runtime's handler). With
  // --procs N the supervisor answers SIGQUIT with every worker's dump instead.
  if (workerId() === 0) handleSigquit();
  if (debug !== null) {
    // The debug pages: on their own loopback-only listener, never on the public addresses (with
    // --procs N the workers share it, and each request is answered by one of them).
    const dbg = await listenDebug(debug).catch((err: Error) => {
      process.stderr.write(`chat: --debug: ${err.message}\n`);
      process.exit(2);
    });
    log.info({ debug: `http://${dbg.addr}/debug/strand/` }, 'chat: debug pages');
  }
  try {
    await serve(tcp, http, scale, log);
  } catch (err) {
    log.fatal({ err }, 'chat: cannot start');
    process.exitCode = 1;
  }
}

/** `undefined` → the default on `host`; "off" → null; otherwise the address as given. */
function address(given: string | undefined, host: string, port: number): string | null {
  if (given === undefined || given === '') return joinHostPort(host, String(port));
  return given === 'off' ? null : given;
}

/** pino: pretty (colors, local times) on a terminal, JSON lines otherwise. */
function logger(): Logger {
  const level = process.env.LOG_LEVEL ?? 'info';
  if (process.stdout.isTTY) return pino({ level }, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true }));
  // Synchronous writes: when main returns the process exits at once (Go's rule), and a line
  // still queued in an asynchronous logger would be lost.
  return pino({ level }, pino.destination({ dest: 1, sync: true }));
}

async function serve(tcp: string | null, http: string | null, scale: ScaleOptions, log: Logger): Promise<void> {
  const srv = await ChatServer.start({ tcp, http, redis: scale.redis, log });
  log.info({ tcp: srv.tcpAddr, http: srv.httpURL, redis: scale.redis !== null, node: srv.nodeId }, 'chat: listening');
  if (srv.tcpAddr !== null) {
    const [h, p] = splitHostPort(srv.tcpAddr);
    log.info(`connect with: nc ${h} ${p}`);
  }
  if (srv.httpURL !== null) log.info(`open ${srv.httpURL} in a browser`);

  // Go's graceful shutdown: signals arrive on a channel. The first one drains the server (main
  // returns when it is done, and the process exits with its status); a second one while draining
  // exits at once.
  const sigs = chan<NodeJS.Signals>(1);
  signal.notify(sigs, 'SIGINT', 'SIGTERM');
  const first = await sigs.recv();
  log.info({ signal: first }, 'signal received');
  go(async function secondSignal() {
    const again = await sigs.recv();
    log.warn({ signal: again }, 'second signal: exiting now');
    process.exit(1);
  });
  try {
    await srv.shutdown();
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    process.exitCode = 1;
  }
}

// The main goroutine: when chat() returns the process exits (Go's func main). With --procs N
// (Redis required: see options.ts) `run` starts N worker processes under a supervisor instead,
// each running chat() and sharing the two ports.
const opts = options();
run(() => chat(opts), { procs: opts.scale.procs });
