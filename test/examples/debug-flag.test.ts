// The examples' --debug ADDR flag: the debug pages on a separate loopback-only listener.
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const echo = fileURLToPath(new URL('../../examples/echo/main.js', import.meta.url));
const chat = fileURLToPath(new URL('../../examples/chat/main.js', import.meta.url));

interface Run {
  child: ReturnType<typeof spawn>;
  exit: Promise<number | null>;
  stderr: () => string;
}

function run(file: string, args: string[]): Run {
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, stderr: () => err };
}

/** Resolves with the `debug` URL the program logs (JSON lines on a non-TTY stdout). */
function debugURL(r: Run): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    r.child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      const m = /"debug":"(http:\/\/[^"]+)"/.exec(buf);
      if (m !== null) resolve(m[1]!);
    });
    r.child.on('exit', (code) => reject(new Error(`exited ${code} before logging the debug address:\n${buf}${r.stderr()}`)));
  });
}

for (const [name, file, args] of [
  ['echo', echo, ['--addr', '127.0.0.1:0']],
  ['chat', chat, ['--tcp', '127.0.0.1:0', '--http', 'off']],
] as const) {
  t.test(`${name} --debug 127.0.0.1:0 serves the goroutine profile and metrics on loopback`, { timeout: 20_000 }, async (t) => {
    const r = run(file, [...args, '--debug', '127.0.0.1:0']);
    try {
      const url = await debugURL(r);
      t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/debug\/strand\/$/);
      const base = new URL(url).origin;
      const prof = await (await fetch(`${base}/debug/pprof/goroutine?debug=1`)).text();
      t.match(prof, /^goroutine profile: total \d+\n/m);
      t.match(prof, /\[IO wait\] acceptLoop|\[IO wait\]/, 'the accept loop parked in IO wait');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      t.match(metrics, /^strand_goroutines_started_total \d+$/m);
    } finally {
      r.child.kill('SIGTERM');
      t.equal(await r.exit, 0, 'exits 0 on SIGTERM');
    }
  });

  t.test(`${name} --debug refuses a non-loopback address with a clear error`, { timeout: 20_000 }, async (t) => {
    for (const addr of ['0.0.0.0:6060', ':6060']) {
      const r = run(file, [...args, '--debug', addr]);
      t.equal(await r.exit, 2, `${addr}: exit status 2`);
      t.match(r.stderr(), new RegExp(`^${name}: --debug: http: debug address ".*" is not loopback`), `${addr}: says why`);
    }
  });
}
