import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, startServer } from './helpers.js';

/** 26 a's and a `!`: seconds of backtracking for `^(a+)+$` before the pattern was refused. */
const NEAR_MISS = `${'a'.repeat(26)}!`;

describe('regular expressions that could block the server', () => {
  // Bounded: before patterns were checked, the first query below kept the server busy for minutes.
  it('are refused with INVALID_QUERY naming the pattern, in queries, views and change feeds', { timeout: 60_000 }, async () => {
    const server = await startServer();
    const put = await call(`${server.url}/api/v1/docs/d1`, { method: 'PUT', json: { value: { s: NEAR_MISS } } });
    assert.equal(put.status, 200);
    const started = Date.now();
    const refusals = [
      await call(`${server.url}/api/v1/docs/query`, { method: 'POST', json: { filter: 's matches "^(a+)+$"' } }),
      await call(`${server.url}/api/v1/docs/query`, { method: 'POST', json: { filter: { field: 's', op: 'matches', value: '^([a-z]+\\s?)*$' } } }),
      await call(`${server.url}/api/v1/docs/query`, { method: 'POST', json: { filter: { field: 's', op: 'matches', value: '(?:a*)*b' } } }),
      await call(`${server.url}/api/v1/views`, { method: 'POST', json: { name: 'evil', namespace: 'docs', query: { filter: 's matches /^(a+)+$/' } } }),
      await call(`${server.url}/api/v1/watch?${new URLSearchParams({ namespace: 'docs', filter: 's matches "^(a+)+$"' })}`),
      await call(`${server.url}/api/v1/docs/query`, { method: 'POST', json: { filter: { field: 's', op: 'matches', value: 'a'.repeat(1001) } } }),
    ];
    for (const r of refusals) {
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'INVALID_QUERY');
    }
    assert.match(refusals[0].body.error.message, /\/\^\(a\+\)\+\$\/ is refused: a quantifier inside a repeated group/);
    assert.equal(refusals[1].body.error.path, 'filter.value');
    assert.match(refusals[5].body.error.message, /1001 characters long; the limit is 1000/);
    assert.ok(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
    const views = await call(`${server.url}/api/v1/views`);
    assert.deepEqual(views.body.views, []);
    // A safe pattern still runs, on the same document.
    const safe = await call(`${server.url}/api/v1/docs/query`, { method: 'POST', json: { filter: 's matches "^a+!$"' } });
    assert.equal(safe.body.totalCount, 1);
  });
});
