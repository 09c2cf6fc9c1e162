import t from 'tap';
import { request } from 'undici';
import { chan } from '../../src/runtime/index.js';
import { Server, ServeMux, httpCodes, type HandlerLike } from '../../src/http/index.js';
import { startServer } from './_helpers.js';

t.test('a handler that is neither a function nor has serveHTTP is a TypeError with code STRAND_ERR_INVALID_ARG', async (t) => {
  const bad = { notServeHTTP: true } as unknown as HandlerLike;
  t.throws(() => new ServeMux().handle('/', bad), { name: 'TypeError', code: httpCodes.INVALID_ARG, message: /^http: handler must be/ });
  t.throws(() => new Server({ handler: bad }), TypeError);
  t.equal(httpCodes.INVALID_ARG, 'STRAND_ERR_INVALID_ARG', 'the runtime\'s invalid-argument code');
});

t.test('ResponseWriter.writeHeader() with a code outside 100–999 is a RangeError with code STRAND_ERR_INVALID_ARG', { timeout: 10_000 }, async (t) => {
  const seen = chan<unknown>(1);
  const { srv, base } = await startServer((w) => {
    try {
      w.writeHeader(42);
    } catch (err) {
      seen.trySend(err);
    }
    w.write('still fine');
  });
  const res = await request(base);
  t.equal(await res.body.text(), 'still fine');
  const err = await seen.recv();
  t.ok(err instanceof RangeError);
  t.match(err, { code: httpCodes.INVALID_ARG, message: 'http: invalid WriteHeader code 42' });
  await srv.shutdown();
});
