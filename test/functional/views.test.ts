import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KoruDelta } from '../../src/index.js';
import { STORES, openDb, rejectsWith, tmpDir } from '../helpers.js';

const keys = (r: { records: Array<{ key: string }> }) => r.records.map((x) => x.key);

for (const kind of STORES) {
  describe(`materialized views (${kind})`, () => {
    it('createView evaluates at once; a manual view changes only when refreshed', async () => {
      const db = await openDb(kind);
      await db.putBatch([
        { namespace: 'users', key: 'a', value: { age: 30 } },
        { namespace: 'users', key: 'b', value: { age: 17 } },
      ]);
      const info = await db.createView({ name: 'adults', namespace: 'users', query: { filter: 'age >= 18' }, description: 'grown-ups' });
      assert.equal(info.recordCount, 1);
      assert.equal(info.autoRefresh, false);
      assert.equal(info.description, 'grown-ups');
      assert.match(info.createdAt, /Z$/);
      assert.deepEqual(keys(await db.queryView('adults')), ['a']);
      for (let i = 0; i < 20; i++) await db.put('users', `n${i}`, { age: 40 + i });
      await db.delete('users', 'a');
      assert.deepEqual(keys(await db.queryView('adults')), ['a']);
      const refreshed = await db.refreshView('adults');
      assert.equal(refreshed.recordCount, 20);
      assert.ok(refreshed.lastRefreshed >= info.lastRefreshed);
      assert.equal((await db.queryView('adults')).totalCount, 20);
    });

    it('an auto-refresh view reflects every write (put, delete, batch) when the write resolves', async () => {
      const db = await openDb(kind);
      await db.createView({ name: 'active', namespace: 'tasks', query: { filter: 'done = false', sort: [{ field: 'due' }] }, autoRefresh: true });
      await db.put('tasks', 't1', { done: false, due: 3 });
      assert.deepEqual(keys(await db.queryView('active')), ['t1']);
      await db.putBatch([{ namespace: 'tasks', key: 't2', value: { done: false, due: 1 } }, { namespace: 'tasks', key: 't3', value: { done: true, due: 2 } }]);
      assert.deepEqual(keys(await db.queryView('active')), ['t2', 't1']);
      await db.put('tasks', 't2', { done: true, due: 1 });
      assert.deepEqual(keys(await db.queryView('active')), ['t1']);
      await db.delete('tasks', 't1');
      assert.deepEqual(keys(await db.queryView('active')), []);
      await db.put('other', 't9', { done: false });
      const [view] = await db.listViews();
      assert.equal(view.recordCount, 0);
      await Promise.all(Array.from({ length: 30 }, (_, i) => db.put('tasks', `c${i}`, { done: i % 3 === 0, due: i })));
      assert.equal((await db.queryView('active')).totalCount, 20);
      assert.equal((await db.listViews())[0].recordCount, 20);
    });

    it('keeps the view query: sort, limit, projection and aggregation', async () => {
      const db = await openDb(kind);
      await db.putBatch([1, 5, 3, 9].map((n) => ({ namespace: 'nums', key: `k${n}`, value: { n, odd: n % 2 === 1 } })));
      await db.createView({ name: 'top', namespace: 'nums', query: { filter: 'odd = true', sort: [{ field: 'n', order: 'desc' }], limit: 2, project: ['n'], aggregate: { op: 'sum', field: 'n' } }, autoRefresh: true });
      const r = await db.queryView('top');
      assert.deepEqual(r.records.map((x) => x.value), [{ n: 9 }, { n: 5 }]);
      assert.equal(r.totalCount, 4);
      assert.equal(r.aggregation, 18);
    });

    it('names, duplicates and unknown views give coded errors; listViews is sorted', async () => {
      const db = await openDb(kind);
      await db.createView({ name: 'b-view', namespace: 'x' });
      await db.createView({ name: 'a.view', namespace: 'x' });
      await rejectsWith(db.createView({ name: 'b-view', namespace: 'x' }), 'VIEW_EXISTS', 'b-view');
      await rejectsWith(db.queryView('nope'), 'VIEW_NOT_FOUND', 'nope');
      await rejectsWith(db.refreshView('nope'), 'VIEW_NOT_FOUND');
      await rejectsWith(db.deleteView('nope'), 'VIEW_NOT_FOUND');
      await rejectsWith(db.createView({ name: '_hidden', namespace: 'x' }), 'INVALID_NAMESPACE');
      await rejectsWith(db.createView({ name: '..', namespace: 'x' }), 'INVALID_NAMESPACE', 'path segments');
      // Names reserved for namespace routes are fine for views: their URL is their own.
      await db.createView({ name: 'views', namespace: 'x' });
      await db.deleteView('views');
      await rejectsWith(db.createView({ name: 'bad', namespace: 'x', query: { filter: 'a >' } }), 'INVALID_QUERY');
      assert.deepEqual((await db.listViews()).map((v) => v.name), ['a.view', 'b-view']);
      await db.deleteView('a.view');
      assert.deepEqual((await db.listViews()).map((v) => v.name), ['b-view']);
      await rejectsWith(db.queryView('a.view'), 'VIEW_NOT_FOUND');
    });

    it('refuses unknown definition members instead of ignoring them', async () => {
      const db = await openDb(kind);
      await db.putBatch([{ namespace: 'users', key: 'kid', value: { age: 10 } }, { namespace: 'users', key: 'adult', value: { age: 30 } }]);
      const misplaced = { name: 'adults', namespace: 'users', filter: 'age >= 18' } as unknown as Parameters<typeof db.createView>[0];
      await rejectsWith(db.createView(misplaced), 'INVALID_QUERY', 'adults', '"filter"', 'inside query');
      const misspelt = { name: 'adults', namespace: 'users', autorefresh: true } as unknown as Parameters<typeof db.createView>[0];
      await rejectsWith(db.createView(misspelt), 'INVALID_QUERY', '"autorefresh"', 'autoRefresh');
      assert.deepEqual(await db.listViews(), [], 'nothing was created');
    });

    it('a view as of a relative time keeps the instant it was created with', async () => {
      const db = await openDb(kind);
      await db.put('prices', 'old', { p: 1 });
      const created = await db.createView({ name: 'snapshot', namespace: 'prices', query: { at: 'now' } });
      assert.equal(created.recordCount, 1);
      await db.put('prices', 'new', { p: 2 });
      await new Promise((r) => setTimeout(r, 5));
      const refreshed = await db.refreshView('snapshot');
      assert.equal(refreshed.recordCount, 1, 'the refresh recomputes the same instant, not a later one');
      assert.deepEqual(keys(await db.queryView('snapshot')), ['old']);
    });
  });
}

describe('views persist (lmdb)', () => {
  it('definitions and results survive reopen; auto views stay exact for writes by other instances', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path });
    await db.put('users', 'a', { age: 30 });
    await db.createView({ name: 'adults', namespace: 'users', query: { filter: 'age >= 18' }, autoRefresh: true });
    await db.createView({ name: 'manual', namespace: 'users', query: { filter: 'age >= 18' } });
    const before = { list: await db.listViews(), auto: await db.queryView('adults'), manual: await db.queryView('manual') };
    await db.close();
    // Another instance (as another process would) writes while the first is closed.
    const other = await KoruDelta.start({ path });
    assert.deepEqual({ list: await other.listViews(), auto: await other.queryView('adults'), manual: await other.queryView('manual') }, before);
    await other.put('users', 'b', { age: 50 });
    await other.put('users', 'a', { age: 10 });
    await other.close();
    const again = await KoruDelta.start({ path });
    assert.deepEqual(keys(await again.queryView('adults')), ['b']);
    assert.deepEqual(keys(await again.queryView('manual')), ['a']);
    await again.close();
  });
});
