import t from 'tap';
import { go } from '../../src/index.js';
import { bufio, type Reader, type Writer } from '../../src/net/index.js';
import { drain, pair } from './_helpers.js';

const opts = { timeout: 10_000 };

/** A Reader over `text` that returns at most `step` bytes per read, async every other call. */
function reader(text: string | Buffer, step = 3): Reader {
  const data = typeof text === 'string' ? Buffer.from(text) : text;
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

t.test('bufio.Reader.readString() returns lines with their delimiter, the last without, then null', opts, async (t) => {
  const br = new bufio.Reader(reader('one\ntwo\nthree'));
  t.equal(await br.readString('\n'), 'one\n');
  t.equal(await br.readString('\n'), 'two\n');
  t.equal(await br.readString('\n'), 'three');
  t.equal(await br.readString('\n'), null);
});

t.test('bufio.Reader.readBytes() handles lines longer than the buffer', opts, async (t) => {
  const long = 'x'.repeat(100);
  const br = new bufio.Reader(reader(`${long}\nshort\n`, 7), 16);
  const b = await br.readBytes('\n');
  t.equal(b?.toString(), `${long}\n`);
  t.equal((await br.readBytes('\n'))?.toString(), 'short\n');
  t.equal(await br.readBytes('\n'), null);
});

t.test('bufio.Reader.readLine() strips \\n and \\r\\n and reports long lines as prefixes', opts, async (t) => {
  const br = new bufio.Reader(reader('a\r\nb\n' + 'y'.repeat(40) + '\nlast'), 16);
  const l1 = await br.readLine();
  t.equal(Buffer.from(l1!.line).toString(), 'a');
  t.equal(l1!.isPrefix, false);
  t.equal(Buffer.from((await br.readLine())!.line).toString(), 'b');
  let long = '';
  for (;;) {
    const l = (await br.readLine())!;
    long += Buffer.from(l.line).toString();
    if (!l.isPrefix) break;
  }
  t.equal(long, 'y'.repeat(40), 'the long line, reassembled from prefixes');
  t.equal(Buffer.from((await br.readLine())!.line).toString(), 'last');
  t.equal(await br.readLine(), null);
});

t.test('bufio.Reader.peek() looks ahead without consuming; fails beyond the buffer size', opts, async (t) => {
  const br = new bufio.Reader(reader('hello world'), 16);
  t.equal(Buffer.from(await br.peek(5)).toString(), 'hello');
  t.equal(Buffer.from(await br.peek(5)).toString(), 'hello', 'still there');
  t.equal(await br.readString(' '), 'hello ');
  t.equal(Buffer.from(await br.peek(10)).toString(), 'world', 'fewer bytes at EOF');
  t.throws(() => br.peek(17), bufio.ErrBufferFull);
  t.equal(await br.readByte(), 'w'.charCodeAt(0));
  const rest = Buffer.alloc(10);
  t.equal(await br.read(rest), 4);
  t.equal(await br.read(rest), null);
});

t.test('bufio.Reader.readSlice() fails with ErrBufferFull when no delimiter fits', opts, async (t) => {
  const br = new bufio.Reader(reader('z'.repeat(40)), 16);
  await t.rejects(async () => br.readSlice('\n'), bufio.ErrBufferFull);
});

t.test('bufio.Writer buffers small writes until flush() and writes large ones through', opts, async (t) => {
  const got: Buffer[] = [];
  const w: Writer = {
    write(p) {
      got.push(Buffer.from(p));
      return Promise.resolve(p.length);
    },
  };
  const bw = new bufio.Writer(w, 16);
  t.equal(await bw.writeString('abc'), 3);
  t.equal(await bw.write(Buffer.from('def')), 3);
  t.equal(got.length, 0, 'nothing written yet');
  t.equal(bw.buffered(), 6);
  await bw.flush();
  t.same(got.map(String), ['abcdef']);
  await bw.write(Buffer.from('0123456789abcdefXYZ')); // larger than the buffer, buffer empty
  t.same(got.map(String), ['abcdef', '0123456789abcdefXYZ'], 'written through without a copy');
  await bw.writeString('1234567890');
  await bw.writeString('ABCDEFGHIJ'); // fills the buffer: one flush of 16, 4 left
  await bw.flush();
  t.equal(got.slice(2).map(String).join(''), '1234567890ABCDEFGHIJ');
});

t.test('bufio.Writer keeps the first write error', opts, async (t) => {
  const boom = new Error('boom');
  const bw = new bufio.Writer({ write: () => Promise.reject(boom) }, 4);
  await bw.write(Buffer.from('ab'));
  await t.rejects(async () => bw.flush(), boom);
  t.throws(() => bw.write(Buffer.from('c')), boom, 'sticky');
});

t.test('bufio.Scanner splits lines (dropping \\r\\n) and words', opts, async (t) => {
  const sc = new bufio.Scanner(reader('alpha\r\nbeta\n\ngamma'));
  const lines: string[] = [];
  while (await sc.scan()) lines.push(sc.text());
  t.same(lines, ['alpha', 'beta', '', 'gamma']);
  t.equal(sc.err(), null);

  const words: string[] = [];
  for await (const w of new bufio.Scanner(reader('  the quick\tbrown\n fox  '), bufio.scanWords)) words.push(w);
  t.same(words, ['the', 'quick', 'brown', 'fox']);
});

t.test('bufio.Scanner stops with ErrTooLong on a line over the maximum token size', opts, async (t) => {
  const sc = new bufio.Scanner(reader(`ok\n${'L'.repeat(5000)}\nnever\n`, 512));
  sc.buffer(Buffer.alloc(64), 1024);
  t.equal(await sc.scan(), true);
  t.equal(sc.text(), 'ok');
  t.equal(await sc.scan(), false, 'the over-long line stops the scan');
  t.equal(sc.err(), bufio.ErrTooLong);
  t.equal(sc.err()!.message, 'bufio.Scanner: token too long');
  t.equal(await sc.scan(), false, 'and it stays stopped');
  const it = new bufio.Scanner(reader('x'.repeat(70_000)));
  await t.rejects(async () => {
    for await (const line of it) t.fail(`unexpected ${line.length}`);
  }, bufio.ErrTooLong, 'the default maximum is 64 KiB; for-await throws the error');
});

t.test('bufio over a Conn: a line protocol in both directions', opts, async (t) => {
  const p = await pair();
  go(async () => {
    const bw = new bufio.Writer(p.client);
    for (let i = 0; i < 1000; i++) await bw.writeString(`line ${i}\n`);
    await bw.flush();
    p.client.closeWrite();
  });
  const sc = new bufio.Scanner(p.server);
  let n = 0;
  while (await sc.scan()) {
    if (sc.text() !== `line ${n}`) t.fail(`line ${n}: ${sc.text()}`);
    n++;
  }
  t.equal(n, 1000, 'every line, in order');
  p.server.close();
  t.equal((await drain(p.client)).length, 0);
  p.close();
});
