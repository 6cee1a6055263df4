import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { Duplex } from 'node:stream';
import { pino } from 'pino';
import { KoruDelta } from '../../src/index.js';
import { createApp } from '../../src/server/app.js';
import { clientErrorHandler } from '../../src/server/client-errors.js';
import { call, startServer } from './helpers.js';

/** Sends exact bytes on a new connection; resolves with all the server sent once it closed (or after `ms`). */
async function exchange(url: string, bytes: Buffer | string, ms = 3000): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('latin1').on('data', (d: string) => { received += d; });
  socket.on('error', () => undefined);
  socket.write(bytes);
  const timer = setTimeout(() => socket.destroy(), ms);
  await once(socket, 'close');
  clearTimeout(timer);
  return received;
}

/** The status, headers and body of each response in `text`, in order. */
function responses(text: string): Array<{ status: number; headers: Record<string, string>; body: string }> {
  const out = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const lines = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
    const length = Number(headers['content-length']);
    out.push({ status: Number(lines[0].split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

describe('HTTP protocol edges (real server)', () => {
  it('Allow lists only methods whose route takes the path\'s names', async () => {
    const server = await startServer();
    const cases: Array<[string, string, string]> = [
      ['DELETE', '/api/v1/batch', 'POST'],
      ['POST', '/api/v1/views/x', 'DELETE, GET, HEAD'],
      ['PUT', '/api/v1/status', 'GET, HEAD'],
      ['POST', '/api/v1/users/alice', 'DELETE, GET, HEAD, PUT'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await call(`${server.url}${path}`, { method });
      assert.equal(r.status, 405, `${method} ${path}`);
      assert.equal(r.headers.get('allow'), allow, `${method} ${path}`);
      for (const listed of allow.split(', ').filter((m) => m !== 'HEAD')) {
        const tried = await call(`${server.url}${path}`, listed === 'PUT' || listed === 'POST' ? { method: listed, json: { value: 1, writes: [] } } : { method: listed });
        assert.notEqual(tried.body?.error?.code, 'INVALID_NAMESPACE', `${listed} ${path} is listed, so it must not fail on the name`);
      }
    }
  });

  it('requests node:http cannot read get the JSON error body with a code, and a request read before them keeps its answer', async () => {
    const server = await startServer();
    const cases: Array<[string, string | Buffer, number, string]> = [
      ['malformed', 'GARBAGE\r\n\r\n', 400, 'INVALID_REQUEST'],
      ['bare LF', 'GET /health HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n', 400, 'INVALID_REQUEST'],
      ['Content-Length with Transfer-Encoding', 'POST /api/v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'INVALID_REQUEST'],
      ['header too large', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`, 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE'],
      ['20,000-character URL', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE'],
    ];
    for (const [what, bytes, status, code] of cases) {
      const [r, ...more] = responses(await exchange(server.url, bytes));
      assert.equal(r?.status, status, what);
      assert.match(r.headers['content-type'], /^application\/json/, what);
      assert.equal(r.headers.connection, 'close', what);
      assert.ok(r.headers['x-request-id'], what);
      const body = JSON.parse(r.body);
      assert.deepEqual(Object.keys(body), ['error'], what);
      assert.equal(body.error.code, code, what);
      assert.equal(typeof body.error.message, 'string', what);
      assert.deepEqual(more, [], what);
    }
    const [status, refusal, ...more] = responses(await exchange(server.url, 'GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n'));
    assert.equal(status?.status, 200, 'the status request is answered');
    assert.equal(typeof JSON.parse(status.body).keyCount, 'number');
    assert.equal(refusal?.status, 400, 'then the garbage');
    assert.equal(JSON.parse(refusal.body).error.code, 'INVALID_REQUEST');
    assert.deepEqual(more, []);
  });

  it('takes a client\'s request id only when it is printable ASCII of at most 128 characters', async () => {
    const server = await startServer(undefined, {}, { KORU_LOG: 'info' });
    await call(`${server.url}/api/v1/a/b`, { method: 'PUT', json: { value: 1 } });
    const ids: string[] = [];
    // The key twice (the second read is answered from the cache), a route, and a 404.
    for (const id of [Buffer.from('é', 'utf8'), Buffer.from('r'.repeat(129))]) {
      for (const path of ['/api/v1/a/b', '/api/v1/a/b', '/health', '/nothing']) {
        const sent = Buffer.concat([Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-request-id: `), id, Buffer.from('\r\n\r\n')]);
        const [r] = responses(await exchange(server.url, sent));
        assert.match(r.headers['x-request-id'], /^req-[0-9a-z]+$/, path);
        ids.push(r.headers['x-request-id']);
      }
    }
    const longest = 'r'.repeat(128);
    assert.equal((await call(`${server.url}/api/v1/a/b`, { headers: { 'x-request-id': longest } })).headers.get('x-request-id'), longest);
    const kept = await call(`${server.url}/health`, { headers: { 'x-request-id': 'trace 42/a' } });
    assert.equal(kept.headers.get('x-request-id'), 'trace 42/a');
    assert.equal(await server.stop(), 0);
    const logged = server.stderr().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reqId?: string });
    for (const id of [...ids, 'trace 42/a']) assert.ok(logged.some((l) => l.reqId === id), `${id} is logged`);
    assert.equal(server.stderr().includes('Ã'), false, 'no mojibake in the log');
  });

  it('logs one line per change feed request, when the client leaves and at shutdown', async () => {
    const server = await startServer(undefined, { heartbeatMs: 100 }, { KORU_LOG: 'info' });
    const left = new AbortController();
    const leaving = await fetch(`${server.url}/api/v1/watch`, { signal: left.signal, headers: { 'x-request-id': 'feed-left' } });
    await leaving.body!.getReader().read();
    left.abort();
    const staying = await fetch(`${server.url}/api/v1/watch`, { headers: { 'x-request-id': 'feed-open' } });
    const reader = staying.body!.getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await server.stop('SIGTERM'), 0);
    await reader.cancel().catch(() => undefined);
    const lines = server.stderr().split('\n').filter((l) => l.includes('"route":"/api/v1/watch"'));
    assert.equal(lines.filter((l) => l.includes('"reqId":"feed-left"')).length, 1, lines.join('\n'));
    assert.equal(lines.filter((l) => l.includes('"reqId":"feed-open"')).length, 1, lines.join('\n'));
  });

  it('requests node:http would answer with an empty body get the API error body, a request id, a log line and a metric', async () => {
    const server = await startServer(undefined, {}, { KORU_LOG: 'info' });
    const cases: Array<[string, number, RegExp]> = [
      ['GET /health HTTP/1.1\r\nConnection: close\r\n\r\n', 400, /Missing Host header/],
      ['GET /health HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n', 417, /Unsupported Expect header "200-ok"/],
      ['CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400, /CONNECT is not supported/],
      ['GET /api/v1/users/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, /malformed percent-encoding/],
      [`GET /api/v1/users/${'a'.repeat(5000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 400, /^Invalid URL: a path segment is too long/],
      ['get /health HTTP/1.1\r\nHost: x\r\n\r\n', 400, /Malformed HTTP request/],
    ];
    const ids: string[] = [];
    for (const [request, status, message] of cases) {
      const [r] = responses(await exchange(server.url, request));
      assert.equal(r?.status, status, request.slice(0, 40));
      assert.match((JSON.parse(r.body) as { error: { message: string } }).error.message, message);
      assert.ok(r.body.length < 300, 'the message does not repeat a long URL');
      assert.match(r.headers['x-request-id'] ?? '', /^req-/, request.slice(0, 40));
      ids.push(r.headers['x-request-id']);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /korudelta_http_requests_total\{[^}]*route="\(unmatched\)"[^}]*status="417"[^}]*\} 1/);
    assert.equal(await server.stop(), 0);
    const logged = server.stderr().split('\n').filter((l) => l.includes('"msg":"request"'));
    for (const id of ids) assert.ok(logged.some((l) => l.includes(`"reqId":"${id}"`)), `a request line for ${id}`);
  });

  it('a request arriving while the server shuts down gets a JSON 503 with a request id', async () => {
    const server = await startServer();
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    let received = '';
    socket.setEncoding('latin1').on('data', (d: string) => { received += d; });
    // A head not finished yet: the connection is busy, so shutdown waits for it.
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    await new Promise((r) => setTimeout(r, 200));
    const stopped = server.stop();
    await new Promise((r) => setTimeout(r, 300));
    socket.write('\r\n');
    await once(socket, 'close');
    const [r] = responses(received);
    assert.equal(r?.status, 503, received);
    assert.deepEqual(JSON.parse(r.body), { error: { code: 'SERVICE_UNAVAILABLE', message: 'The server is shutting down; retry later' } });
    assert.match(r.headers['x-request-id'] ?? '', /^req-/);
    assert.equal(await stopped, 0);
  });

  it('an unfinished request head gets its 408 at the request timeout, not node:http\'s own header timeout', async () => {
    const db = await KoruDelta.start();
    const app = createApp(db, { logger: pino({ level: 'silent' }), requestTimeoutMs: 1_000 });
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const started = Date.now();
      const received = await exchange(url, 'GET /health HTTP/1.1\r\nHost: x\r\n', 15_000);
      const [r] = responses(received);
      assert.equal(r?.status, 408, received);
      assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'REQUEST_TIMEOUT');
      // Checked every 5 s: the answer comes between the limit and one interval after it.
      assert.ok(Date.now() - started >= 1_000 && Date.now() - started < 10_000, `after ${Date.now() - started} ms`);
    } finally {
      await app.close();
      await db.close();
    }
  });

  it('a request not received in time is a 408 REQUEST_TIMEOUT with the same body', async () => {
    let written = '';
    const socket = new Duplex({ read() {}, write(chunk: Buffer, _enc, done) { written += chunk.toString(); done(); } });
    const handler = clientErrorHandler({ logger: pino({ level: 'silent' }), genReqId: () => 'req-t', requestTimeoutMs: 120_000 });
    handler(Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket as never);
    await once(socket, 'close');
    const [r] = responses(written);
    assert.equal(r.status, 408);
    assert.equal(r.headers['x-request-id'], 'req-t');
    assert.deepEqual(JSON.parse(r.body), { error: { code: 'REQUEST_TIMEOUT', message: 'Request not received within 120 s' } });
  });
});
