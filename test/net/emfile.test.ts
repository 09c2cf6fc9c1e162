import { connect, type Socket } from 'node:net';
import t from 'tap';
import { dial, readFull } from '../../src/net/index.js';
import { fixture, spawnNode } from './_child.js';

t.test('a server out of file descriptors (EMFILE) survives a flood and serves again', { timeout: 30_000 }, async (t) => {
  // 64 descriptors: Node itself uses ~20, so a flood of 300 connections runs out.
  const server = spawnNode(fixture('server'), ['echo'], 64);
  try {
    const port = Number((await server.line(/^READY (\d+)/))[1]);
    const flood: Socket[] = [];
    const outcomes = { echoed: 0, failed: 0 };
    await Promise.all(
      Array.from(
        { length: 300 },
        () =>
          new Promise<void>((resolve) => {
            const s = connect({ host: '127.0.0.1', port });
            flood.push(s);
            const done = (ok: boolean): void => {
              if (ok) outcomes.echoed++;
              else outcomes.failed++;
              resolve();
            };
            s.setTimeout(3000, () => done(false)); // parked in the kernel's backlog
            s.on('error', () => done(false));
            s.on('close', () => done(false));
            s.once('connect', () => s.write('x'));
            s.once('data', () => done(true));
          }),
      ),
    );
    t.ok(outcomes.failed > 0, `the flood hit the limit: ${outcomes.echoed} echoed, ${outcomes.failed} failed or waited`);
    for (const s of flood) s.destroy();
    // Normal service: fresh connections echo again (the listener backed off and kept going).
    let served = 0;
    for (let i = 0; i < 5; i++) {
      const c = await dial('tcp', `127.0.0.1:${port}`, { timeout: 5000 });
      c.setDeadline(Date.now() + 5000);
      await c.write(Buffer.from(`after ${i}`));
      const back = Buffer.alloc(`after ${i}`.length);
      if ((await readFull(c, back)) !== null && back.toString() === `after ${i}`) served++;
      c.close();
    }
    t.equal(served, 5, 'the server serves normally after the flood');
    t.equal(server.proc.exitCode, null, 'and it is still running');
  } finally {
    server.proc.stdin!.end();
    t.equal(await server.exited, 0, 'it exits cleanly');
  }
});
