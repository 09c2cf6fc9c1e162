/**
 * Which goroutine the dump names as waiting, and the fairness budget for goroutines whose
 * operations never park (goroutine.ts: "Knowing which goroutine is running", immediate(),
 * awaitable()).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { CLOSED, attribution, attributionNote, chan, formatDump, go, goroutines, recvCase, select, type GoroutineInfo } from '../../src/index.js';
import { bufio, dial, listen } from '../../src/net/index.js';

const opts = { timeout: 15_000 };

function byName(name: string): GoroutineInfo | undefined {
  return goroutines().find((g) => g.fn === name);
}

/** Resolves when each named goroutine waits for the given reason (polling the dump, bounded). */
async function waiting(want: Record<string, string>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (Object.entries(want).every(([n, reason]) => byName(n)?.state === 'waiting' && byName(n)?.waitReason === reason)) return;
    await new Promise((r) => setImmediate(r));
  }
}

t.test('the dump names the right goroutine after it awaited an operation that completed at once', opts, async (t) => {
  const a = chan<number>();
  const b = chan<number>();
  const started = chan<void>(1);
  setTimeout(() =>
    go(async function g1() {
      await started.send(); // completes at once (buffered)
      await a.send(1); // hands off to main, which was waiting: completes at once too
      await b.recv(); // parks: must be recorded against g1
    }),
  );
  await a.recv();
  await waiting({ g1: 'chan receive' });
  const g1 = byName('g1');
  t.equal(g1?.state, 'waiting');
  t.equal(g1?.waitReason, 'chan receive');
  t.notOk(goroutines().some((g) => g.id === 1), 'main is not shown waiting: it is running this test');
  b.close();
});

t.test('a goroutine ranging over a channel with for await is attributed its own waits', opts, async (t) => {
  const jobs = chan<number>(4);
  const other = chan<number>();
  const stop = chan<void>();
  go(async function worker() {
    for await (const j of jobs) await other.recv();
    await stop.recv();
  });
  go(async function feeder() {
    for (let i = 0; i < 3; i++) await jobs.send(i);
    jobs.close();
  });
  go(async function poker() {
    for (let i = 0; i < 3; i++) await other.send(i);
  });
  await waiting({ worker: 'chan receive' });
  t.equal(byName('worker')?.waitReason, 'chan receive');
  t.equal(byName('poker'), undefined, 'poker finished');
  t.equal(byName('feeder'), undefined, 'feeder finished');
  stop.close();
});

t.test('a bufio.Scanner loop keeps its goroutine attribution (IO wait on the right goroutine)', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const other = chan<number>();
  const stop = chan<void>();
  go(async function server() {
    const c = await ln.accept();
    const sc = new bufio.Scanner(c);
    for await (const _line of sc) await other.recv();
    c.close();
  });
  go(async function poker() {
    for (let i = 0; i < 3; i++) await other.send(i);
    await stop.recv();
  });
  const c = await dial('tcp', String(ln.addr));
  await c.write(Buffer.from('a\nb\nc\n'));
  await waiting({ server: 'IO wait', poker: 'chan receive' });
  t.equal(byName('server')?.waitReason, 'IO wait', 'the scanner waits for more input');
  t.equal(byName('poker')?.waitReason, 'chan receive');
  stop.close();
  c.close();
  ln.close();
});

t.test('goroutines that await operations which never block do not starve a timer', opts, async (t) => {
  const c = chan<number>(1024);
  let stop = false;
  go(async function producer() {
    let i = 0;
    while (!stop) await c.send(i++);
    c.close();
  });
  go(async function consumer() {
    for (;;) if ((await c.recvOrClosed()) === CLOSED) return;
  });
  const a = chan<number>(1);
  const b = chan<number>(1);
  const cases = [recvCase(a), recvCase(b)];
  go(async function selector() {
    while (!stop) {
      a.trySend(1);
      b.trySend(2);
      await select(cases);
    }
  });
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5));
  const late = performance.now() - t0;
  stop = true;
  t.ok(late < 1000, `a 5 ms timer fired after ${late.toFixed(1)} ms while three goroutines looped`);
});

t.test('after awaiting fs.promises.readFile and fetch, the dump names each goroutine parked on its own channel receive (exact lines) or says it is approximate', opts, async (t) => {
  const server = createServer((_req, res) => res.end('hello'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const self = fileURLToPath(import.meta.url);
  const ch = chan<number>();
  const arrived = chan<string>(6);
  for (let i = 0; i < 3; i++) {
    go(async function fsReader() {
      await readFile(self); // a foreign promise, settled by libuv's thread pool
      await arrived.send('fs');
      await ch.recv();
    });
    go(async function fetcher() {
      await (await fetch(`http://127.0.0.1:${port}/`)).text(); // undici: sockets, streams, promises
      await arrived.send('fetch');
      await ch.recv();
    });
  }
  for (let i = 0; i < 6; i++) await arrived.recv();
  await waiting({ fsReader: 'chan receive', fetcher: 'chan receive' });
  const list = goroutines();
  if (attribution() === 'async-context-frame') {
    const named = list.filter((g) => g.fn === 'fsReader' || g.fn === 'fetcher');
    t.equal(named.length, 6, 'six goroutines');
    t.ok(named.every((g) => g.state === 'waiting' && g.waitReason === 'chan receive'), 'each parked on chan receive');
    t.notOk(list.some((g) => g.id === 1), 'main is not shown waiting in their place');
    t.equal(attributionNote(), '', 'no approximation note');
  } else {
    t.match(formatDump(), /^\(strand: goroutine attribution is approximate on Node v\d+/, 'the dump says it is approximate');
  }
  ch.close();
  server.close();
});
