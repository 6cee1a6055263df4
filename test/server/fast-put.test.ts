import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { KoruDelta } from '../../src/index.js';
import type { ServedDatabase } from '../../src/server/database.js';
import { client, get, listening, put, withBody, type Response } from './raw-client.js';

/** A pino logger whose lines are collected. */
function collecting() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), requests: () => lines.filter((l) => l.msg === 'request') };
}

const headerNames = (r: Response) => Object.keys(r.headers).sort();

describe('raw connection PUT path', () => {
  it('writes on the raw path, pipelined writes and reads in order, with the routed answer, log line and metrics', async () => {
    const log = collecting();
    const { db, port, routed } = await listening({ logger: log.logger });
    const c = await client(port);
    c.send(put('/api/v1/users/%C3%BCn%2Fi', { n: 1 }) + put('/api/v1/users/%C3%BCn%2Fi', { n: 2 }, 'content-type: Application/JSON; charset=UTF-8\r\nX-Request-Id: trace-9\r\n') + get('/api/v1/users/%C3%BCn%2Fi'));
    const [w1, w2, r] = [await c.next(), await c.next(), await c.next()];
    assert.equal(routed(), 0, 'answered without reaching node:http');
    assert.equal(w1.status, 200);
    assert.equal(w2.status, 200);
    const [v1, v2] = [JSON.parse(w1.body), JSON.parse(w2.body)];
    assert.deepEqual(v1.value, { n: 1 });
    assert.equal(v1.key, 'ün/i');
    assert.equal(v1.previousVersion, null);
    assert.equal(v2.previousVersion, v1.versionId, 'the second write, pipelined, follows the first');
    assert.deepEqual(JSON.parse(r.body), v2, 'the read after them sees the second');
    assert.deepEqual(await db.history('users', 'ün/i'), [v1, v2], 'each write stored once');
    assert.equal(w2.headers['x-request-id'], 'trace-9');
    assert.match(w1.headers['x-request-id'], /^req-/);

    // The same write through the router (the connection is handed over by a 404 first): same
    // status, headers, and body keys in the same order.
    const routedConn = await client(port);
    routedConn.send(get('/api/v1/users/missing'));
    assert.equal((await routedConn.next()).status, 404);
    routedConn.send(put('/api/v1/users/other', { n: 3 }));
    const viaRouter = await routedConn.next();
    assert.equal(routed(), 2);
    assert.equal(viaRouter.status, 200);
    assert.deepEqual(headerNames(w1), headerNames(viaRouter));
    for (const h of ['content-type', 'connection', 'keep-alive']) assert.equal(w1.headers[h], viaRouter.headers[h], h);
    assert.deepEqual(Object.keys(JSON.parse(viaRouter.body)), Object.keys(v1));
    assert.equal(Number(w1.headers['content-length']), Buffer.byteLength(w1.body));

    const lines = log.requests().filter((l) => l.method === 'PUT');
    assert.deepEqual(lines.map((l) => [l.reqId, l.route, l.status]), [
      [w1.headers['x-request-id'], '/api/v1/:ns/:key', 200],
      ['trace-9', '/api/v1/:ns/:key', 200],
      [viaRouter.headers['x-request-id'], '/api/v1/:ns/:key', 200],
    ]);
    const m = await client(port);
    m.send(get('/metrics'));
    const metrics = (await m.next()).body;
    assert.match(metrics, /korudelta_http_requests_total\{method="PUT",route="\/api\/v1\/:ns\/:key",status="200"\} 3/);
    assert.match(metrics, /korudelta_writes_total 3/);
  });

  it('hands every PUT the route would not take as it is to the router, which answers as usual and writes once', async () => {
    const { db, port, routed } = await listening({ maxBodyBytes: 2048 });
    const cases: Array<[string, string, number, string?]> = [
      ['not JSON', withBody('PUT', '/api/v1/a/k', '{"value":'), 400, 'INVALID_REQUEST'],
      ['no value', withBody('PUT', '/api/v1/a/k', '{"valu":1}'), 400, 'INVALID_VALUE'],
      ['an array', withBody('PUT', '/api/v1/a/k', '[1]'), 400, 'INVALID_VALUE'],
      ['text/plain', withBody('PUT', '/api/v1/a/k', '{"value":1}', 'Content-Type: text/plain\r\n'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['no content type', withBody('PUT', '/api/v1/a/k', '{"value":1}', ''), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['over the body limit', put('/api/v1/a/k', 'x'.repeat(3000)), 413, 'BODY_TOO_LARGE'],
      ['a reserved namespace', put('/api/v1/_a/k', 1), 400, 'INVALID_NAMESPACE'],
      ['a control character in the key', put('/api/v1/a/k%01', 1), 400, 'INVALID_KEY'],
      ['a value JSON cannot hold deep inside', withBody('PUT', '/api/v1/a/k', `{"value":${'['.repeat(600)}${']'.repeat(600)}}`), 400, 'INVALID_VALUE'],
    ];
    for (const [what, request, status, code] of cases) {
      const c = await client(port);
      const before = routed();
      c.send(request);
      const r = await c.next();
      assert.equal(r.status, status, what);
      if (code) assert.equal(JSON.parse(r.body).error.code, code, what);
      assert.equal(routed() - before, 1, `${what}: answered by the router`);
    }
    await assert.rejects(db.get('a', 'k'), { code: 'KEY_NOT_FOUND' });

    // A body that arrives after its head is read by node:http; the write happens once.
    const split = await client(port);
    const whole = put('/api/v1/a/k', { split: true });
    split.send(whole.slice(0, whole.length - 5));
    await new Promise((r) => setTimeout(r, 20));
    split.send(whole.slice(whole.length - 5));
    assert.equal((await split.next()).status, 200);
    assert.equal((await db.history('a', 'k')).length, 1);
  });

  // node:http's close() waits for every connection, and one waiting for its answer is not idle.
  it('shutdown waits for a write taken on a raw connection, whose writer gets its answer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let entered!: () => void;
    const reached = new Promise<void>((r) => { entered = r; });
    // The database's put is held open until the test releases it.
    const held = (db: KoruDelta): ServedDatabase => new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'put') {
          return async (ns: string, key: string, value: unknown) => {
            entered();
            await gate;
            return target.put(ns, key, value);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const { port, close, routed } = await listening({}, held);
    const c = await client(port);
    c.send(put('/api/v1/a/held', 1));
    await reached;
    let closed = false;
    const closing = close().then(() => { closed = true; });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, false, 'close() waits for the write in flight');
    release();
    const answer = await c.next();
    assert.equal(answer.status, 200);
    assert.equal(routed(), 0);
    await closing;
    assert.equal(JSON.parse(answer.body).value, 1);
  });
});
