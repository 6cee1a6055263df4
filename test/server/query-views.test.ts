import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { injectApp } from './helpers.js';

describe('query and view routes (inject)', () => {
  it('runs queries with expression filters, sort, paging and aggregation', async () => {
    const { app, db } = await injectApp();
    for (const [k, age] of [['a', 30], ['b', 17], ['c', 45]] as const) await db.put('people', k, { age, active: age > 20 });
    const r = await app.inject({ method: 'POST', url: '/api/v1/people/query', payload: { filter: 'age >= 18', sort: [{ field: 'age', order: 'desc' }], limit: 1 } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().totalCount, 2);
    assert.deepEqual(r.json().records.map((x: { key: string }) => x.key), ['c']);
    const agg = await app.inject({ method: 'POST', url: '/api/v1/people/query', payload: { aggregate: { op: 'sum', field: 'age' } } });
    assert.equal(agg.json().aggregation, 92);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/people/query', payload: { filter: 'age >>= 1' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_QUERY');
    const notObject = await app.inject({ method: 'POST', url: '/api/v1/people/query', headers: { 'content-type': 'application/json' }, payload: '[1]' });
    assert.equal(notObject.statusCode, 400);
  });

  it('creates, lists, queries, refreshes and deletes views with 201/204/404/409', async () => {
    const { app, db } = await injectApp();
    await db.put('people', 'a', { age: 30 });
    const def = { name: 'adults', namespace: 'people', query: { filter: 'age >= 18' }, description: 'grown-ups' };
    const created = await app.inject({ method: 'POST', url: '/api/v1/views', payload: def });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().name, 'adults');
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/views', payload: def })).json().error.code, 'VIEW_EXISTS');
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/views', payload: def })).statusCode, 409);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/views' })).json().views.map((v: { name: string }) => v.name), ['adults']);
    await db.put('people', 'b', { age: 50 });
    const refreshed = await app.inject({ method: 'POST', url: '/api/v1/views/adults/refresh' });
    assert.equal(refreshed.statusCode, 200);
    assert.equal(refreshed.json().recordCount, 2);
    const q = await app.inject({ method: 'GET', url: '/api/v1/views/adults' });
    assert.equal(q.json().totalCount, 2);
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/views/adults' })).statusCode, 204);
    const gone = await app.inject({ method: 'GET', url: '/api/v1/views/adults' });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().error.code, 'VIEW_NOT_FOUND');
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/views/adults/refresh' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/views', payload: { name: 'x' } })).statusCode, 400);
  });
});
