import t from 'tap';
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isOptionError, parseProcs, scaleOptions } from '../../../examples/chat/options.js';

const main = fileURLToPath(new URL('../../../examples/chat/main.js', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [main, '--tcp', '127.0.0.1:0', '--http', 'off', ...args], { env: { ...process.env, ...env }, timeout: 10_000 }, (_err, _out, stderr) =>
      resolve({ code: child.exitCode, stderr }),
    );
  });
}

t.test('chat options: scaleOptions reads --procs/STRAND_PROCS and --redis/CHAT_REDIS_URL, flags first', { timeout: 5_000 }, async (t) => {
  t.same(scaleOptions({}, {}), { procs: 1, redis: null }, 'defaults: one process, in-process broker');
  t.same(scaleOptions({ procs: '1' }, {}), { procs: 1, redis: null });
  t.same(scaleOptions({ procs: '2', redis: 'redis://127.0.0.1:6379' }, {}), { procs: 2, redis: 'redis://127.0.0.1:6379' }, 'several processes with Redis: passed along');
  t.same(scaleOptions({}, { STRAND_PROCS: '3', CHAT_REDIS_URL: 'rediss://u:p@h:6380' }), { procs: 3, redis: 'rediss://u:p@h:6380' }, 'from the environment');
  t.same(scaleOptions({ procs: '1' }, { STRAND_PROCS: '4' }), { procs: 1, redis: null }, 'the flag wins over the environment');
  t.equal(parseProcs('auto'), Math.max(1, availableParallelism()), 'auto = one per CPU');
  for (const bad of ['0', '-1', 'two', '1.5', ' 2']) {
    t.throws(() => parseProcs(bad), { code: 'CHAT_ERR_OPTION' }, `--procs ${JSON.stringify(bad)} refused`);
  }
  t.throws(() => scaleOptions({ redis: 'localhost:6379' }, {}), { code: 'CHAT_ERR_OPTION' }, 'a Redis address that is not a URL is refused');
  let err: unknown;
  try {
    scaleOptions({ procs: '2' }, {});
  } catch (e) {
    err = e;
  }
  t.ok(isOptionError(err), 'more than one process without Redis is an OptionError');
  t.match((err as Error).message, /--procs 2 runs 2 processes.*rooms.*--redis/);
  if (availableParallelism() > 1) t.throws(() => scaleOptions({ procs: 'auto' }, {}), { code: 'CHAT_ERR_OPTION' }, 'auto on a multi-core machine needs Redis too');
});

t.test('chat main: --procs 2 or STRAND_PROCS=2 without Redis refuses to start, saying why (exit 2)', { timeout: 20_000 }, async (t) => {
  for (const [args, env, how] of [[['--procs', '2'], {}, '--procs 2'], [[], { STRAND_PROCS: '2' }, 'STRAND_PROCS=2']] as const) {
    const r = await run([...args], { ...env, CHAT_REDIS_URL: '' });
    t.equal(r.code, 2, `${how}: exit status 2`);
    t.match(r.stderr, /^chat: --procs 2 runs 2 processes, and without a shared broker each would keep its own rooms/, `${how}: the reason`);
    t.match(r.stderr, /--redis redis:\/\/HOST:PORT/, `${how}: and the way out`);
  }
  const bad = await run(['--procs', 'many']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--procs "many" must be a positive whole number or "auto"/);
});
