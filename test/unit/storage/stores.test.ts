import { join } from 'node:path';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { LmdbStore, MemoryStore, type Store } from '../../../src/storage/index.js';
import { storeSuite } from '../../conformance/store/suite.js';
import { tmpDir } from '../../helpers.js';

const BUCKETS = ['a', 'b'];

storeSuite({ name: 'MemoryStore', factory: async () => new MemoryStore(BUCKETS) });

storeSuite({
  name: 'LmdbStore',
  factory: async () => new LmdbStore({ path: join(tmpDir(), 'db'), buckets: BUCKETS }),
  reopen: async (store: Store) => {
    const path = (store as LmdbStore).path;
    await store.close();
    return new LmdbStore({ path, buckets: BUCKETS });
  },
});

it('LmdbStore opens a directory whose name contains a dot', async () => {
  const store = new LmdbStore({ path: join(tmpDir(), 'data.db'), buckets: BUCKETS });
  await store.transaction((txn) => txn.put('a', Buffer.from('k'), Buffer.from('v')));
  assert.equal(Buffer.from(store.get('a', Buffer.from('k'))!).toString(), 'v');
  await store.close();
});
