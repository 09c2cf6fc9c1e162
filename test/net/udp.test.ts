/**
 * strand/net's UDP: listenPacket → PacketConn — echo, truncation of a datagram larger than the
 * buffer, the bound on unread datagrams under a flood (memory flat, drops counted), deadlines,
 * close waking a parked read, address errors.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { go } from '../../src/runtime/index.js';
import { ErrClosed, ErrDeadlineExceeded, OpError, UDPAddr, errorIs, listenPacket, netCodes } from '../../src/net/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

t.test('listenPacket/PacketConn: echo over UDP between two PacketConns', { timeout: 10_000 }, async (t) => {
  const srv = await listenPacket('udp', '127.0.0.1:0');
  const cli = await listenPacket('udp4', '127.0.0.1:0');
  t.teardown(() => {
    srv.close();
    cli.close();
  });
  t.ok(srv.localAddr instanceof UDPAddr);
  t.equal(srv.localAddr.network(), 'udp');
  go(async () => {
    const buf = Buffer.alloc(1500);
    for (;;) {
      let r: [number, UDPAddr];
      try {
        r = await srv.readFrom(buf);
      } catch {
        return;
      }
      await srv.writeTo(buf.subarray(0, r[0]), r[1]);
    }
  });
  const buf = Buffer.alloc(1500);
  for (const msg of ['one', 'two', 'three']) {
    t.equal(await cli.writeTo(Buffer.from(msg), String(srv.localAddr)), msg.length);
    const [n, from] = await cli.readFrom(buf);
    t.equal(buf.subarray(0, n).toString(), msg, `echoed ${msg}`);
    t.equal(String(from), String(srv.localAddr), 'from the server');
  }
});

t.test('PacketConn.readFrom truncates a datagram larger than the buffer, as Go', { timeout: 10_000 }, async (t) => {
  const pc = await listenPacket('udp4', '127.0.0.1:0');
  t.teardown(() => pc.close());
  const s = createSocket('udp4');
  t.teardown(() => s.close());
  s.send(Buffer.from('0123456789'), pc.localAddr.port, '127.0.0.1');
  s.send(Buffer.from('next'), pc.localAddr.port, '127.0.0.1');
  const small = Buffer.alloc(4);
  const [n] = await pc.readFrom(small);
  t.equal(n, 4);
  t.equal(small.toString(), '0123', 'truncated');
  const [n2] = await pc.readFrom(Buffer.alloc(100));
  t.equal(n2, 4, 'the rest of the long datagram is lost; the next one is whole');
});

t.test('PacketConn: a flood while nobody reads is bounded (drops counted, memory flat)', { timeout: 60_000 }, async (t) => {
  const pc = await listenPacket('udp4', '127.0.0.1:0', { maxQueuedPackets: 256, maxQueuedBytes: 128 * 1024 });
  t.teardown(() => pc.close());
  const s = createSocket('udp4');
  t.teardown(() => s.close());
  const payload = Buffer.alloc(1024, 7);
  const port = pc.localAddr.port;
  // Small bursts with a turn of the event loop between them, so that the datagrams reach the
  // process (rather than overflow the kernel's receive buffer) and the strand queue's bound is
  // what drops them.
  const sendMany = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i += 64) {
      await new Promise((r) => setImmediate(r));
      await Promise.all(Array.from({ length: 64 }, () => new Promise<void>((r) => s.send(payload, port, '127.0.0.1', () => r()))));
    }
  };
  await sendMany(10_000); // warm up
  // Retained memory after a full GC (RSS also counts garbage not yet collected, which varies by
  // Node line): the queue's bound is what must keep it flat. Measured growth here: 1.6-8 MiB on
  // Node 20, 24 and 26; without the bound it would hold the whole ~60 MB.
  const retained = (): number => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const before = retained();
  await sendMany(60_000); // ~60 MB of datagrams
  // Let the last ones arrive: wait until the drop counter stops moving.
  let last = -1;
  while (pc.droppedPackets !== last) {
    last = pc.droppedPackets;
    await new Promise((r) => setTimeout(r, 50));
  }
  const grown = retained() - before;
  const q = pc.queued;
  t.ok(q.packets <= 256 && q.bytes <= 128 * 1024, `the queue stays within its bound (${q.packets} datagrams, ${q.bytes} bytes)`);
  t.ok(pc.droppedPackets > 10_000, `drops are counted (${pc.droppedPackets})`);
  t.ok(grown < 24 * 1024 * 1024, `retained memory flat under a ~60 MB flood (grew ${(grown / 1048576).toFixed(1)} MiB)`);
  const buf = Buffer.alloc(2048);
  const [n] = await pc.readFrom(buf);
  t.equal(n, 1024, 'queued datagrams are still read');
});

t.test('PacketConn: deadlines fail parked and later reads; close wakes a parked read', { timeout: 10_000 }, async (t) => {
  const pc = await listenPacket('udp', '127.0.0.1:0');
  t.teardown(() => pc.close());
  pc.setReadDeadline(Date.now() + 100);
  const t0 = Date.now();
  const err = await Promise.resolve(pc.readFrom(Buffer.alloc(10))).then(
    () => null,
    (e: unknown) => e as OpError,
  );
  t.ok(err instanceof OpError && err.timeout(), 'a parked read times out');
  t.ok(Date.now() - t0 >= 80);
  let later: unknown = null;
  try {
    await pc.readFrom(Buffer.alloc(10));
  } catch (e) {
    later = e;
  }
  t.ok(errorIs(later, ErrDeadlineExceeded), 'later reads fail until moved');
  pc.setReadDeadline(0);
  const parked = Promise.resolve(pc.readFrom(Buffer.alloc(10))).then(
    () => null,
    (e: unknown) => e as OpError,
  );
  pc.close();
  const e2 = await parked;
  t.equal(e2?.code, netCodes.CLOSED, 'close wakes the parked read with ErrClosed');
  t.ok(errorIs(e2, ErrClosed));
  t.match(e2?.message ?? '', /^net: read udp 127\.0\.0\.1:\d+: use of closed network connection$/);
  await t.rejects(pc.writeTo(Buffer.from('x'), '127.0.0.1:9'), { code: netCodes.CLOSED });
});

t.test('listenPacket: unknown network and bad addresses are OpErrors', { timeout: 10_000 }, async (t) => {
  await t.rejects(listenPacket('tcp', '127.0.0.1:0'), { code: netCodes.UNKNOWN_NETWORK });
  await t.rejects(listenPacket('udp', '127.0.0.1'), { code: netCodes.ADDR });
  await t.rejects(listenPacket('udp4', '[::1]:0'), { code: netCodes.ADDR });
  const a = await listenPacket('udp4', '127.0.0.1:0');
  t.teardown(() => a.close());
  await t.rejects(listenPacket('udp4', String(a.localAddr)), { code: netCodes.SYSCALL, errno: 'EADDRINUSE' });
});
