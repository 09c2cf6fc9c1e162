import t from 'tap';
import { go } from '../../src/index.js';
import { dial } from '../../src/net/index.js';
import { fixture, spawnNode } from './_child.js';
import { delay, drain, pair } from './_helpers.js';
import { kFD } from '../../src/net/_symbols.js';

const MiB = 1 << 20;

t.test("a client sending 256 MiB to a goroutine that does not read keeps the server's RSS within +64 MiB", { timeout: 60_000 }, async (t) => {
  const server = spawnNode(fixture('server'), ['hold']);
  try {
    const port = (await server.line(/^READY (\d+)/))[1];
    server.send('rss');
    const base = Number((await server.line(/^RSS (\d+)/))[1]);
    const c = await dial('tcp', `127.0.0.1:${port}`);
    const chunk = Buffer.alloc(MiB, 0x5a);
    let written = 0;
    const writer = new Promise<void>((resolve, reject) => {
      go(async () => {
        try {
          for (let i = 0; i < 256; i++) {
            await c.write(chunk);
            written += MiB;
          }
          c.closeWrite();
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
    // Wait until the writer is stuck (nothing moves for 300 ms): the server is not reading.
    let last = -1;
    for (let stable = 0; stable < 6; ) {
      await delay(50);
      stable = written === last ? stable + 1 : 0;
      last = written;
    }
    server.send('rss');
    const held = Number((await server.line(/^RSS (\d+)/))[1]);
    t.ok(written < 64 * MiB, `the client's writes parked after ${written / MiB} MiB`);
    t.ok(held - base < 64 * MiB, `server RSS grew by ${((held - base) / MiB).toFixed(1)} MiB while not reading`);
    server.send('go');
    await writer;
    const [, total, peak] = await server.line(/^TOTAL (\d+) PEAK (\d+)/, 40_000);
    t.equal(Number(total), 256 * MiB, 'the server then read all 256 MiB');
    t.ok(Number(peak) - base < 64 * MiB, `peak server RSS growth ${((Number(peak) - base) / MiB).toFixed(1)} MiB`);
    c.close();
  } finally {
    server.proc.stdin!.end();
    await server.exited;
  }
});

t.test('Conn.write() to a client that does not read parks instead of buffering', { timeout: 20_000 }, async (t) => {
  const p = await pair();
  const chunk = Buffer.alloc(MiB, 1);
  let accepted = 0;
  let parked: Promise<number> | null = null;
  while (parked === null && accepted < 512 * MiB) {
    const r = p.server.write(chunk);
    if (r instanceof Promise) parked = r;
    else accepted += r;
  }
  t.ok(parked !== null, 'a write parked');
  t.ok(accepted < 64 * MiB, `only ${accepted / MiB} MiB went through before it parked (kernel buffers)`);
  const queued = p.server[kFD].socket.writableLength;
  t.ok(queued <= MiB, `Node holds at most the parked write (${queued} bytes queued)`);
  let done = false;
  void parked!.then(() => (done = true));
  await delay(200);
  t.notOk(done, 'still parked while the client does not read');
  // The client reads: the writer resumes.
  const reading = drain(p.client);
  await parked;
  t.ok(true, 'the write completed once the client read');
  p.server.close();
  const got = await reading;
  t.equal(got.length, accepted + MiB, 'every byte arrived');
  p.close();
});
