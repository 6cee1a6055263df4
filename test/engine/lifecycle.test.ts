import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KoruDelta } from '../../src/index.js';
import { STORES, openDb, rejectsWith, tmpDir } from '../helpers.js';

/**
 * Arguments for every method of a database, each as wrong as can be: after `close()` the closed
 * check must come first, whatever the arguments. A method missing here fails the test below.
 */
const AFTER_CLOSE: Record<string, unknown[]> = {
  put: ['_bad', '', undefined], delete: ['_bad', ''], putBatch: [[]], commit: [[]], get: ['_bad', ''], contains: ['_bad', ''],
  getAt: ['c', 'k', 'yesterday'], history: ['c', 'k', { filter: 'n >', latest: -1 }], historyMatching: ['c', 'k', {}],
  documents: ['_bad'], listKeys: ['_bad'], listNamespaces: [], stats: [], verify: [], lastSeq: [], hasImports: [], diskSize: [],
  exportVersions: [{ at: 'never' }], importVersions: [null], onCommit: [() => {}], onTransaction: [() => {}], assertOpen: [],
  query: ['a', { filter: 5 }], createView: [null], listViews: [], refreshView: ['nope'], queryView: ['nope'], deleteView: ['nope'],
  subscribe: [{ namespace: '_bad' }, null], unsubscribe: ['nope'], watch: [{ namespace: '_bad' }],
};

/** Every method on the prototype chain of `db` (accessors aside), protected ones included. */
function methodsOf(db: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(db); proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function') names.add(name);
    }
  }
  return [...names].sort();
}

/** What calling `name` ends with: its error, thrown, rejected or met on the first step of an iterator. */
async function failureOf(db: KoruDelta, name: string, args: unknown[]): Promise<unknown> {
  try {
    const out = (db as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args) as { then?: unknown; next?: () => unknown } | undefined;
    if (typeof out?.then === 'function') await out;
    else if (typeof out?.next === 'function') await out.next();
  } catch (err) {
    return err;
  }
  return undefined;
}

for (const kind of STORES) {
  describe(`putBatch (${kind})`, () => {
    it('commits every write in one transaction, with chains across repeated keys', async () => {
      const db = await openDb(kind);
      await db.put('b', 'x', 0);
      const out = await db.putBatch([
        { namespace: 'b', key: 'x', value: 1 },
        { namespace: 'b', key: 'y', value: 2 },
        { namespace: 'c', key: 'x', value: 3 },
        { namespace: 'b', key: 'x', value: 4 },
      ]);
      assert.equal(out.length, 4);
      assert.equal(out[3].previousVersion, out[0].versionId);
      assert.deepEqual((await db.history('b', 'x')).map((v) => v.value), [0, 1, 4]);
      assert.deepEqual(await db.putBatch([]), []);
    });

    it('is all or none: one bad write refuses the whole batch and writes nothing', async () => {
      const db = await openDb(kind);
      await rejectsWith(db.putBatch([
        { namespace: 'b', key: 'ok', value: 1 },
        { namespace: 'b', key: 'bad', value: { n: NaN } },
      ]), 'INVALID_VALUE', 'b/bad');
      await rejectsWith(db.putBatch([
        { namespace: 'b', key: 'ok', value: 1 },
        { namespace: '_bad', key: 'k', value: 1 },
      ]), 'INVALID_NAMESPACE');
      await rejectsWith(db.putBatch([
        { namespace: 'b', key: 'ok', value: 1 },
        null as unknown as { namespace: string; key: string; value: unknown },
      ]), 'INVALID_VALUE', 'batch write #2', 'got null');
      assert.equal(await db.contains('b', 'ok'), false);
      assert.equal((await db.stats()).totalVersions, 0);
    });

    it('a failing write in the same group commit does not affect others', async () => {
      const db = await openDb(kind);
      await db.put('g', 'live', 1);
      const results = await Promise.allSettled([
        db.put('g', 'a', 1),
        db.delete('g', 'missing'),
        db.putBatch([{ namespace: 'g', key: 'b', value: 2 }]),
        db.delete('g', 'live'),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      assert.deepEqual(await db.listKeys('g'), ['a', 'b']);
      assert.equal((await db.stats()).totalVersions, 4);
    });
  });

  describe(`closing (${kind})`, () => {
    it('after close every call rejects with DATABASE_CLOSED; close is idempotent', async () => {
      const db = await openDb(kind);
      await db.put('c', 'k', 1);
      const pending = db.put('c', 'k', 2);
      await db.close();
      await pending;
      await db.close();
      const calls: Array<() => Promise<unknown>> = [
        () => db.put('c', 'k', 1), () => db.get('c', 'k'), () => db.getAt('c', 'k', Date.now()),
        () => db.history('c', 'k'), () => db.delete('c', 'k'), () => db.contains('c', 'k'),
        () => db.putBatch([{ namespace: 'c', key: 'k', value: 1 }]), () => db.listKeys('c'),
        () => db.listNamespaces(), () => db.stats(), () => db.verify(), () => db.diskSize(),
      ];
      for (const call of calls) await rejectsWith(call(), 'DATABASE_CLOSED');
      // A call about a key says which key it could not reach.
      const named: Array<() => Promise<unknown>> = [
        () => db.put('c', 'k', 1), () => db.get('c', 'k'), () => db.getAt('c', 'k', Date.now()),
        () => db.history('c', 'k'), () => db.delete('c', 'k'), () => db.contains('c', 'k'),
      ];
      for (const call of named) await rejectsWith(call(), 'DATABASE_CLOSED', 'c/k');
      await rejectsWith(db.listKeys('c'), 'DATABASE_CLOSED', 'namespace c');
    });

    it('after close every method fails with DATABASE_CLOSED before looking at its arguments', async () => {
      const db = await openDb(kind);
      const sub = db.subscribe({}, () => {});
      await db.close();
      assert.deepEqual(methodsOf(db), [...Object.keys(AFTER_CLOSE), 'close'].sort(), 'a method was added: list it in AFTER_CLOSE');
      for (const [name, args] of Object.entries(AFTER_CLOSE)) {
        const err = (await failureOf(db, name, args)) as { code?: string; message?: string } | undefined;
        assert.equal(err?.code, 'DATABASE_CLOSED', `${name}: ${err?.message ?? 'succeeded'}`);
      }
      assert.throws(() => db.unsubscribe(sub.id), { code: 'DATABASE_CLOSED' });
      await rejectsWith(db.putBatch(null as unknown as []), 'DATABASE_CLOSED');
      await db.close();
    });

    it('reports bad arguments by rejecting, never by a synchronous throw', async () => {
      const db = await openDb(kind);
      const p = db.put(42 as unknown as string, 'k', 1);
      assert.ok(p instanceof Promise);
      await rejectsWith(p, 'INVALID_NAMESPACE');
      await assert.rejects(db.putBatch(null as unknown as []), TypeError);
    });
  });
}

describe('start({ path })', () => {
  it('refuses an empty, blank or non-string path with INVALID_VALUE instead of using the current directory', async () => {
    const hadData = existsSync('data.mdb');
    for (const path of ['', '   ', '\t\n', 42, null]) {
      await rejectsWith(KoruDelta.start({ path: path as string }), 'INVALID_VALUE', 'Invalid path');
    }
    assert.equal(existsSync('data.mdb'), hadData);
  });

  it('refuses a path that is a file, or inside one, with INVALID_VALUE naming it', async () => {
    const file = join(tmpDir(), 'notes.txt');
    writeFileSync(file, 'not a database');
    await rejectsWith(KoruDelta.start({ path: file }), 'INVALID_VALUE', `${file} is a file, not a database directory`);
    await rejectsWith(KoruDelta.start({ path: join(file, 'db') }), 'INVALID_VALUE', 'is inside a file, not a database directory');
  });
});

describe('persistence (lmdb)', () => {
  it('close and reopen gives identical keys, values, versionIds, timestamps and history', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path });
    for (let i = 0; i < 30; i++) await db.put(`ns${i % 3}`, `k${i % 7}`, { i, s: 'é'.repeat(i) });
    await db.delete('ns0', 'k0');
    const before = { keys: await Promise.all(['ns0', 'ns1', 'ns2'].map((n) => db.listKeys(n))), stats: await db.stats(), node: db.nodeId };
    const histories = await Promise.all(['ns0', 'ns1', 'ns2'].flatMap((n) => ['k0', 'k1', 'k2'].map((k) => db.history(n, k).catch(() => null))));
    await db.close();
    const again = await KoruDelta.start({ path });
    assert.deepEqual({ keys: await Promise.all(['ns0', 'ns1', 'ns2'].map((n) => again.listKeys(n))), stats: await again.stats(), node: again.nodeId }, before);
    assert.deepEqual(await Promise.all(['ns0', 'ns1', 'ns2'].flatMap((n) => ['k0', 'k1', 'k2'].map((k) => again.history(n, k).catch(() => null)))), histories);
    const next = await again.put('ns1', 'k1', 'after');
    assert.ok(next.timestamp > histories[4]!.at(-1)!.timestamp);
    assert.equal((await again.verify()).ok, true);
    await again.close();
  });
});

for (const kind of STORES) {
  describe(`an export across close() (${kind})`, () => {
    it('ends with DATABASE_CLOSED, not the store\'s own error', async () => {
      const db = kind === 'lmdb' ? await KoruDelta.start({ path: join(tmpDir(), 'db') }) : await KoruDelta.start();
      for (let i = 0; i < 10; i++) await db.put('a', `k${i}`, i);
      const it = db.exportVersions()[Symbol.asyncIterator]();
      assert.equal((await it.next()).value?.key, 'k0');
      await db.close();
      await rejectsWith(it.next(), 'DATABASE_CLOSED');
    });
  });
}
