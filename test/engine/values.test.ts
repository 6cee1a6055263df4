import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { STORES, openDb, rejectsWith } from '../helpers.js';

const ROUND_TRIP: Array<[string, unknown]> = [
  ['object', { a: 1, nested: { deep: [1, { x: null }] } }],
  ['array', [1, 'two', false, null, [], {}]],
  ['string with NUL, emoji, combining marks and RTL', 'a\u0000b 😀 é \u05e9\u05dc\u05d5\u05dd \u202e'],
  ['empty string', ''],
  ['large number', 1e308],
  ['small number', -5e-324],
  ['float', 0.1 + 0.2],
  ['integer beyond 2^53', 2 ** 60],
  ['true', true],
  ['false', false],
  ['null', null],
  ['key named __proto__', JSON.parse('{"__proto__":{"polluted":true},"ok":1}')],
];

for (const kind of STORES) {
  describe(`values (${kind})`, () => {
    for (const [name, value] of ROUND_TRIP) {
      it(`round-trips ${name}`, async () => {
        const db = await openDb(kind);
        await db.put('v', 'k', value);
        assert.deepEqual((await db.get('v', 'k')).value, value);
        assert.deepEqual((await db.history('v', 'k'))[0].value, value);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });
    }

    it('takes values as JSON: toJSON is honoured (a Date is stored as its ISO string)', async () => {
      const db = await openDb(kind);
      const when = new Date('2026-01-02T03:04:05.678Z');
      await db.put('v', 'k', { when, custom: { toJSON: () => ({ shaped: true }) } });
      assert.deepEqual((await db.get('v', 'k')).value, { when: '2026-01-02T03:04:05.678Z', custom: { shaped: true } });
    });

    it('stores boxed primitives as JSON.stringify does: value, content hash and stored bytes agree', async () => {
      // No cache: every read below comes from the stored bytes.
      const db = await openDb(kind, { cache: { maxEntries: 0 } });
      const boxed = { s: new String('hi'), n: new Number(42), b: new Boolean(true), f: new Boolean(false), in: [new Number(-0.5)] };
      const expected = { b: true, f: false, in: [-0.5], n: 42, s: 'hi' };
      assert.equal(JSON.stringify(boxed, Object.keys(boxed).sort()), JSON.stringify(expected));
      const cases: Array<[string, unknown, unknown]> = [['obj', boxed, expected], ['num', new Number(42), 42], ['str', new String('x'), 'x'], ['bool', new Boolean(false), false]];
      for (const [key, value, want] of cases) {
        const v = await db.put('v', key, value);
        assert.deepEqual(v.value, want, key);
        assert.equal(v.contentHash, createHash('sha256').update(JSON.stringify(want)).digest('hex'), key);
        assert.deepEqual((await db.get('v', key)).value, want, key);
        assert.deepEqual((await db.history('v', key))[0].value, want, key);
      }
      const exported = [];
      for await (const r of db.exportVersions()) exported.push([r.key, r.value]);
      assert.deepEqual(exported, cases.map(([key, , want]) => [key, want]));
      assert.equal((await db.verify()).ok, true);
    });

    const BAD: Array<[string, unknown, string]> = [
      ['undefined', undefined, '$'],
      ['a function', { f: () => 1 }, '$.f'],
      ['a symbol', [Symbol('s')], '$[0]'],
      ['a BigInt', { n: 1n }, '$.n'],
      ['NaN', { items: [{}, {}, {}, { price: NaN }] }, '$.items[3].price'],
      ['Infinity', { x: { 'a b': Infinity } }, '$.x["a b"]'],
      ['undefined inside', { a: undefined }, '$.a'],
      // JSON.stringify would store these as {}, losing every entry.
      ['a Map', { tags: new Map([['a', 1]]) }, 'a Map at $.tags'],
      ['a Set', [1, new Set([2])], 'a Set at $[1]'],
      // Boxed, each is refused as the primitive it holds would be.
      ['a boxed NaN', { n: new Number(NaN) }, 'NaN at $.n'],
      ['a boxed Infinity', [new Number(-Infinity)], '-Infinity at $[0]'],
      ['a boxed BigInt', { n: Object(1n) }, 'a BigInt at $.n'],
      ['a boxed BigInt at the root', Object(2n), 'a BigInt at $'],
      // JSON.stringify would write {} for it.
      ['a boxed symbol', { s: Object(Symbol('x')) }, 'a symbol at $.s'],
      ['a boxed symbol at the root', Object(Symbol('y')), 'a symbol at $'],
    ];
    for (const [name, value, path] of BAD) {
      it(`refuses ${name} with INVALID_VALUE naming ${path}`, async () => {
        const db = await openDb(kind);
        await rejectsWith(db.put('v', 'k', value), 'INVALID_VALUE', path);
        await rejectsWith(db.put('v', 'k', value), 'INVALID_VALUE', 'v/k');
        assert.equal(await db.contains('v', 'k'), false);
      });
    }

    it("refuses a value whose getter, toJSON or proxy trap throws with INVALID_VALUE at its path, the caller's error as cause", async () => {
      const db = await openDb(kind);
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      const cases: Array<[string, () => unknown, string, string]> = [
        ['getter', () => ({ ok: 1, get a() { throw new Error('boom'); } }), '$.a', 'boom'],
        ['toJSON', () => ({ x: [1, { toJSON() { throw new Error('no json'); } }] }), '$.x[1]', 'no json'],
        ['revoked proxy', () => ({ p: revoked.proxy }), '$.p', 'revoked'],
        ['ownKeys trap', () => [{ q: new Proxy({}, { ownKeys() { throw new Error('no keys'); } }) }], '$[0].q', 'no keys'],
        ['throw of a non-Error', () => ({ deep: { done: [1] }, get z() { throw 'plain'; } }), '$.z', 'plain'],
      ];
      for (const [name, make, path, message] of cases) {
        const check = (err: unknown): boolean => {
          const e = err as { code?: string; path?: string; message: string; cause?: unknown };
          assert.equal(e.code, 'INVALID_VALUE', `${name}: ${e.message}`);
          assert.equal(e.path, path, name);
          assert.ok(e.message.includes(`v/k: reading ${path} threw`) && e.message.includes(message), e.message);
          assert.ok(e.cause !== undefined, name);
          return true;
        };
        await assert.rejects(db.put('v', 'k', make()), check);
        await assert.rejects(db.putBatch([{ namespace: 'v', key: 'ok', value: 1 }, { namespace: 'v', key: 'k', value: make() }]), check);
      }
      assert.equal(await db.contains('v', 'k'), false);
      assert.equal(await db.contains('v', 'ok'), false);
      // An imported version's value goes through the same walk.
      await db.put('v', 'src', { a: 1 });
      const records = [];
      for await (const r of db.exportVersions()) records.push(r);
      const dst = await openDb(kind);
      const record = { ...records[0], value: { get a(): number { throw new Error('boom'); } } };
      await assert.rejects(dst.importVersions([record]), { code: 'INVALID_VALUE', path: '$.a' });
    });

    it('refuses cycles', async () => {
      const db = await openDb(kind);
      const a: Record<string, unknown> = { b: {} };
      (a.b as Record<string, unknown>).back = a;
      await rejectsWith(db.put('v', 'k', a), 'INVALID_VALUE', '$.b.back');
      const shared = { s: 1 };
      await db.put('v', 'ok', { x: shared, y: shared });
    });

    it('accepts 512 levels of nesting and refuses deeper values with INVALID_VALUE', async () => {
      const db = await openDb(kind);
      const nest = (depth: number): unknown => {
        let v: unknown = 1;
        for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
        return v;
      };
      const ok = await db.put('v', 'deep', nest(512));
      assert.deepEqual((await db.get('v', 'deep')).value, ok.value);
      await rejectsWith(db.put('v', 'deeper', nest(513)), 'INVALID_VALUE', 'nested deeper than 512 levels');
      await rejectsWith(db.put('v', 'deeper', nest(200_000)), 'INVALID_VALUE', 'v/deeper');
      assert.equal(await db.contains('v', 'deeper'), false);
    });

    it('refuses values over the configured limit with VALUE_TOO_LARGE', async () => {
      const db = await openDb(kind, { maxValueBytes: 1000 });
      await rejectsWith(db.put('v', 'big', 'x'.repeat(1000)), 'VALUE_TOO_LARGE', 'v/big');
      await db.put('v', 'fits', 'x'.repeat(990));
      assert.equal(await db.contains('v', 'big'), false);
    });

    it('stores and reads a value near the 16 MiB default limit', async () => {
      const db = await openDb(kind);
      const big = { blob: 'y'.repeat(16 * 1024 * 1024 - 20) };
      await db.put('v', 'big', big);
      assert.equal(((await db.get('v', 'big')).value as { blob: string }).blob.length, big.blob.length);
      await rejectsWith(db.put('v', 'too', 'z'.repeat(16 * 1024 * 1024)), 'VALUE_TOO_LARGE');
    });
  });

  describe(`names (${kind})`, () => {
    const BAD_NS = ['', '_internal', 'has space', 'a/b', 'x'.repeat(65), 'é', 'status', 'views', '.', '..'];
    for (const ns of BAD_NS) {
      it(`refuses namespace ${JSON.stringify(ns.slice(0, 20))}`, async () => {
        const db = await openDb(kind);
        await rejectsWith(db.put(ns, 'k', 1), 'INVALID_NAMESPACE');
        await rejectsWith(db.get(ns, 'k'), 'INVALID_NAMESPACE');
        await rejectsWith(db.listKeys(ns), 'INVALID_NAMESPACE');
      });
    }

    const BAD_KEYS = ['', 'a\u0000b', 'tab\there', 'line\nbreak', '\u0085', 'x'.repeat(513), 'é'.repeat(257), '\ud800'];
    for (const key of BAD_KEYS) {
      it(`refuses key ${JSON.stringify(key.slice(0, 12))}`, async () => {
        const db = await openDb(kind);
        await rejectsWith(db.put('ns', key, 1), 'INVALID_KEY', 'ns');
      });
    }

    it('accepts names at the limits and keys with / : spaces and unicode', async () => {
      const db = await openDb(kind);
      const ns = 'A-z_0.9' + 'n'.repeat(57);
      for (const key of ['files/a/b.txt', 'urn:x:y', 'with space', '日本語', 'x'.repeat(512), '😀'.repeat(128)]) {
        await db.put(ns, key, key);
        assert.equal((await db.get(ns, key)).value, key);
      }
      assert.equal((await db.listKeys(ns)).length, 6);
    });

    it('lists namespaces and keys sorted by code point; unknown namespace → []', async () => {
      const db = await openDb(kind);
      for (const [ns, key] of [['b', 'z'], ['B', 'a'], ['a', '\u{1f600}'], ['a', '\uffff'], ['a', 'Z'], ['a', 'a'], ['a-b', 'k']]) {
        await db.put(ns, key, 1);
      }
      assert.deepEqual(await db.listNamespaces(), ['B', 'a', 'a-b', 'b']);
      assert.deepEqual(await db.listKeys('a'), ['Z', 'a', '\uffff', '\u{1f600}']);
      assert.deepEqual(await db.listKeys('unknown'), []);
      const s = await db.stats();
      assert.deepEqual([s.keyCount, s.namespaceCount], [7, 4]);
    });
  });
}
