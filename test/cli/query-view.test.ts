import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { KoruDelta } from '../../src/index.js';
import type { QueryResult } from '../../src/query/types.js';
import type { ViewInfo } from '../../src/views/types.js';
import { fails, json, ok, onDb, tmpDb } from './helpers.js';

const USERS = {
  alice: { name: 'Alice', age: 30, status: 'active' },
  bob: { name: 'Bob', age: 17, status: 'active' },
  carol: { name: 'Carol', age: 45, status: 'inactive' },
};
const ORDERS = { o1: { amount: 10, status: 'paid' }, o2: { amount: 20, status: 'paid' }, o3: { amount: 5, status: 'open' } };

/** Seeds through the library (fast); everything under test goes through the binary. */
async function seed(path: string): Promise<string> {
  const db = await KoruDelta.start({ path });
  try {
    const batch = (ns: string, docs: Record<string, unknown>) => Object.entries(docs).map(([key, value]) => ({ namespace: ns, key, value }));
    await db.putBatch([...batch('users', { alice: { ...USERS.alice, age: 29 } }), ...batch('orders', ORDERS)]);
    const between = new Date(Date.now() + 1).toISOString(); // ms precision: round up past batch 1
    await new Promise((r) => setTimeout(r, 5));
    await db.putBatch(batch('users', USERS));
    return between;
  } finally {
    await db.close();
  }
}

describe('kdelta query', () => {
  const path = tmpDb();
  const k = onDb(path);
  let between = '';
  before(async () => { between = await seed(path); });

  it('prints records, filters, sorts, pages and projects (human and --json)', async () => {
    const [all, filtered, paged, projected, sortedHuman] = await Promise.all([
      k('query', 'users'),
      k('query', 'users', '-f', 'age >= 18 and status = "active" or name = Carol', '--sort', 'age', '--desc', '--json'),
      k('query', 'users', '-s', 'name', '-l', '1', '--offset', '1', '--json'),
      k('query', 'users', '--project', 'name,age', '-s', 'age:desc', '--json'),
      k('query', 'users', '-f', 'age < 18'),
    ]);
    assert.equal(ok(all), [
      'Query results: (3 records)',
      '  * alice', '    {', '      "age": 30,', '      "name": "Alice",', '      "status": "active"', '    }',
      '  * bob', '    {', '      "age": 17,', '      "name": "Bob",', '      "status": "active"', '    }',
      '  * carol', '    {', '      "age": 45,', '      "name": "Carol",', '      "status": "inactive"', '    }', '',
    ].join('\n'));
    const f = json<QueryResult>(filtered);
    assert.deepEqual(f.records.map((r) => r.key), ['carol', 'alice']);
    assert.equal(f.totalCount, 2);
    assert.ok(f.records.every((r) => /^[0-9a-f]{32}$/.test(r.versionId) && typeof r.timestamp === 'string'));
    const p = json<QueryResult>(paged);
    assert.deepEqual([p.records.map((r) => r.key), p.totalCount], [['bob'], 3]);
    assert.deepEqual(json<QueryResult>(projected).records.map((r) => r.value), [{ name: 'Carol', age: 45 }, { name: 'Alice', age: 30 }, { name: 'Bob', age: 17 }]);
    assert.match(ok(sortedHuman), /^Query results: \(1 record\)\n {2}\* bob\n/);
  });

  it('prints every aggregation, grouped or not; --at queries the past', async () => {
    const [count, sum, avg, min, max, distinct, grouped, countJson, withRecords, past, two] = await Promise.all([
      k('query', 'orders', '--count'), k('query', 'orders', '--sum', 'amount'), k('query', 'users', '--avg', 'age'),
      k('query', 'orders', '--min', 'amount'), k('query', 'users', '--max', 'name'), k('query', 'orders', '--distinct', 'status'),
      k('query', 'orders', '--group-by', 'status', '--count', '--sum', 'amount'),
      k('query', 'orders', '--count', '-f', 'amount > 5', '--json'), k('query', 'orders', '--count', '-l', '1', '-s', 'amount'),
      k('query', 'users', '--at', between, '--json'), k('query', 'orders', '--sum', 'amount', '--avg', 'amount'),
    ]);
    assert.equal(ok(count), 'Count: 3\n');
    assert.equal(ok(sum), 'Sum of amount: 35\n');
    assert.equal(ok(avg), 'Average of age: 30.666666666666668\n');
    assert.equal(ok(min), 'Min of amount: 5\n');
    assert.equal(ok(max), 'Max of name: Carol\n');
    assert.equal(ok(distinct), 'Distinct values of status: ["paid","open"]\n');
    assert.equal(ok(grouped), [
      'Grouped by status: (2 groups)', '  * open', '    Count: 1', '    Sum of amount: 5',
      '  * paid', '    Count: 2', '    Sum of amount: 30', '',
    ].join('\n'));
    assert.deepEqual(json(countJson), { records: [], totalCount: 2, aggregation: 2 });
    assert.match(ok(withRecords), /^Query results: \(1 record\)\n {2}\* o3\n[\s\S]*\n {2}1 of 3 matching records shown\nCount: 3\n$/);
    assert.deepEqual(json<QueryResult>(past).records.map((r) => [r.key, r.value]), [['alice', { ...USERS.alice, age: 29 }]]);
    assert.match(fails(two, 2), /One aggregation per query without --group-by/);
  });

  it('refuses a sort direction other than asc or desc; a field whose name has a colon takes one', async () => {
    const [typo, typoJson, empty, colonField, upper] = await Promise.all([
      k('query', 'users', '-s', 'age:dsc'), k('query', 'users', '--sort', 'name', '--sort', 'age:up', '--json'), k('query', 'users', '-s', 'age:'),
      k('query', 'users', '-s', 'a:b:desc', '--json'), k('query', 'users', '-s', 'age:DESC', '--json'),
    ]);
    assert.match(fails(typo, 2), /^Error: unknown sort direction "dsc" in "age:dsc" \(use asc or desc\)\n.*--sort age:dsc:asc\n$/);
    assert.equal((JSON.parse(fails(typoJson, 2)) as { error: { code: string } }).error.code, 'USAGE');
    assert.match(fails(empty, 2), /unknown sort direction "" in "age:"/);
    assert.equal(json<QueryResult>(colonField).totalCount, 3);
    assert.deepEqual(json<QueryResult>(upper).records.map((r) => r.key), ['carol', 'alice', 'bob']);
  });

  it('reports a bad filter with exit 1 and a hint', async () => {
    const [bad, badJson] = await Promise.all([k('query', 'users', '-f', 'age >>= 3'), k('query', 'users', '-f', 'and', '--json')]);
    assert.match(fails(bad, 1), /^Error: .*\nFilters look like: /);
    assert.equal((JSON.parse(fails(badJson, 1)) as { error: { code: string } }).error.code, 'INVALID_QUERY');
  });

  it('gives the filter hint only for filter problems; a number too large to hold exactly is a usage error', async () => {
    const [sort, sum, limit, offset] = await Promise.all([
      k('query', 'users', '-s', 'a..b'), k('query', 'users', '--sum', ''),
      k('query', 'users', '-l', '99999999999999999999'), k('query', 'users', '--offset', '9007199254740993'),
    ]);
    assert.match(fails(sort, 1), /^Error: Invalid query at sort\[0\]\.field: .*\n$/);
    assert.doesNotMatch(fails(sum, 1), /Filters look like/);
    assert.match(fails(limit, 2), /99999999999999999999 is too large/);
    assert.match(fails(offset, 2), /9007199254740993 is too large/);
  });

  it('prints group labels that keep different values apart', async () => {
    const db = await KoruDelta.start({ path });
    await db.putBatch([
      { namespace: 'labels', key: 'a', value: { status: 'none', n: 30 } },
      { namespace: 'labels', key: 'b', value: { n: '30' } },
      { namespace: 'labels', key: 'c', value: { status: null } },
    ]);
    await db.close();
    const [byStatus, byN] = await Promise.all([k('query', 'labels', '--group-by', 'status'), k('query', 'labels', '--group-by', 'n')]);
    const labels = (out: string) => out.split('\n').filter((l) => l.startsWith('  * ')).sort();
    assert.deepEqual(labels(ok(byStatus)), ['  * "none"', '  * none']);
    assert.deepEqual(labels(ok(byN)), ['  * "30"', '  * 30', '  * none']);
  });
});

describe('kdelta view', () => {
  const path = tmpDb();
  const k = onDb(path);
  before(async () => { await seed(path); });

  it('creates, lists, queries, refreshes and deletes views; unknown views exit 1', async () => {
    const created = ok(await k('view', 'create', 'adults', 'users', '-f', 'age >= 18', '--description', 'grown-ups', '--auto-refresh'));
    assert.match(created, /^OK\n {2}Created view: adults\n {2}Namespace: users\n {2}Records: 2\n/);
    const info = json<ViewInfo>(await k('view', 'create', 'everyone', 'users', '--json'));
    assert.deepEqual([info.name, info.namespace, info.autoRefresh, info.recordCount], ['everyone', 'users', false, 3]);
    const [list, listJson, query, limited, duplicate] = await Promise.all([
      k('view', 'list'), k('view', 'list', '--json'), k('view', 'query', 'adults'), k('view', 'query', 'everyone', '-l', '1', '--json'),
      k('view', 'create', 'adults', 'users'),
    ]);
    assert.equal(ok(list), 'Views:\n  * adults (users, 2 records, auto-refresh)\n    grown-ups\n  * everyone (users, 3 records)\n');
    assert.deepEqual(json<ViewInfo[]>(listJson).map((v) => v.name), ['adults', 'everyone']);
    assert.match(ok(query), /^View 'adults' results: \(2 records\)\n {2}\* alice\n[\s\S]* {2}\* carol\n/);
    assert.equal(json<QueryResult>(limited).records.length, 1);
    assert.equal(fails(duplicate, 1), 'Error: View already exists: adults\nPick another name, or remove the old view first with: kdelta view delete adults\n');

    // Auto-refresh sees a write made by another process; a manual view catches up on refresh.
    ok(await k('set', 'users/dave', '{"name":"Dave","age":50}'));
    const [auto, stale] = await Promise.all([k('view', 'query', 'adults', '--json'), k('view', 'query', 'everyone', '--json')]);
    assert.equal(json<QueryResult>(auto).records.length, 3);
    assert.equal(json<QueryResult>(stale).records.length, 3);
    assert.match(ok(await k('view', 'refresh', 'everyone')), /^OK\n {2}Refreshed view: everyone\n {2}Namespace: users\n {2}Records: 4\n/);
    assert.equal(json<ViewInfo>(await k('view', 'refresh', 'everyone', '--json')).recordCount, 4);

    assert.equal(ok(await k('view', 'delete', 'everyone')), 'OK\n  Deleted view: everyone\n');
    const [gone, goneJson, refreshGone, deleteGone] = await Promise.all([
      k('view', 'query', 'everyone'), k('view', 'query', 'everyone', '--json'), k('view', 'refresh', 'nope'), k('view', 'delete', 'nope'),
    ]);
    assert.match(fails(gone, 1), /^Error: .*everyone.*\nTry: kdelta view list\n$/);
    assert.equal((JSON.parse(fails(goneJson, 1)) as { error: { code: string } }).error.code, 'VIEW_NOT_FOUND');
    fails(refreshGone, 1);
    fails(deleteGone, 1);
    assert.deepEqual(json<ViewInfo[]>(await k('view', 'list', '--json')).map((v) => v.name), ['adults']);
  });
});
