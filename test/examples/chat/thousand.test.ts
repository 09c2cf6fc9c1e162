import t from 'tap';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/thousand.js', import.meta.url));

t.test('chat: 1,000 TCP clients in one room each receive every message exactly once, in order', { timeout: 30_000 }, async (t) => {
  // 1,000 clients + 1,000 server connections need more descriptors than a default soft limit of
  // 1024: raise it in a shell (up to the hard limit) and run the scenario there.
  const script = 'ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"';
  const out = await new Promise<string>((resolve, reject) => {
    execFile('bash', ['-c', script, process.execPath, fixture], { timeout: 28_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  t.equal(r.connected, 1000, 'all 1,000 clients connected');
  t.equal(r.received, r.total, 'every message delivered');
  t.equal(r.mismatched, 0, 'every client saw the same sequence');
  t.equal(r.outOfOrder, 0, "each sender's messages in the order sent");
  t.equal(r.dropped, 0, 'no healthy client was dropped');
  t.comment(`connect ${r.connectMs} ms, deliver ${r.total} messages to each of ${r.clients}: ${r.deliverMs} ms`);
});
