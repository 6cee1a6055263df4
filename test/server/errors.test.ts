import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { ERROR_CODES, KoruDelta } from '../../src/index.js';
import { createApp, HTTP_ERROR_CODES, type ServedDatabase } from '../../src/server/index.js';
import { injectApp } from './helpers.js';
import { client, listening, withBody } from './raw-client.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('HTTP errors (inject)', () => {
  it('maps invalid input to 400 with the library codes', async () => {
    const { app } = await injectApp();
    const cases: Array<[string, string, string | undefined, string]> = [
      ['PUT', '/api/v1/users/a', '{"value": ', 'INVALID_REQUEST'],
      ['PUT', '/api/v1/users/a', '{"val": 1}', 'INVALID_VALUE'],
      ['PUT', '/api/v1/users/a', '[1]', 'INVALID_VALUE'],
      ['PUT', '/api/v1/_hidden/a', '{"value": 1}', 'INVALID_NAMESPACE'],
      ['PUT', '/api/v1/status/a', '{"value": 1}', 'INVALID_NAMESPACE'],
      ['PUT', '/api/v1/bad%20ns/a', '{"value": 1}', 'INVALID_NAMESPACE'],
      ['PUT', `/api/v1/users/${'k'.repeat(600)}`, '{"value": 1}', 'INVALID_KEY'],
      ['PUT', '/api/v1/users/a%01b', '{"value": 1}', 'INVALID_KEY'],
      ['GET', '/api/v1/users/a%01b', undefined, 'INVALID_KEY'],
      ['GET', '/api/v1/bad%20ns', undefined, 'INVALID_NAMESPACE'],
      // Refused by the router itself, before any route: still the same error body.
      ['GET', '/api/v1/users/%ZZ', undefined, 'INVALID_REQUEST'],
      // History counts are the library's to check, as a local call's are.
      ['GET', '/api/v1/users/a/history?latest=abc', undefined, 'INVALID_QUERY'],
      ['GET', '/api/v1/users/a/history?limit=1.5', undefined, 'INVALID_QUERY'],
    ];
    for (const [method, url, payload, code] of cases) {
      const r = await app.inject({ method: method as 'GET', url, headers: payload ? JSON_HEADERS : {}, payload });
      assert.equal(r.statusCode, 400, `${method} ${url}: ${r.body}`);
      assert.equal(r.json().error.code, code, `${method} ${url}`);
      assert.equal(typeof r.json().error.message, 'string');
      assert.equal(r.body.includes('    at '), false, 'no stack in responses');
      assert.deepEqual(Object.keys(r.json()), ['error'], `${url}: one error object`);
    }
    const messages = await Promise.all(['/api/v1/users/%ZZ', '/api/v1/users/a/history?latest=abc', '/api/v1/users/a/history?limit=-1']
      .map(async (url) => (await app.inject({ method: 'GET', url })).json().error.message));
    assert.deepEqual(messages, [
      "Invalid URL: '/api/v1/users/%ZZ' has a malformed percent-encoding",
      'Invalid query at history.latest for users/a: expected a non-negative integer, got "abc"',
      'Invalid query at history.limit for users/a: expected a non-negative integer, got -1',
    ]);
  });

  it('answers 404 for unknown routes, 415 for other content types, 413 for large bodies and values', async () => {
    const { app } = await injectApp({ maxBodyBytes: 1024 }, { maxValueBytes: 100 });
    const nf = await app.inject({ method: 'GET', url: '/nothing/here' });
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().error.code, 'NOT_FOUND');
    assert.equal(nf.headers.allow, undefined);
    const media = await app.inject({ method: 'PUT', url: '/api/v1/a/b', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    assert.equal(media.statusCode, 415);
    assert.equal(media.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const big = await app.inject({ method: 'PUT', url: '/api/v1/a/b', headers: JSON_HEADERS, payload: JSON.stringify({ value: 'x'.repeat(2000) }) });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error.code, 'BODY_TOO_LARGE');
    assert.match(big.json().error.message, /1024 bytes/);
    const value = await app.inject({ method: 'PUT', url: '/api/v1/a/b', headers: JSON_HEADERS, payload: JSON.stringify({ value: 'x'.repeat(200) }) });
    assert.equal(value.statusCode, 413);
    assert.equal(value.json().error.code, 'VALUE_TOO_LARGE');
    const importJson = await app.inject({ method: 'POST', url: '/api/v1/import', headers: JSON_HEADERS, payload: '{}' });
    assert.equal(importJson.statusCode, 415);
  });

  it('answers Expect: 100-continue with a 413 for a body declared over the limit, before it is sent', async () => {
    const { port, db } = await listening({ maxBodyBytes: 1000 });
    const ask = async (length: number, body?: string) => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
      socket.write(`PUT /api/v1/a/b HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`);
      while (!/\r\n\r\n/.test(text)) await once(socket, 'data');
      if (body !== undefined && text.startsWith('HTTP/1.1 100')) {
        socket.write(body);
        while (!/^HTTP\/1\.1 100[^]*?\r\n\r\nHTTP\/1\.1 \d{3}[^]*\r\n\r\n[^]*\}$/.test(text)) await once(socket, 'data');
      }
      socket.destroy();
      return text;
    };
    const refused = await ask(5_000_000);
    assert.match(refused, /^HTTP\/1\.1 413 /, 'no 100 Continue first: the client need not send the body');
    // An import streams its body (only its lines are limited), and an unknown path is not refused for size.
    for (const [method, path] of [['POST', '/api/v1/import'], ['PUT', '/nowhere'], ['GET', '/api/v1/a/b']]) {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n`);
      while (!/\r\n\r\n/.test(text)) await once(socket, 'data');
      socket.destroy();
      assert.match(text, /^HTTP\/1\.1 100 Continue/, `${method} ${path}: ${text.slice(0, 40)}`);
    }
    const body = '{"value": 1}';
    const accepted = await ask(Buffer.byteLength(body), body);
    assert.match(accepted, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    assert.equal((await db.get('a', 'b')).value, 1);
  });

  it('answers 415 for a compressed body instead of reading it as plain, on either request path', async () => {
    const { app, db } = await injectApp();
    const gzipped = await app.inject({ method: 'PUT', url: '/api/v1/a/b', headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' }, payload: gzipSync('{"value": 1}') });
    assert.equal(gzipped.statusCode, 415);
    assert.equal(gzipped.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(gzipped.json().error.message, /^Content-Encoding "gzip" is not supported/);
    // A plain body labelled compressed is not taken either: the label would be a lie the server cannot check.
    const labelled = await app.inject({ method: 'POST', url: '/api/v1/batch', headers: { ...JSON_HEADERS, 'content-encoding': 'br' }, payload: '{"writes": []}' });
    assert.equal(labelled.statusCode, 415);
    const identity = await app.inject({ method: 'PUT', url: '/api/v1/a/b', headers: { ...JSON_HEADERS, 'content-encoding': 'identity' }, payload: '{"value": 2}' });
    assert.equal(identity.statusCode, 200);
    assert.deepEqual((await db.history('a', 'b')).map((v) => v.value), [2]);
    // The raw connection path hands such a request to the router, which answers the same.
    const { port } = await listening();
    const c = await client(port);
    c.send(withBody('PUT', '/api/v1/a/b', '{"value": 3}', 'Content-Type: application/json\r\nContent-Encoding: gzip\r\n'));
    const raw = await c.next();
    assert.equal(raw.status, 415);
    assert.equal(JSON.parse(raw.body).error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 405 with Allow for a path that has routes for other methods only, with CORS on or off', async () => {
    for (const cors of [undefined, '*']) {
      const { app } = await injectApp({ cors });
      const cases: Array<[string, string, string]> = [
        ['POST', '/api/v1/users/alice', 'DELETE, GET, HEAD, PUT'],
        ['PATCH', '/api/v1/users/alice?x=1', 'DELETE, GET, HEAD, PUT'],
        ['DELETE', '/api/v1/users', 'GET, HEAD'],
        // Both the key route and the query route match this path: their methods together.
        ['PATCH', '/api/v1/users/query', 'DELETE, GET, HEAD, POST, PUT'],
        ['DELETE', '/health', 'GET, HEAD'],
        // Routes that would refuse the path's names (a reserved namespace as `:ns`) are not listed.
        ['DELETE', '/api/v1/batch', 'POST'],
        ['POST', '/api/v1/views/x', 'DELETE, GET, HEAD'],
        ['PATCH', '/api/v1/status', 'GET, HEAD'],
      ];
      for (const [method, url, allow] of cases) {
        const r = await app.inject({ method: method as 'GET', url });
        assert.equal(r.statusCode, 405, `${cors} ${method} ${url}: ${r.body}`);
        assert.equal(r.headers.allow, allow, `${method} ${url}`);
        assert.equal(r.json().error.code, 'METHOD_NOT_ALLOWED');
        assert.match(r.json().error.message, new RegExp(`^${method} is not allowed on ${url.split('?')[0]}; it takes ${allow}$`));
      }
      // A path no route has stays a 404, CORS preflight routes notwithstanding.
      const none = await app.inject({ method: 'DELETE', url: '/nothing/here' });
      assert.equal(none.statusCode, 404);
      assert.equal(none.json().error.code, 'NOT_FOUND');
      // Nor does one whose every route would refuse its names.
      const refused = await app.inject({ method: 'PATCH', url: '/api/v1/batch/x' });
      assert.equal(refused.statusCode, 404);
    }
  });

  it('logs and counts refusals made before any route ran, once each', async () => {
    const lines: Array<{ msg?: string; route?: string; status?: number; method?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    });
    const { app } = await injectApp({ logger: pino({ level: 'info' }, sink) });
    await app.inject({ method: 'GET', url: '/api/v1/users/%ZZ' });
    await app.inject({ method: 'POST', url: '/api/v1/users/a' });
    const requests = lines.filter((l) => l.msg === 'request').map((l) => [l.method, l.route, l.status]);
    assert.deepEqual(requests, [['GET', '(unmatched)', 400], ['POST', '(unmatched)', 405]]);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /korudelta_http_requests_total\{method="GET",route="\(unmatched\)",status="400"\} 1\n/);
  });

  it('answers 500 without details for a fault, 503 once the database is closed', async () => {
    const db = await KoruDelta.start();
    const faulty = new Proxy(db, {
      get(target, prop) {
        if (prop === 'get') return async () => { throw new Error('disk on fire'); };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as unknown as ServedDatabase;
    const app = createApp(faulty, { logger: pino({ level: 'silent' }) });
    const r = await app.inject({ method: 'GET', url: '/api/v1/a/b', headers: { 'x-request-id': 'trace-me' } });
    assert.equal(r.statusCode, 500);
    assert.equal(r.json().error.code, 'INTERNAL_ERROR');
    assert.equal(r.body.includes('disk on fire'), false);
    assert.equal(r.headers['x-request-id'], 'trace-me');
    await db.close();
    const closed = await app.inject({ method: 'PUT', url: '/api/v1/a/b', headers: JSON_HEADERS, payload: '{"value":1}' });
    assert.equal(closed.statusCode, 503);
    assert.equal(closed.json().error.code, 'DATABASE_CLOSED');
    await app.close();
  });

  it('CORS is off by default and on for the configured origin', async () => {
    const { app } = await injectApp();
    const plain = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://x.example' } });
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    const { app: withCors } = await injectApp({ cors: 'https://x.example' });
    const r = await withCors.inject({ method: 'GET', url: '/health', headers: { origin: 'https://x.example' } });
    assert.equal(r.headers['access-control-allow-origin'], 'https://x.example');
  });

  it('docs/http-api.md lists every HTTP-layer code under its status, and only codes that exist', () => {
    const docs = readFileSync(new URL('../../docs/http-api.md', import.meta.url), 'utf8');
    const documented = new Map<string, number>();
    for (const m of docs.matchAll(/^\| (\d{3}) \| (.*) \|$/gm)) {
      for (const code of m[2].matchAll(/`([A-Z][A-Z_]+)`/g)) documented.set(code[1], Number(m[1]));
    }
    const known: Record<string, number> = { ...ERROR_CODES, ...HTTP_ERROR_CODES };
    for (const [code, status] of documented) assert.equal(known[code], status, `${code} is documented under ${status}`);
    for (const [code, status] of Object.entries(HTTP_ERROR_CODES)) assert.equal(documented.get(code), status, `${code} is documented`);
  });
});
