/**
 * `npm start -- --procs 2 --redis URL`: the chat as two worker processes under strand/procs's
 * supervisor, sharing both ports, with Redis joining their rooms. Clients that land on different
 * workers chat with each other; SIGTERM to the supervisor drains both workers and exits 0.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestRedis, waitForLine } from './helpers-redis.js';
import { LineClient } from './helpers.js';

const mainJs = fileURLToPath(new URL('../../../examples/chat/main.js', import.meta.url));

t.test('chat --procs 2 --redis: two workers share the ports, clients on either chat together, SIGTERM drains both (exit 0)', { timeout: 60_000 }, async (t) => {
  const redis = await TestRedis.start(t);
  const child = spawn(process.execPath, [mainJs, '--tcp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--procs', '2', '--redis', redis.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const log: { worker?: number; msg?: string; tcp?: string; client?: number; nick?: string }[] = [];
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l.startsWith('{')) log.push(JSON.parse(l) as (typeof log)[number]);
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += String(d)));

  // Both workers listen (on the same shared TCP port) and link to Redis.
  let listening = 0;
  await waitForLine(child, (l) => l.includes('"chat: listening"') && ++listening === 2, 'two workers to listen', 20_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${stderr}`);
  });
  const workers = log.filter((l) => l.msg === 'chat: listening');
  t.same(new Set(workers.map((l) => l.worker)), new Set([1, 2]), 'workers 1 and 2 are up');
  t.equal(new Set(workers.map((l) => l.tcp)).size, 1, 'on one shared TCP address');
  const addr = workers[0]!.tcp!;

  // Connect until clients sit on both workers (the kernel or the cluster spreads them).
  const clients: LineClient[] = [];
  t.teardown(() => clients.forEach((c) => c.close()));
  const workerOf = (nick: string): number | undefined => log.find((l) => l.msg === 'client connected' && l.nick !== undefined && l.nick.toLowerCase() === nick)?.worker;
  const on = new Map<number, string>();
  for (let i = 0; i < 40 && on.size < 2; i++) {
    const c = await LineClient.join(addr);
    clients.push(c);
    const welcome = c.lines.find((l) => l.startsWith('* Welcome'))!;
    const nick = /Welcome to strand chat, (\S+)!/.exec(welcome)![1]!.toLowerCase();
    // The hub logs the connect before it sends the welcome; stdout may still be on its way.
    for (let j = 0; j < 100 && workerOf(nick) === undefined; j++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        child.stdout!.once('data', () => (clearTimeout(timer), resolve()));
      });
    }
    const w = workerOf(nick);
    if (w !== undefined && !on.has(w)) on.set(w, nick);
  }
  t.equal(on.size, 2, `clients landed on both workers (${clients.length} connections)`);

  // One client on each worker: each one's message reaches the other.
  const [na, nb] = [on.get(1)!, on.get(2)!];
  const ca = clients.find((c) => c.lines.some((l) => l.toLowerCase().includes(`strand chat, ${na}!`)))!;
  const cb = clients.find((c) => c.lines.some((l) => l.toLowerCase().includes(`strand chat, ${nb}!`)))!;
  for (const c of [ca, cb]) {
    c.send('/join procs');
    await c.expect(/-> \S+ joined/);
  }
  ca.send('hello from worker 1');
  await cb.expect(/^\[procs\] <\S+> hello from worker 1$/, 15_000);
  cb.send('hello from worker 2');
  await ca.expect(/^\[procs\] <\S+> hello from worker 2$/, 15_000);
  t.pass('messages cross workers through Redis');

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM to the supervisor: every worker drains, exit 0');
  await Promise.all(clients.map((c) => c.ended));
  t.pass('every client was hung up');
});
