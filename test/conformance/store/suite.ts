import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bytes, Store } from '../../../src/storage/index.js';

/**
 * The contract every `Store` passes. `factory()` returns an isolated, open store with buckets
 * `a` and `b`; `reopen(store)` (persistent stores only) closes it and opens the same location again.
 */
export interface StoreSuiteOptions {
  name: string;
  factory: () => Promise<Store>;
  reopen?: (store: Store) => Promise<Store>;
}

const b = (s: string): Bytes => Buffer.from(s, 'utf8');
const s = (x: Bytes | undefined): string | undefined => (x === undefined ? undefined : Buffer.from(x).toString('utf8'));
const keys = (it: Iterable<{ key: Bytes }>): string[] => [...it].map((e) => s(e.key)!);

async function filled(factory: () => Promise<Store>): Promise<Store> {
  const store = await factory();
  await store.transaction((txn) => {
    for (const k of ['a', 'b', 'b\u0000x', 'ba', 'c', 'd', '\u00e9', '\u{1f600}']) txn.put('a', b(k), b(`v-${k}`));
  });
  return store;
}

export function storeSuite({ name, factory, reopen }: StoreSuiteOptions): void {
  describe(`Store conformance: ${name}`, () => {
    it('factory returns isolated stores', async () => {
      const one = await factory();
      const two = await factory();
      await one.transaction((txn) => txn.put('a', b('k'), b('1')));
      assert.equal(two.get('a', b('k')), undefined);
      await one.close();
      await two.close();
    });

    it('puts, gets and deletes bytes, per bucket', async () => {
      const store = await factory();
      await store.transaction((txn) => {
        txn.put('a', b('k'), b('in a'));
        txn.put('b', b('k'), b('in b'));
      });
      assert.equal(s(store.get('a', b('k'))), 'in a');
      assert.equal(s(store.get('b', b('k'))), 'in b');
      await store.transaction((txn) => txn.del('a', b('k')));
      assert.equal(store.get('a', b('k')), undefined);
      assert.equal(s(store.get('b', b('k'))), 'in b');
      await store.close();
    });

    it('returns copies: mutating a result never changes stored bytes', async () => {
      const store = await factory();
      await store.transaction((txn) => txn.put('a', b('k'), b('abc')));
      const got = store.get('a', b('k'))!;
      got[0] = 0x7a;
      assert.equal(s(store.get('a', b('k'))), 'abc');
      await store.close();
    });

    it('read() lends the stored bytes to a callback, and reports absence', async () => {
      const store = await factory();
      await store.transaction((txn) => txn.put('a', b('k'), b('lent')));
      assert.equal(store.read('a', b('k'), (bytes) => s(bytes)), 'lent');
      assert.equal(store.read('a', b('absent'), () => 'called'), undefined);
      const inTxn = await store.transaction((txn) => {
        txn.put('a', b('t'), b('own write'));
        return txn.read('a', b('t'), (bytes) => s(bytes));
      });
      assert.equal(inTxn, 'own write');
      await store.close();
    });

    it('a string key stands for its UTF-8 bytes, in every point operation', async () => {
      const store = await factory();
      await store.transaction((txn) => {
        txn.put('a', 'ns\u0000caf\u00e9/\u{1f600}', b('by text'));
        txn.put('a', b('gone'), b('x'));
        txn.del('a', 'gone');
      });
      assert.equal(s(store.get('a', b('ns\u0000caf\u00e9/\u{1f600}'))), 'by text');
      assert.equal(s(store.get('a', 'ns\u0000caf\u00e9/\u{1f600}')), 'by text');
      assert.equal(store.read('a', 'ns\u0000caf\u00e9/\u{1f600}', (bytes) => s(bytes)), 'by text');
      assert.equal(store.get('a', 'gone'), undefined);
      assert.deepEqual(keys(store.range('a')), ['ns\u0000caf\u00e9/\u{1f600}']);
      const inTxn = await store.transaction((txn) => s(txn.get('a', 'ns\u0000caf\u00e9/\u{1f600}')));
      assert.equal(inTxn, 'by text');
      await store.close();
    });

    it('a string key of any length and script matches its UTF-8 bytes', async () => {
      const store = await factory();
      const texts = [63, 64, 65, 300].flatMap((n) => ['k'.repeat(n), `${'k'.repeat(n - 1)}\u00e9`, `\u00e9${'k'.repeat(n - 1)}`]);
      await store.transaction((txn) => {
        for (const t of texts) txn.put('a', b(t), b(`v:${t}`));
      });
      for (const t of texts) {
        assert.equal(s(store.get('a', t)), `v:${t}`, `get ${t.length} characters`);
        assert.equal(store.read('a', t, (bytes) => s(bytes)), `v:${t}`);
      }
      assert.equal(store.get('a', 'k'.repeat(62)), undefined);
      assert.equal(store.get('a', `${'k'.repeat(63)}e`), undefined);
      await store.close();
    });

    it('a range without a lower bound starts at the lowest possible key', async () => {
      const store = await factory();
      await store.transaction((txn) => {
        for (const k of [[0], [1], [4, 9], [5]]) txn.put('a', new Uint8Array(k), b('v'));
      });
      const all = (it: Iterable<{ key: Bytes }>): string[] => [...it].map((e) => Buffer.from(e.key).toString('hex'));
      assert.deepEqual(all(store.range('a')), ['00', '01', '0409', '05']);
      assert.deepEqual(all(store.range('a', { reverse: true })), ['05', '0409', '01', '00']);
      assert.deepEqual(all(store.range('a', { lt: new Uint8Array([5]) })), ['00', '01', '0409']);
      await store.close();
    });

    it('walks keys in unsigned byte order (UTF-8 code point order)', async () => {
      const store = await filled(factory);
      assert.deepEqual(keys(store.range('a')), ['a', 'b', 'b\u0000x', 'ba', 'c', 'd', '\u00e9', '\u{1f600}']);
      await store.close();
    });

    it('honours gte/gt/lte/lt bounds, reverse and limit', async () => {
      const store = await filled(factory);
      assert.deepEqual(keys(store.range('a', { gte: b('b'), lt: b('c') })), ['b', 'b\u0000x', 'ba']);
      assert.deepEqual(keys(store.range('a', { gt: b('b'), lte: b('c') })), ['b\u0000x', 'ba', 'c']);
      assert.deepEqual(keys(store.range('a', { gte: b('b'), lt: b('d'), reverse: true })), ['c', 'ba', 'b\u0000x', 'b']);
      assert.deepEqual(keys(store.range('a', { lte: b('c'), reverse: true, limit: 2 })), ['c', 'ba']);
      assert.deepEqual(keys(store.range('a', { lt: b('c'), reverse: true, limit: 1 })), ['ba']);
      assert.deepEqual(keys(store.range('a', { gt: b('c'), limit: 2 })), ['d', '\u00e9']);
      assert.deepEqual(keys(store.range('a', { gte: b('x'), lt: b('b') })), []);
      assert.deepEqual(keys(store.range('a', { limit: 0 })), []);
      assert.deepEqual(keys(store.range('b')), []);
      await store.close();
    });

    it('a borrowed range lends the same entries, each readable until the next step', async () => {
      const store = await filled(factory);
      await store.transaction((txn) => txn.put('a', b('big'), Buffer.alloc(100_000, 7)));
      const expected = [...store.range('a')].map((e): [string, string] => [s(e.key)!, Buffer.from(e.value).toString('hex')]);
      const lent: Array<[string, string]> = [];
      for (const e of store.range('a', { borrow: true })) lent.push([s(e.key)!, Buffer.from(e.value).toString('hex')]);
      assert.deepEqual(lent, expected);
      const reversed: string[] = [];
      for (const e of store.range('a', { borrow: true, reverse: true, limit: 3 })) reversed.push(s(e.key)!);
      assert.deepEqual(reversed, expected.slice(-3).reverse().map(([k]) => k));
      // Borrowing is a read path only: copies handed out before and after are unaffected.
      assert.equal(Buffer.from(store.get('a', b('b'))!).toString('hex'), expected.find(([k]) => k === 'b')![1]);
      await store.close();
    });

    it('a transaction sees its own writes and commits them all', async () => {
      const store = await factory();
      const seen = await store.transaction((txn) => {
        txn.put('a', b('x'), b('1'));
        txn.put('a', b('y'), b('2'));
        txn.del('a', b('x'));
        return { x: s(txn.get('a', b('x'))), y: s(txn.get('a', b('y'))), all: keys(txn.range('a')) };
      });
      assert.deepEqual(seen, { x: undefined, y: '2', all: ['y'] });
      assert.deepEqual(keys(store.range('a')), ['y']);
      await store.close();
    });

    it('a throwing transaction leaves nothing behind, and later ones still work', async () => {
      const store = await factory();
      await store.transaction((txn) => txn.put('a', b('keep'), b('1')));
      await assert.rejects(store.transaction((txn) => {
        txn.put('a', b('lost'), b('1'));
        txn.del('a', b('keep'));
        throw new Error('boom');
      }), /boom/);
      assert.equal(store.get('a', b('lost')), undefined);
      assert.equal(s(store.get('a', b('keep'))), '1');
      await store.transaction((txn) => txn.put('a', b('after'), b('2')));
      assert.equal(s(store.get('a', b('after'))), '2');
      await store.close();
    });

    it('serializes concurrent transactions (read-modify-write never loses an update)', async () => {
      const store = await factory();
      await Promise.all(Array.from({ length: 50 }, () => store.transaction((txn) => {
        const n = Number(s(txn.get('a', b('n'))) ?? '0');
        txn.put('a', b('n'), b(String(n + 1)));
      })));
      assert.equal(s(store.get('a', b('n'))), '50');
      await store.close();
    });

    it('refuses unknown buckets', async () => {
      const store = await factory();
      assert.throws(() => store.get('nope', b('k')), /unknown bucket/);
      await store.close();
    });

    it('after close: reads throw, transactions reject, close is idempotent', async () => {
      const store = await factory();
      await store.close();
      assert.equal(store.isOpen, false);
      assert.throws(() => store.get('a', b('k')), { code: 'STORE_CLOSED' });
      await assert.rejects(store.transaction((txn) => txn.put('a', b('k'), b('v'))), { code: 'STORE_CLOSED' });
      await store.close();
    });

    it('close waits for in-flight transactions', async () => {
      const store = await factory();
      const pending = store.transaction((txn) => txn.put('a', b('k'), b('v')));
      await store.close();
      await pending;
    });

    if (reopen) {
      it('keeps committed data across close and reopen', async () => {
        const store = await filled(factory);
        const again = await reopen(store);
        assert.equal(again.supports.persistent, true);
        assert.deepEqual(keys(again.range('a')).length, 8);
        assert.equal(s(again.get('a', b('ba'))), 'v-ba');
        await again.close();
      });
    }
  });
}
