import t from 'tap';
import { LineReader, TOO_LONG } from '../../../examples/chat/linereader.js';
import type { Reader } from '../../../src/net/index.js';

/** A reader over fixed chunks: each read returns (part of) the next chunk, then null. */
function chunks(...parts: (string | Buffer)[]): Reader {
  const q = parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
  return {
    read(buf: Uint8Array): number | null {
      const c = q[0];
      if (c === undefined) return null;
      const n = Math.min(c.length, buf.length);
      c.copy(buf, 0, 0, n);
      if (n === c.length) q.shift();
      else q[0] = c.subarray(n);
      return n;
    },
  };
}

async function all(r: LineReader): Promise<(string | typeof TOO_LONG)[]> {
  const out: (string | typeof TOO_LONG)[] = [];
  for (let l = await r.readLine(); l !== null; l = await r.readLine()) out.push(l);
  return out;
}

t.test('LineReader.readLine() splits \\n and \\r\\n lines across reads and returns a last unterminated line', { timeout: 5000 }, async (t) => {
  t.same(await all(new LineReader(chunks('a\nbb', 'b\r\n', '\n', 'last'), 16)), ['a', 'bbb', '', 'last']);
});

t.test('LineReader.readLine() refuses an over-long line once, skips the rest of it, and goes on', { timeout: 5000 }, async (t) => {
  const max = 8;
  t.same(await all(new LineReader(chunks('ok\n', 'x'.repeat(9) + '\n', 'next\n'), max)), ['ok', TOO_LONG, 'next']);
  // Exactly max bytes (with \r\n) is fine; max + 1 is not.
  t.same(await all(new LineReader(chunks('x'.repeat(8) + '\r\n' + 'y'.repeat(9) + '\r\nz'), max)), ['x'.repeat(8), TOO_LONG, 'z']);
  // A huge line arriving in many reads is refused once and never buffered whole.
  const huge = Array.from({ length: 100 }, () => 'h'.repeat(1000));
  t.same(await all(new LineReader(chunks(...huge, '\nafter\n'), 4096)), [TOO_LONG, 'after']);
  t.same(await all(new LineReader(chunks('x'.repeat(9)), max)), [TOO_LONG], 'an over-long last line at EOF');
});

t.test('LineReader.readLine() decodes invalid UTF-8 as U+FFFD', { timeout: 5000 }, async (t) => {
  t.same(await all(new LineReader(chunks(Buffer.from([0xc3, 0x28, 0x0a, 0xe2, 0x82, 0xac, 0x0a])), 16)), ['\ufffd(', '€']);
});
