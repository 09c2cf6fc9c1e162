import { execFileSync } from 'node:child_process';
import t from 'tap';
import { fixture, spawnNode } from './_child.js';

t.test('10,000 concurrent connections echo correctly', { timeout: 60_000 }, async (t) => {
  // Each side needs ~10,000 descriptors: both run in children with the soft limit raised to the
  // hard one.
  const hard = Number(execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || 0;
  let n = 10_000;
  if (hard !== 0 && hard < n + 200) {
    n = hard - 200;
    t.comment(`the hard fd limit here is ${hard}: testing ${n} connections instead of 10,000`);
  }
  const server = spawnNode(fixture('server'), ['echo']);
  try {
    const port = (await server.line(/^READY (\d+)/))[1];
    const client = spawnNode(fixture('client'), [port, String(n)]);
    const result = JSON.parse((await client.line(/^\{.*/, 50_000))[0]) as { open: number; ok: number; failed: number; mismatched: number; ms: number };
    t.equal(await client.exited, 0, 'the client exited cleanly');
    t.equal(result.open, n, `${n} connections were open at once`);
    t.equal(result.failed, 0, 'no connection failed');
    t.equal(result.mismatched, 0, 'every echo matched, byte for byte');
    t.equal(result.ok, n);
    t.comment(`${n} connections, 2 round trips each, in ${result.ms} ms`);
  } finally {
    server.proc.stdin!.end();
    await server.exited;
  }
});
