// The engine's object reader against a real HTTP server on loopback: bodies land whole and exact in the caller's
// buffer however the server splits them, connections are reused, and every bad answer is an error the restore can
// act on (retry, size mismatch, cancel) rather than a wrong disk.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { getObject, RetryableError } from '../../agent/engine/http-object.js';
import { RestoreError } from '../../agent/engine/types.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: (path: string) => string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server: Server = createServer(handler);
  server.on('connection', () => { connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    connections: () => connections,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Writes `body` in pieces of `piece` bytes with a pause between, so it arrives over many socket reads. */
function dribble(res: ServerResponse, body: Buffer, piece: number): void {
  res.writeHead(200, { 'content-length': body.length });
  let at = 0;
  const next = () => {
    if (at >= body.length) { res.end(); return; }
    res.write(body.subarray(at, at + piece));
    at += piece;
    setTimeout(next, 1);
  };
  next();
}

describe('Agent engine: reading a kopia object over loopback HTTP', function () {
  const AUTH = 'Basic dXNlcjpwYXNz';
  let stop: (() => Promise<void>) | null = null;
  afterEach(async () => { await stop?.(); stop = null; });

  it('Fills the caller\'s buffer exactly, whether the body comes with the headers or over many reads', async function () {
    const small = randomBytes(300);
    const large = randomBytes(5 * 1024 * 1024 + 7);
    const server = await serve((req, res) => {
      assert.equal(req.headers.authorization, AUTH);
      if (req.url === '/small') { res.writeHead(200, { 'content-length': small.length }); res.end(small); } else dribble(res, large, 100_003);
    });
    stop = server.close;
    const into = Buffer.alloc(small.length);
    const got = await getObject(server.url('/small'), AUTH, 'small', undefined, into);
    assert.equal(got, into);
    assert.ok(into.equals(small));
    const bigInto = Buffer.alloc(large.length);
    await getObject(server.url('/large'), AUTH, 'large', undefined, bigInto);
    assert.ok(bigInto.equals(large));
    // Without a buffer of the caller's, the body is sized from its Content-Length.
    assert.ok((await getObject(server.url('/large'), AUTH, 'large')).equals(large));
  });

  it('Reuses one connection for objects read one after another', async function () {
    const body = randomBytes(64 * 1024);
    const server = await serve((_req, res) => { res.writeHead(200, { 'content-length': body.length }); res.end(body); });
    stop = server.close;
    for (let i = 0; i < 5; i++) assert.ok((await getObject(server.url(`/o${i}`), AUTH, `o${i}`)).equals(body));
    assert.equal(server.connections(), 1);
    // Many at once get connections of their own, and each still gets its own bytes.
    const bodies = new Map<string, Buffer>();
    const many = await serve((req, res) => { const b = bodies.get(req.url ?? '') ?? Buffer.alloc(0); dribble(res, b, 40_000); });
    const server2 = many;
    const previous = stop;
    stop = async () => { await previous(); await server2.close(); };
    for (let i = 0; i < 12; i++) bodies.set(`/m${i}`, randomBytes(200_000 + i));
    const got = await Promise.all([...bodies.keys()].map((path) => getObject(server2.url(path), AUTH, path.slice(1), undefined, Buffer.alloc(bodies.get(path)!.length))));
    got.forEach((b, i) => assert.equal(b.equals(bodies.get(`/m${i}`)!), true));
  });

  it('Refuses a body whose length is not what the chunk map says, before reading it', async function () {
    const server = await serve((_req, res) => { res.writeHead(200, { 'content-length': 10 }); res.end(Buffer.alloc(10)); });
    stop = server.close;
    const error = await getObject(server.url('/x'), AUTH, 'x', undefined, Buffer.alloc(11)).catch((e: unknown) => e);
    assert.ok(error instanceof RestoreError);
    assert.equal((error as RestoreError).code, 'SIZE_MISMATCH');
    assert.ok((error as RestoreError).message.includes('10 bytes, the map says 11'), (error as RestoreError).message);
  });

  it('Calls a server error worth a retry and a missing object not, with the server\'s words', async function () {
    const server = await serve((req, res) => {
      const status = req.url === '/gone' ? 404 : 500;
      const text = status === 404 ? '{"error":"object not found"}' : 'storage hiccup';
      res.writeHead(status, { 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    stop = server.close;
    const retry = await getObject(server.url('/busy'), AUTH, 'busy', undefined, Buffer.alloc(4)).catch((e: unknown) => e);
    assert.ok(retry instanceof RetryableError);
    assert.ok((retry as Error).message.includes('HTTP 500 storage hiccup'), (retry as Error).message);
    const gone = await getObject(server.url('/gone'), AUTH, 'gone', undefined, Buffer.alloc(4)).catch((e: unknown) => e);
    assert.ok(gone instanceof RestoreError && !(gone instanceof RetryableError));
    assert.equal((gone as RestoreError).code, 'KOPIA_FAILED');
    assert.ok((gone as Error).message.includes('HTTP 404 {"error":"object not found"}'), (gone as Error).message);
    // The connection is still good after an error answer.
    assert.equal(server.connections(), 1);
  });

  it('Calls a connection cut mid-body worth a retry, and refuses an answer with no length', async function () {
    const server = await serve((req, res) => {
      if (req.url === '/chunked') { res.writeHead(200); res.write('abc'); res.end('def'); return; }
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(100));
      setTimeout(() => res.socket?.destroy(), 5);
    });
    stop = server.close;
    const cut = await getObject(server.url('/cut'), AUTH, 'cut', undefined, Buffer.alloc(1000)).catch((e: unknown) => e);
    assert.ok(cut instanceof RetryableError);
    const chunked = await getObject(server.url('/chunked'), AUTH, 'chunked').catch((e: unknown) => e);
    assert.ok(chunked instanceof RestoreError);
    assert.ok((chunked as Error).message.includes('no length'), (chunked as Error).message);
  });

  it('Stops a read at once when the restore is cancelled', async function () {
    const server = await serve((_req, res) => { res.writeHead(200, { 'content-length': 1000 }); res.write(Buffer.alloc(10)); });
    stop = server.close;
    const controller = new AbortController();
    const pending = getObject(server.url('/slow'), AUTH, 'slow', controller.signal, Buffer.alloc(1000)).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    const error = await pending;
    assert.equal((error as RestoreError).code, 'CANCELLED');
  });

  it('Refuses bytes that are not an HTTP answer', async function () {
    const tcp: TcpServer = createTcpServer((socket) => { socket.once('data', () => socket.write('SSH-2.0-nothing-like-http\r\n\r\n')); });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const address = tcp.address();
    stop = () => new Promise((resolve) => tcp.close(() => resolve()));
    const port = typeof address === 'object' && address ? address.port : 0;
    const error = await getObject(`http://127.0.0.1:${port}/x`, AUTH, 'x').catch((e: unknown) => e);
    assert.equal((error as RestoreError).code, 'KOPIA_FAILED');
    assert.ok((error as Error).message.includes('not an HTTP answer'), (error as Error).message);
  });
});
