import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { dial } from '../../src/net/index.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '../../examples/echo/main.js');

/** Starts the echo example on a free port; resolves once its "listening" log line is out. */
async function startEcho(): Promise<{ proc: ChildProcess; port: number; logs: () => Record<string, unknown>[]; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, [main, '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let buf = '';
  let onLine: (() => void) | null = null;
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      logs.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
      onLine?.();
    }
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    onLine = () => {
      const l = logs.find((x) => x.msg === 'echo: listening');
      if (l) resolve(l);
    };
    void exited.then((code) => reject(new Error(`echo exited ${code}: ${stderr}`)));
  });
  const port = Number(String(listening.addr).split(':').pop());
  return { proc, port, logs: () => logs, exited };
}

const PY_CLIENT = `
import os, socket, sys, threading
port, conns, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
results = []
def one(i):
    data = os.urandom(size)
    s = socket.create_connection(('127.0.0.1', port))
    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    t.join()
    s.close()
    results.append(bytes(got) == data)
threads = [threading.Thread(target=one, args=(i,)) for i in range(conns)]
for t in threads: t.start()
for t in threads: t.join()
print('OK' if all(results) and len(results) == conns else 'FAIL', sum(results), conns, flush=True)
`;

t.test('examples/echo echoes every byte of 1 MiB on 50 connections of a Python client', { timeout: 60_000 }, async (t) => {
  const echo = await startEcho();
  try {
    const py = spawn('python3', ['-c', PY_CLIENT, String(echo.port), '50', String(1 << 20)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    py.stdout!.on('data', (d: Buffer) => (out += String(d)));
    const code = await new Promise<number | null>((resolve) => py.on('exit', resolve));
    t.equal(code, 0, 'python exited cleanly');
    t.match(out.trim(), /^OK 50 50$/, 'all 50 connections got their exact bytes back');
    const closed = echo.logs().filter((l) => l.msg === 'echo: connection closed');
    t.equal(closed.length, 50, 'one "closed" log line per connection');
    t.ok(
      closed.every((l) => l.bytes === 1 << 20),
      'each with the byte count',
    );
  } finally {
    echo.proc.kill('SIGTERM');
    t.equal(await echo.exited, 0, 'SIGTERM stops it with status 0');
  }
});

t.test('examples/echo stops gracefully on SIGINT: closes open connections, exits 0', { timeout: 20_000 }, async (t) => {
  const echo = await startEcho();
  const c = await dial('tcp', `127.0.0.1:${echo.port}`);
  await c.write(Buffer.from('hi'));
  const b = Buffer.alloc(2);
  t.equal(await c.read(b), 2, 'an open, working connection');
  echo.proc.kill('SIGINT');
  t.equal(await c.read(b), null, 'the server closed it: EOF');
  t.equal(await echo.exited, 0, 'exit status 0');
  const msgs = echo.logs().map((l) => l.msg);
  t.ok(msgs.includes('echo: stopping'), 'logged the stop');
  t.equal(msgs[msgs.length - 1], 'echo: stopped', 'and the end');
  c.close();
});
