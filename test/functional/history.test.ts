import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FilteredHistoryOptions, VersionedValue } from '../../src/index.js';
import { STORES, openDb } from '../helpers.js';

const values = (vs: VersionedValue[]) => vs.map((v) => v.value);

for (const kind of STORES) {
  describe(`db.history with filter (${kind})`, () => {
    async function seeded() {
      const db = await openDb(kind);
      for (let n = 1; n <= 5; n++) await db.put('h', 'k', { n });
      return db;
    }

    it('latest and limit choose among the versions that match the filter', async () => {
      const db = await seeded();
      const CASES: Array<[FilteredHistoryOptions, number[]]> = [
        [{ filter: 'n <= 2', latest: 1 }, [2]],
        [{ filter: 'n <= 2', latest: 5 }, [1, 2]],
        [{ filter: 'n >= 4', limit: 1 }, [4]],
        [{ filter: 'n >= 2', latest: 3, limit: 2 }, [3, 4]],
        [{ filter: { field: 'n', op: 'ne', value: 3 }, latest: 2 }, [4, 5]],
        [{ filter: 'n >= 2', limit: 0 }, []],
        [{ filter: 'n >= 2', latest: 0 }, []],
        [{ filter: 'n > 9', latest: 1 }, []],
      ];
      for (const [options, expected] of CASES) {
        assert.deepEqual(values(await db.history('h', 'k', options)), expected.map((n) => ({ n })), JSON.stringify(options));
      }
    });

    it('from/to bound the versions the filter sees; tombstones never match', async () => {
      const db = await seeded();
      const all = await db.history('h', 'k');
      await db.delete('h', 'k');
      await db.put('h', 'k', { n: 1 });
      const range = { from: all[1].timestamp, to: all[3].timestamp };
      assert.deepEqual(values(await db.history('h', 'k', { ...range, filter: 'n >= 1', latest: 2 })), [{ n: 3 }, { n: 4 }]);
      assert.deepEqual(values(await db.history('h', 'k', { ...range, filter: 'n >= 1', limit: 1 })), [{ n: 2 }]);
      // The newest versions are the tombstone and a repeated value: each matching value is its own copy.
      const newest = await db.history('h', 'k', { filter: 'n = 1', latest: 5 });
      assert.deepEqual(values(newest), [{ n: 1 }, { n: 1 }]);
      assert.notEqual(newest[0].value, newest[1].value);
      assert.deepEqual(values(await db.history('h', 'k', { latest: 2 })), [null, { n: 1 }]);
    });

    it('bad options reject with a coded error naming the key', async () => {
      const db = await seeded();
      const BAD: Array<[FilteredHistoryOptions, string, string]> = [
        [{ filter: 'n >' }, 'INVALID_QUERY', 'history.filter'],
        [{ filter: { field: 'n', op: 'nope' } as unknown as FilteredHistoryOptions['filter'] }, 'INVALID_QUERY', 'history.filter.op'],
        [{ latest: -1 }, 'INVALID_QUERY', 'history.latest'],
        [{ limit: 1.5 }, 'INVALID_QUERY', 'history.limit'],
        [{ limit: '2' as unknown as number }, 'INVALID_QUERY', 'history.limit'],
        [{ from: 'x' }, 'INVALID_TIME', 'history.from'],
        [{ to: 'soon', filter: 'n > 1' }, 'INVALID_TIME', 'history.to'],
      ];
      for (const [options, code, where] of BAD) {
        const err = await db.history('h', 'k', options).then(
          () => assert.fail(`resolved for ${JSON.stringify(options)}`),
          (e: { code: string; message: string; namespace?: string; key?: string }) => e,
        );
        assert.equal(err.code, code, err.message);
        assert.ok(err.message.includes(where) && err.message.includes('h/k'), err.message);
        assert.deepEqual([err.namespace, err.key], ['h', 'k'], err.message);
      }
    });
  });
}
