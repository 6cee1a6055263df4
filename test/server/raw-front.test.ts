import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import type { KoruDelta } from '../../src/index.js';
import { client, get, listening, post, put, withKey } from './raw-client.js';

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
    // A raw GET, then in the same write a batch POST, handed off with the bytes after it (a GET).
    // Like any node:http server, pipelined requests run concurrently with ordered responses, so
    // that GET may see the value before or after the write; the one sent after its answer sees it.
    c.send(get('/api/v1/a/b') + post('/api/v1/batch', { writes: [{ namespace: 'a', key: 'b', value: 2 }] }) + get('/api/v1/a/b?pipelined'));
    const [r1, r2, r3] = [await c.next(), await c.next(), await c.next()];
    assert.equal(JSON.parse(r1.body).value, 1);
    assert.equal(r2.status, 200);
    assert.equal(JSON.parse(r2.body).versions[0].value, 2);
    assert.equal(r3.status, 200);
    assert.equal(routed() - before, 2, 'the POST and everything after it went through node:http');
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
    const refused = await noHost.next();
    assert.equal(refused.status, 400);
    assert.match(refused.body, /Missing Host header/);

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

    // The malformed ones never become requests (node:http answers them from its parser); the one
    // without Host is the router's to refuse, with the API's error body.
    assert.equal(routed() - before, 4, 'node:http took the split, no-Host, closing and HTTP/1.0 requests');
  });

  it('leaves a request target with raw non-ASCII bytes to node:http, which refuses it, and writes nothing', async () => {
    const { db, port } = await withKey();
    for (const request of [put('/api/v1/u/é', 1), get('/api/v1/a/é')]) {
      const c = await client(port);
      c.send(request); // UTF-8 bytes, not percent-encoded
      assert.equal((await c.next()).status, 400);
    }
    assert.deepEqual(await db.listKeys('u'), []);
  });

  it('shutdown ends a connection once its pending write is answered, without waiting for its idle timeout', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    let started = (): void => undefined;
    const writing = new Promise<void>((r) => { started = r; });
    // A database whose put waits for the test, so the write is surely in flight when shutdown starts.
    const gated = (db: KoruDelta) => new Proxy(db, {
      get(target, name) {
        if (name === 'put') return (ns: string, key: string, value: unknown) => { started(); return gate.then(() => target.put(ns, key, value)); };
        const member = Reflect.get(target, name) as unknown;
        return typeof member === 'function' ? (member as (...a: unknown[]) => unknown).bind(target) : member;
      },
    });
    const { port, close } = await listening({ keepAliveTimeoutMs: 60_000 }, gated);
    const c = await client(port);
    c.send(put('/api/v1/a/b', 1));
    await writing;
    const closed = close();
    release();
    assert.equal((await c.next()).status, 200, 'the write in flight is answered');
    const deadline = new Promise((_, reject) => setTimeout(() => reject(new Error('shutdown waited for the idle timeout')), 10_000).unref());
    await Promise.race([Promise.all([closed, once(c.socket, 'close')]), deadline]);
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
