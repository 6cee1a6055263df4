import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, startServer, type Json } from './helpers.js';

/** The OpenAPI path template a request path falls under (the most specific one that matches). */
function templateOf(paths: string[], path: string): string | undefined {
  const matching = paths.filter((t) => new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
  // Static segments win over parameters, as in the router.
  return matching.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
}

describe('/openapi.json', () => {
  it('documents every status each route answers', async () => {
    const server = await startServer(undefined, { maxBodyBytes: 2048 });
    const spec: Json = (await call(`${server.url}/openapi.json`)).body;
    const paths = Object.keys(spec.paths);
    await call(`${server.url}/api/v1/a/b`, { method: 'PUT', json: { value: 1 } });
    await call(`${server.url}/api/v1/views`, { method: 'POST', json: { name: 'v', namespace: 'a' } });
    const big = 'x'.repeat(4096);
    const requests: Array<[string, string, RequestInit & { json?: unknown }]> = [
      ['GET', '/api/v1/views/_bad', {}], ['DELETE', '/api/v1/views/_bad', {}], ['POST', '/api/v1/views/_bad/refresh', {}],
      ['GET', '/api/v1/views/nope', {}], ['DELETE', '/api/v1/views/nope', {}], ['POST', '/api/v1/views/nope/refresh', {}],
      ['GET', '/api/v1/views/v', {}], ['POST', '/api/v1/views/v/refresh', {}],
      ['POST', '/api/v1/views/v/refresh', { body: 'x', headers: { 'content-type': 'text/plain' } }],
      ['POST', '/api/v1/views/v/refresh', { body: '{', headers: { 'content-type': 'application/json' } }],
      ['POST', '/api/v1/views/v/refresh', { json: { pad: big } }],
      ['DELETE', '/api/v1/a/b', { body: 'x', headers: { 'content-type': 'text/plain' } }],
      ['DELETE', '/api/v1/a/b', { json: { pad: big } }],
      ['DELETE', '/api/v1/a/nope', {}], ['DELETE', '/api/v1/a/b', {}], ['DELETE', '/api/v1/views/v', {}],
      ['GET', '/api/v1/a/%ZZ', {}], ['GET', '/api/v1/%ZZ', {}], ['GET', '/api/v1/a/b/at/%ZZ', {}],
      ['GET', '/api/v1/a/b/history?latest=x', {}], ['GET', '/api/v1/export?at=whenever', {}],
      ['GET', '/api/v1/watch?changeTypes=nope', {}], ['POST', '/api/v1/a/query', { json: { limit: -1 } }],
      ['POST', '/api/v1/views', { json: { name: 'v2', namespace: 'a', pad: big } }],
      ['POST', '/api/v1/import', { body: 'x', headers: { 'content-type': 'text/plain' } }],
      ['POST', '/api/v1/batch', { json: { writes: [{ namespace: 'a', key: 5, value: 1 }] } }],
      ['PUT', '/api/v1/status/x', { json: { value: 1 } }],
      ['GET', '/health', {}], ['GET', '/metrics', {}], ['GET', '/api/v1/status/verify', {}],
    ];
    const seen = new Set<string>();
    for (const [method, path, init] of requests) {
      const r = await call(`${server.url}${path}`, { method, ...init });
      const template = templateOf(paths, path.split('?')[0]);
      assert.ok(template, `${method} ${path} has a documented path`);
      const op = spec.paths[template][method.toLowerCase()];
      assert.ok(op, `${method} ${template} is documented`);
      const documented = Object.keys(op.responses);
      assert.ok(documented.includes(String(r.status)), `${method} ${template} answered ${r.status} (${JSON.stringify(r.body)}) but documents ${documented.join(', ')}`);
      seen.add(`${method} ${template} ${r.status}`);
    }
    assert.ok(seen.has('GET /api/v1/views/{name} 400') && seen.has('DELETE /api/v1/views/{name} 400') && seen.has('POST /api/v1/views/{name}/refresh 400'));
    for (const [path, ops] of Object.entries<Json>(spec.paths)) {
      for (const [method, op] of Object.entries<Json>(ops)) {
        for (const status of ['500', '503']) assert.ok(op.responses[status], `${method} ${path} documents ${status}`);
      }
    }
    assert.deepEqual(Object.keys(spec.paths['/api/v1/import'].post.requestBody.content), ['application/x-ndjson']);
    assert.deepEqual(Object.keys(spec.paths['/api/v1/export'].get.responses['200'].content), ['application/x-ndjson']);
    assert.deepEqual(Object.keys(spec.paths['/api/v1/watch'].get.responses['200'].content), ['text/event-stream']);
    const write = spec.paths['/api/v1/batch'].post.requestBody.content['application/json'].schema.properties.writes.items.properties;
    assert.deepEqual([write.namespace.type, write.key.type], ['string', 'string'], 'types the library checks are still published');
  });
});
