import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KoruDelta } from '../../src/index.js';
import { call, startServer } from './helpers.js';

/** What the library itself throws for `call`, as the HTTP error body carries it. */
async function libraryError(call: (db: KoruDelta) => Promise<unknown>): Promise<{ code: string; message: string }> {
  const db = await KoruDelta.start();
  try {
    await call(db);
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  } finally {
    await db.close();
  }
  throw new Error('the library accepted it');
}

describe('JSON bodies are not coerced', () => {
  it('a batch with keys or namespaces that are not strings is refused as the library refuses it, writing nothing', async () => {
    const server = await startServer();
    const cases: Array<Record<string, unknown>> = [
      { namespace: 'bc', key: ['a'], value: 1 },
      { namespace: ['bc'], key: '5', value: 2 },
      { namespace: 'bc', key: true, value: 3 },
      { namespace: 'bc', key: 5, value: 4 },
      { namespace: null, key: 'x', value: 5 },
    ];
    for (const write of cases) {
      const r = await call(`${server.url}/api/v1/batch`, { method: 'POST', json: { writes: [{ namespace: 'bc', key: 'ok', value: 0 }, write] } });
      const expected = await libraryError((db) => db.putBatch([{ namespace: 'bc', key: 'ok', value: 0 }, write as never]));
      assert.equal(r.status, 400, JSON.stringify(write));
      assert.equal(r.body.error.code, expected.code, JSON.stringify(write));
      assert.equal(r.body.error.message, expected.message, JSON.stringify(write));
    }
    const notArray = await call(`${server.url}/api/v1/batch`, { method: 'POST', json: { writes: { namespace: 'bc', key: 'x', value: 1 } } });
    assert.equal(notArray.status, 400);
    assert.equal(notArray.body.error.code, 'INVALID_REQUEST');
    assert.deepEqual((await call(`${server.url}/api/v1/namespaces`)).body.namespaces, []);
  });

  it('a view definition with fields of the wrong type is refused as the library refuses it, creating nothing', async () => {
    const server = await startServer();
    const cases: Array<Record<string, unknown>> = [
      { name: 5, namespace: 'orders' },
      { name: 'v', namespace: 7 },
      { name: 'v', namespace: 'orders', autoRefresh: 'true' },
      { name: 'v', namespace: 'orders', autoRefresh: 1 },
      { name: 'v', namespace: 'orders', description: 5 },
      { name: 'v', namespace: 'orders', query: 'amount > 1' },
    ];
    for (const definition of cases) {
      const r = await call(`${server.url}/api/v1/views`, { method: 'POST', json: definition });
      const expected = await libraryError((db) => db.createView(definition as never));
      assert.equal(r.status, 400, JSON.stringify(definition));
      assert.deepEqual([r.body.error.code, r.body.error.message], [expected.code, expected.message], JSON.stringify(definition));
    }
    assert.deepEqual((await call(`${server.url}/api/v1/views`)).body.views, []);
    const described = await call(`${server.url}/api/v1/views`, { method: 'POST', json: { name: 'v', namespace: 'orders', description: null } });
    assert.equal(described.status, 201);
    assert.equal(described.body.description, null);
  });

  it('query parameters are still read as the numbers they spell', async () => {
    const server = await startServer();
    for (let i = 0; i < 3; i++) await call(`${server.url}/api/v1/a/b`, { method: 'PUT', json: { value: i } });
    const r = await call(`${server.url}/api/v1/a/b/history?latest=2`);
    assert.deepEqual(r.body.versions.map((v: { value: number }) => v.value), [1, 2]);
  });
});
