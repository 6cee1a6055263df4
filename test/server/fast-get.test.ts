import assert from 'node:assert/strict';
import { Agent, get as httpGet } from 'node:http';
import { after, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { KoruDelta } from '../../src/index.js';
import { createApp, type AppOptions } from '../../src/server/index.js';
import { call, type Json } from './helpers.js';

/** A listening app over a fresh in-memory database whose log lines are collected. */
async function listening(options: AppOptions = {}) {
  const lines: Json[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  const db = await KoruDelta.start({});
  const app = createApp(db, { logger: pino({ level: 'info' }, sink), ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  after(async () => {
    await app.close();
    await db.close();
  });
  const { port } = app.server.address() as { port: number };
  return { db, app, url: `http://127.0.0.1:${port}`, requests: () => lines.filter((l) => l.msg === 'request') };
}

/** A GET over a given agent (so the test controls which connection carries it). */
function get(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('repeated GETs answered before routing', () => {
  it('answer exactly as the routed path does: body, headers, request id, log line and metrics', async () => {
    const { db, url, requests } = await listening();
    const key = 'ünï€/😀 x?y';
    const path = `${url}/api/v1/files/${encodeURIComponent(key)}`;
    const v = await db.put('files', key, { n: 1 });
    const first = await call(path);
    const second = await call(path);
    const third = await call(path, { headers: { 'x-request-id': 'trace-me' } });
    for (const r of [first, second, third]) {
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, v);
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    }
    assert.equal(Number(second.headers.get('content-length')), Buffer.byteLength(JSON.stringify(v)));
    assert.match(first.headers.get('x-request-id') ?? '', /^req-/);
    assert.match(second.headers.get('x-request-id') ?? '', /^req-/);
    assert.notEqual(first.headers.get('x-request-id'), second.headers.get('x-request-id'));
    assert.equal(third.headers.get('x-request-id'), 'trace-me');
    const gets = requests().filter((l) => l.method === 'GET');
    assert.equal(gets.length, 3);
    for (const l of gets) {
      assert.equal(l.route, '/api/v1/:ns/:key');
      assert.equal(l.status, 200);
      assert.equal(typeof l.durationMs, 'number');
      assert.equal(l.level, 30);
    }
    assert.deepEqual(gets.map((l) => l.reqId), [first, second, third].map((r) => r.headers.get('x-request-id')));
    const metrics = await call(`${url}/metrics`);
    assert.match(metrics.body, /korudelta_http_requests_total\{method="GET",route="\/api\/v1\/:ns\/:key",status="200"\} 3\n/);
    assert.match(metrics.body, /korudelta_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/:ns\/:key",status="200"\} 3\n/);
    assert.match(metrics.body, /korudelta_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/v1\/:ns\/:key",status="200"\} 3\n/);
    assert.match(metrics.body, /korudelta_reads_total 3\n/);
  });

  it('never serve a stale body: writes, deletes and other URLs of the key go through the store', async () => {
    const { db, url } = await listening();
    const path = `${url}/api/v1/users/alice`;
    await db.put('users', 'alice', 1);
    assert.equal((await call(path)).body.value, 1);
    assert.equal((await call(path)).body.value, 1);
    await db.put('users', 'alice', 2);
    assert.equal((await call(path)).body.value, 2);
    // The same key spelled differently, and with a query string, is the same record.
    assert.equal((await call(`${url}/api/v1/users/%61lice`)).body.value, 2);
    assert.equal((await call(`${path}?x=1`)).body.value, 2);
    assert.equal((await call(`${path}?x=1`)).body.value, 2);
    await db.delete('users', 'alice');
    const gone = await call(path);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'KEY_NOT_FOUND');
    await db.put('users', 'alice', 3);
    assert.equal((await call(path)).body.value, 3);
    // HEAD is routed (Fastify's automatic HEAD route) and carries no body.
    const head = await fetch(path, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('name the worker of a multi-process server on every path: fast, routed, error and stream', async () => {
    const { db, url, requests } = await listening({ workerId: 3 });
    await db.put('a', 'b', 1);
    const replies = [await call(`${url}/api/v1/a/b`), await call(`${url}/api/v1/a/b`), await call(`${url}/api/v1/a/nope`), await call(`${url}/health`)];
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 404, 200]);
    for (const r of replies) {
      assert.equal(r.headers.get('x-koru-worker'), String(process.pid));
      assert.match(r.headers.get('x-request-id') ?? '', /^req-3\./);
    }
    const feed = new AbortController();
    const sse = await fetch(`${url}/api/v1/watch`, { signal: feed.signal });
    assert.equal(sse.headers.get('x-koru-worker'), String(process.pid));
    feed.abort();
    assert.ok(requests().every((l) => /^req-3\./.test(l.reqId)));
    const single = await listening();
    assert.equal((await call(`${single.url}/health`)).headers.get('x-koru-worker'), null);
  });

  it('leave CORS requests to Fastify', async () => {
    const { db, url } = await listening({ cors: 'https://app.example.com' });
    await db.put('a', 'b', 1);
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${url}/api/v1/a/b`, { headers: { origin: 'https://app.example.com' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example.com');
    }
  });

  it('turn away connections over the limit with 503 even for cached keys', async () => {
    const { db, url } = await listening({ maxConnections: 1 });
    await db.put('a', 'b', 1);
    const first = new Agent({ keepAlive: true, maxSockets: 1 });
    const second = new Agent({ keepAlive: true, maxSockets: 1 });
    after(() => {
      first.destroy();
      second.destroy();
    });
    assert.equal((await get(`${url}/api/v1/a/b`, first)).status, 200);
    assert.equal((await get(`${url}/api/v1/a/b`, first)).status, 200);
    const over = await get(`${url}/api/v1/a/b`, second);
    assert.equal(over.status, 503);
    assert.equal(JSON.parse(over.body).error.code, 'SERVICE_UNAVAILABLE');
  });
});
