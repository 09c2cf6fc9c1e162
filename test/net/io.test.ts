import t from 'tap';
import { go } from '../../src/index.js';
import { ErrShortWrite, ErrUnexpectedEOF, copy, copyBuffer, readAll, readFull, type Reader, type Writer } from '../../src/net/index.js';
import { drain, pair } from './_helpers.js';

const opts = { timeout: 10_000 };

/** A Reader over a buffer that hands out at most `step` bytes per read, async every other time. */
function chunkedReader(data: Uint8Array, step: number): Reader {
  let off = 0;
  let calls = 0;
  return {
    read(p) {
      if (off >= data.length) return null;
      const n = Math.min(step, p.length, data.length - off);
      p.set(data.subarray(off, off + n));
      off += n;
      return ++calls % 2 === 0 ? Promise.resolve(n) : n;
    },
  };
}

/** A Writer collecting what it gets (copying: the caller may reuse its buffer). */
function sink(): Writer & { data(): Buffer } {
  const parts: Buffer[] = [];
  return {
    write(p) {
      parts.push(Buffer.from(p));
      return p.length;
    },
    data: () => Buffer.concat(parts),
  };
}

t.test('copy() copies a generic Reader to a Writer until EOF and returns the count', opts, async (t) => {
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  const w = sink();
  t.equal(await copy(w, chunkedReader(data, 7_000)), data.length);
  t.ok(w.data().equals(data));
});

t.test('copy() fails with ErrShortWrite when the Writer writes less', opts, async (t) => {
  const short: Writer = { write: (p) => p.length - 1 };
  await t.rejects(copy(short, chunkedReader(Buffer.from('abc'), 3)), ErrShortWrite);
});

t.test('copy() of a Conn to a Conn (zero-copy WriterTo) moves 16 MiB intact', opts, async (t) => {
  const a = await pair();
  const b = await pair();
  const data = Buffer.alloc(16 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  go(async () => {
    await a.client.write(data);
    a.client.closeWrite();
  });
  // a.server → b.client, like a proxy.
  const copied = new Promise<number>((resolve) => {
    go(async () => {
      const n = await copy(b.client, a.server);
      b.client.closeWrite();
      resolve(n);
    });
  });
  const got = await drain(b.server);
  t.equal(await copied, data.length, 'copy() returned the byte count');
  t.ok(got.equals(data), 'identical bytes');
  a.close();
  b.close();
});

t.test('copy() of a generic Reader into a Conn reuses one buffer safely', opts, async (t) => {
  const p = await pair();
  const data = Buffer.alloc(4 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 0xff;
  const done = new Promise<number>((resolve) => {
    go(async () => {
      const n = await copyBuffer(p.client, chunkedReader(data, 100_000), Buffer.alloc(64 << 10));
      p.client.closeWrite();
      resolve(n);
    });
  });
  const got = await drain(p.server);
  t.equal(await done, data.length);
  t.ok(got.equals(data));
  p.close();
});

t.test('readFull() fills the buffer, returns null at EOF, fails with ErrUnexpectedEOF on a partial fill', opts, async (t) => {
  const r = chunkedReader(Buffer.from('abcdefgh'), 3);
  const b = Buffer.alloc(5);
  t.equal(await readFull(r, b), 5);
  t.equal(b.toString(), 'abcde');
  await t.rejects(async () => readFull(r, b), ErrUnexpectedEOF, '3 bytes left for a 5-byte buffer');
  t.equal(await readFull(r, b), null, 'then EOF');
  t.equal(readFull(chunkedReader(Buffer.from('xy'), 2), Buffer.alloc(2)), 2, 'a fill that completes at once returns a plain number');
});

t.test('readAll() reads a Conn until EOF', opts, async (t) => {
  const p = await pair();
  const data = Buffer.alloc(1 << 20, 9);
  go(async () => {
    await p.client.write(data);
    p.client.close();
  });
  const got = await readAll(p.server);
  t.equal(got.length, data.length);
  t.ok(got.equals(data));
  t.equal((await readAll(chunkedReader(new Uint8Array(0), 1))).length, 0, 'an empty stream gives an empty buffer');
  await t.rejects(readAll(chunkedReader(Buffer.alloc(100), 10), 50), { code: 'STRAND_ERR_INVALID_ARG' }, 'the limit is enforced');
  p.close();
});
