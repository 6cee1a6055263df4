import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { KoruDelta } from '../../src/index.js';
import { createApp } from '../../src/server/index.js';

/** A listening app over a fresh in-memory database, counting the requests that reach node:http. */
async function listening() {
  const db = await KoruDelta.start({});
  const app = createApp(db, { logger: pino({ level: 'silent' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  let routed = 0;
  app.server.on('request', () => routed++);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await db.close();
  };
  after(close);
  const { port } = app.server.address() as { port: number };
  return { db, port, close, routed: () => routed };
}

/** `listening()` with key a/b = 1 read once, so its response is cached. */
async function withKey() {
  const served = await listening();
  await served.db.put('a', 'b', 1);
  const warm = await client(served.port);
  warm.send(get('/api/v1/a/b'));
  await warm.next();
  return served;
}

interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw client: writes exact bytes, parses the responses (content-length bodies) in order. */
async function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  after(() => socket.destroy());
  let buffered = Buffer.alloc(0);
  let ended = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    wake();
  });
  socket.on('end', () => {
    ended = true;
    wake();
  });
  socket.on('error', () => undefined);
  const next = async (): Promise<Response> => {
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = buffered.toString('latin1', 0, end).split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
        const length = Number(headers['content-length'] ?? 0);
        if (buffered.length >= end + 4 + length) {
          const body = buffered.toString('utf8', end + 4, end + 4 + length);
          buffered = buffered.subarray(end + 4 + length);
          return { status: Number(lines[0].split(' ')[1]), headers, body };
        }
      }
      if (ended) throw new Error(`connection ended with ${buffered.length} unparsed bytes`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { socket, send: (s: string) => socket.write(s), next, ended: () => ended };
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;
const put = (path: string, value: unknown) => {
  const body = JSON.stringify({ value });
  return `PUT ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

describe('raw connection front', () => {
  it('answers repeated GETs of a cached key on the connection itself, pipelined ones in order', async () => {
    const { db, port, routed } = await listening();
    const v = await db.put('users', 'ünï/x', { n: 1, s: 'é😀' });
    const path = `/api/v1/users/${encodeURIComponent('ünï/x')}`;
    const warm = await client(port);
    warm.send(get(path));
    const first = await warm.next();
    assert.equal(first.status, 200);
    assert.equal(routed(), 0, 'the first read of a URL fills the cache on the raw path too');

    const c = await client(port);
    c.send(get(path) + get(path, 'X-Request-Id: trace-1\r\n') + get(path, 'Connection: keep-alive\r\n'));
    const replies = [await c.next(), await c.next(), await c.next()];
    assert.equal(routed(), 0, 'answered without reaching node:http');
    for (const r of replies) {
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), v);
      assert.equal(r.body, first.body);
      assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
      for (const h of ['content-type', 'date', 'connection', 'keep-alive']) assert.equal(r.headers[h], first.headers[h], h);
    }
    assert.equal(replies[1].headers['x-request-id'], 'trace-1');
    assert.match(replies[0].headers['x-request-id'], /^req-/);
  });

  it('reads uncached keys in order on the raw path; misses, other routes and bad names go to the router', async () => {
    const { db, port, routed } = await listening();
    const a = await db.put('a', 'x', 1);
    const b = await db.put('a', 'y/z', 2);
    const c = await client(port);
    // Uncached, cached and uncached again, pipelined in one write: answered in order.
    c.send(get('/api/v1/a/x') + get('/api/v1/a/x') + get('/api/v1/a/y%2Fz?q=1') + get('/api/v1/%61/x'));
    const replies = [await c.next(), await c.next(), await c.next(), await c.next()];
    assert.deepEqual(replies.map((r) => JSON.parse(r.body)), [a, a, b, a]);
    assert.equal(routed(), 0);
    // A key that does not exist: the router answers 404, and the connection stays with node:http.
    c.send(get('/api/v1/a/nope'));
    const missing = await c.next();
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).error.code, 'KEY_NOT_FOUND');
    assert.equal(routed(), 1);
    // Routes whose first segment is a reserved namespace, bad encodings and fragments are routed.
    for (const [path, status] of [['/api/v1/views/nope', 404], ['/api/v1/status/verify', 200], ['/api/v1/a/%E0%A4%A', 400], ['/api/v1/%76iews/nope', 404]] as const) {
      const r = await client(port);
      r.send(get(path));
      assert.equal((await r.next()).status, status, path);
    }
    assert.equal(routed(), 5);
  });

  it('hands a connection to node:http, unread bytes included, for anything else: order and freshness hold', async () => {
    const { port, routed } = await withKey();
    const before = routed();

    const c = await client(port);
    // A raw GET, then in the same write a PUT, handed off with the bytes after it (a GET). Like
    // any node:http server, pipelined requests run concurrently with ordered responses, so that
    // GET may see the value before or after the PUT; the one sent after the PUT's answer sees it.
    c.send(get('/api/v1/a/b') + put('/api/v1/a/b', 2) + get('/api/v1/a/b?pipelined'));
    const [r1, r2, r3] = [await c.next(), await c.next(), await c.next()];
    assert.equal(JSON.parse(r1.body).value, 1);
    assert.equal(r2.status, 200);
    assert.equal(JSON.parse(r2.body).value, 2);
    assert.equal(r3.status, 200);
    assert.equal(routed() - before, 2, 'the PUT and everything after it went through node:http');
    // The connection stays on node:http, and reads its own write.
    c.send(get('/api/v1/a/b'));
    assert.equal(JSON.parse((await c.next()).body).value, 2);
    assert.equal(routed() - before, 3);
  });

  it('leaves split, malformed, closing and HTTP/1.0 requests to node:http, which answers them as usual', async () => {
    const { port, routed } = await withKey();
    const before = routed();

    const split = await client(port);
    split.send('GET /api/v1/a/b HTTP/1.1\r\nHo');
    await new Promise((r) => setTimeout(r, 20));
    split.send('st: test\r\n\r\n');
    assert.equal(JSON.parse((await split.next()).body).value, 1);

    const bareLf = await client(port);
    bareLf.send('GET /api/v1/a/b HTTP/1.1\r\nHost: test\nX-A: 1\r\n\r\n');
    assert.equal((await bareLf.next()).status, 400);

    const noHost = await client(port);
    noHost.send('GET /api/v1/a/b HTTP/1.1\r\nX-A: 1\r\n\r\n');
    assert.equal((await noHost.next()).status, 400);

    const huge = await client(port);
    huge.send(get('/api/v1/a/b', `X-Big: ${'x'.repeat(20_000)}\r\n`));
    assert.equal((await huge.next()).status, 431);

    const closing = await client(port);
    closing.send(get('/api/v1/a/b', 'Connection: close\r\n'));
    const last = await closing.next();
    assert.equal(last.headers.connection, 'close');
    await once(closing.socket, 'close');

    const old = await client(port);
    old.send('GET /api/v1/a/b HTTP/1.0\r\nHost: test\r\n\r\n');
    assert.equal(JSON.parse((await old.next()).body).value, 1);

    // The malformed ones never become requests (node:http answers them from its parser).
    assert.equal(routed() - before, 3, 'node:http answered the split, closing and HTTP/1.0 requests');
  });

  it('closes when the client ends its side, and shutdown does not wait for idle raw connections', async () => {
    const { port, close, routed } = await withKey();
    const before = routed();

    const ending = await client(port);
    ending.send(get('/api/v1/a/b'));
    await ending.next();
    ending.socket.end();
    await once(ending.socket, 'close');

    const idle = await client(port);
    idle.send(get('/api/v1/a/b'));
    await idle.next();
    assert.equal(routed(), before, 'both were answered on the raw path');
    await close();
    await once(idle.socket, 'close');
  });
});
