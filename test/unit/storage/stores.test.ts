import { join } from 'node:path';
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
