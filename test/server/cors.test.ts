import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, startServe } from './helpers.js';

const ORIGIN = 'https://app.example';

describe('kdelta serve --cors', () => {
  it('preflights allow every method the API takes, so browsers can write and delete', async () => {
    const server = await startServe(['--cors', ORIGIN]);
    for (const method of ['PUT', 'DELETE', 'POST', 'GET']) {
      const r = await call(`${server.url}/api/v1/users/alice`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
      });
      assert.equal(r.status, 204, method);
      assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
      const allowed = (r.headers.get('access-control-allow-methods') ?? '').split(/\s*,\s*/);
      assert.ok(allowed.includes(method), `${method} in ${allowed.join(',')}`);
    }
    const put = await call(`${server.url}/api/v1/users/alice`, { method: 'PUT', json: { value: 1 }, headers: { origin: ORIGIN } });
    assert.equal(put.status, 200);
    assert.equal(put.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(put.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
  });

  it('the change feed carries the CORS headers too, so a browser EventSource can read it', async () => {
    const server = await startServe(['--cors', ORIGIN]);
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/v1/watch`, { headers: { origin: ORIGIN, accept: 'text/event-stream' }, signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
    controller.abort();
  });

  it('an OPTIONS request that is not a valid preflight gets the JSON error body', async () => {
    const server = await startServe(['--cors', ORIGIN]);
    const cases: Array<Record<string, string>> = [{}, { origin: ORIGIN }, { 'access-control-request-method': 'PUT' }];
    for (const headers of cases) {
      const r = await call(`${server.url}/api/v1/users/alice`, { method: 'OPTIONS', headers });
      assert.equal(r.status, 400, JSON.stringify(headers));
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(r.body.error.code, 'INVALID_REQUEST');
      assert.match(r.body.error.message, /preflight/);
    }
  });
});
