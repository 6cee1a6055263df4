import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { injectApp, type Json } from './helpers.js';

const put = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ value }) });

describe('HTTP key routes (inject)', () => {
  it('PUT, GET, DELETE round-trip the library records', async () => {
    const { app, db } = await injectApp();
    const r1 = await app.inject({ method: 'PUT', url: '/api/v1/users/alice', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ value: { age: 30 } }) });
    assert.equal(r1.statusCode, 200);
    const v1 = r1.json();
    assert.deepEqual(v1, await db.get('users', 'alice'));
    const g1 = await app.inject({ method: 'GET', url: '/api/v1/users/alice' });
    assert.equal(g1.statusCode, 200);
    assert.match(g1.headers['content-type'] as string, /^application\/json/);
    assert.deepEqual(g1.json(), v1);
    // A cached body is replaced as soon as the key changes, whoever wrote it.
    await db.put('users', 'alice', { age: 31 });
    const g2 = (await app.inject({ method: 'GET', url: '/api/v1/users/alice' })).json();
    assert.equal(g2.value.age, 31);
    assert.equal(g2.previousVersion, v1.versionId);
    const d = await app.inject({ method: 'DELETE', url: '/api/v1/users/alice' });
    assert.equal(d.statusCode, 200);
    assert.equal(d.json().deleted, true);
    assert.equal(d.json().value, null);
    const g3 = await app.inject({ method: 'GET', url: '/api/v1/users/alice' });
    assert.equal(g3.statusCode, 404);
    assert.deepEqual(g3.json().error.code, 'KEY_NOT_FOUND');
    assert.equal(g3.json().error.message, 'Key not found: users/alice');
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/users/alice' })).statusCode, 404);
  });

  it('percent-encoded keys with /, :, spaces and unicode are ordinary keys', async () => {
    const { app, db } = await injectApp();
    for (const key of ['a/b.txt', 'x:y', 'with space', 'ünï€/😀', 'q?x=1#h', '100%']) {
      const url = `/api/v1/files/${encodeURIComponent(key)}`;
      const r = await app.inject({ method: 'PUT', url, ...put(key) });
      assert.equal(r.statusCode, 200, key);
      assert.equal(r.json().key, key);
      assert.equal((await db.get('files', key)).value, key);
      assert.equal((await app.inject({ method: 'GET', url })).json().value, key);
      assert.equal((await app.inject({ method: 'GET', url: `${url}/history` })).json().versions.length, 1);
    }
    const keys = (await app.inject({ method: 'GET', url: '/api/v1/files' })).json();
    assert.deepEqual(keys, { namespace: 'files', keys: await db.listKeys('files') });
  });

  it('history honours from, to, latest and limit; time travel accepts every time format', async () => {
    const { app, db } = await injectApp();
    const versions = [];
    for (let i = 0; i < 4; i++) versions.push(await db.put('h', 'k', i));
    const hist = async (q: string) => (await app.inject({ method: 'GET', url: `/api/v1/h/k/history${q}` })).json() as Json;
    assert.deepEqual((await hist('')).versions, versions);
    assert.deepEqual((await hist('')).namespace, 'h');
    assert.deepEqual((await hist('?latest=2')).versions, versions.slice(2));
    assert.deepEqual((await hist('?limit=1')).versions, versions.slice(0, 1));
    assert.deepEqual((await hist(`?from=${encodeURIComponent(versions[1].timestamp)}&to=${encodeURIComponent(versions[2].timestamp)}`)).versions, versions.slice(1, 3));
    const bad = await app.inject({ method: 'GET', url: '/api/v1/h/k/history?limit=-1' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_QUERY', 'a count the library refuses, as a local call');
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/h/nope/history' })).statusCode, 404);
    const badTime = await app.inject({ method: 'GET', url: '/api/v1/h/k/history?from=yesterday-ish' });
    assert.equal(badTime.json().error.code, 'INVALID_TIME');

    const at = async (t: string) => app.inject({ method: 'GET', url: `/api/v1/h/k/at/${encodeURIComponent(t)}` });
    assert.deepEqual((await at(versions[1].timestamp)).json(), versions[1]);
    assert.equal((await at(String(Date.now() + 1000))).json().value, 3);
    assert.equal((await at('0 s ago')).json().value, 3);
    const early = await at('2001-01-01T00:00:00Z');
    assert.equal(early.statusCode, 404);
    assert.equal(early.json().error.code, 'NO_VALUE_AT_TIMESTAMP');
    const invalid = await at('next tuesday');
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().error.code, 'INVALID_TIME');
  });

  it('lists namespaces and writes batches atomically', async () => {
    const { app, db } = await injectApp();
    const ok = await app.inject({
      method: 'POST', url: '/api/v1/batch',
      payload: { writes: [{ namespace: 'a', key: '1', value: 1 }, { namespace: 'b', key: '2', value: { x: [1] } }] },
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().versions.map((v: Json) => v.key), ['1', '2']);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/namespaces' })).json(), { namespaces: ['a', 'b'] });
    const bad = await app.inject({
      method: 'POST', url: '/api/v1/batch',
      payload: { writes: [{ namespace: 'a', key: '3', value: 1 }, { namespace: 'status', key: 'x', value: 1 }] },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_NAMESPACE');
    assert.equal(await db.contains('a', '3'), false);
    const shape = await app.inject({ method: 'POST', url: '/api/v1/batch', payload: { write: [] } });
    assert.equal(shape.statusCode, 400);
    assert.equal(shape.json().error.code, 'INVALID_REQUEST');
  });

  it('keeps values exactly, including __proto__ keys and unicode', async () => {
    const { app } = await injectApp();
    const payload = '{"value":{"__proto__":{"x":1},"s":"é\\u2028","n":1e3,"a":[null,true]}}';
    const r = await app.inject({ method: 'PUT', url: '/api/v1/p/k', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(r.statusCode, 200);
    const got = (await app.inject({ method: 'GET', url: '/api/v1/p/k' })).json();
    assert.equal(Object.hasOwn(got.value, '__proto__'), true);
    assert.equal(got.value.s, 'é\u2028');
    assert.equal(got.value.n, 1000);
  });
});
