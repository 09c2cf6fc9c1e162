import t from 'tap';
import { spawn, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LineClient } from './helpers.js';

const main = fileURLToPath(new URL('../../../examples/chat/main.js', import.meta.url));

/** Starts main.js with the given args; resolves with the child and its "listening" log record. */
function startMain(args: string[]): Promise<{ child: ReturnType<typeof spawn>; listening: { tcp: string; http: string | null }; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      for (const line of buf.split('\n')) {
        if (line.includes('"chat: listening"')) {
          const rec = JSON.parse(line);
          resolve({ child, listening: { tcp: rec.tcp, http: rec.http }, exit });
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`main.js exited with ${code} before listening:\n${buf}`)));
  });
}

t.test('chat main: --help lists the flags and environment variables', { timeout: 10_000 }, async (t) => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [main, '--help'], (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  for (const word of ['--tcp', '--http', '--host', 'CHAT_TCP_ADDR', 'CHAT_HTTP_ADDR', '127.0.0.1:7070', '127.0.0.1:8080']) {
    t.ok(out.includes(word), `mentions ${word}`);
  }
});

t.test('chat main: SIGTERM tells clients, closes connections and exits 0 (JSON logs when not a TTY)', { timeout: 15_000 }, async (t) => {
  const { child, listening, exit } = await startMain(['--tcp', '127.0.0.1:0', '--http', '127.0.0.1:0']);
  t.match(listening.tcp, /^127\.0\.0\.1:\d+$/);
  const ana = await LineClient.join(listening.tcp, 'ana');
  const bob = await LineClient.join(listening.tcp, 'bob');
  child.kill('SIGTERM');
  t.equal(await ana.expect(/^\* bye/), '* bye: server shutting down');
  t.equal(await bob.expect(/^\* bye/), '* bye: server shutting down');
  await Promise.all([ana.ended, bob.ended]);
  t.equal(await exit, 0, 'exit status 0');
});

t.test('chat main: an address in use is reported and the exit status is 1', { timeout: 15_000 }, async (t) => {
  const first = await startMain(['--tcp', '127.0.0.1:0', '--http', 'off']);
  const second = spawn(process.execPath, [main, '--tcp', first.listening.tcp, '--http', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  second.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
  t.equal(code, 1);
  t.match(out, /cannot start/);
  first.child.kill('SIGINT');
  t.equal(await first.exit, 0);
});
