import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KoruDelta } from '../../src/index.js';
import { rejectsWith, tmpDir, withSmallDisk } from '../helpers.js';

const LIMIT = 512 * 1024;

describe('size limit (mapSizeBytes, lmdb)', () => {
  it('refuses writes with STORAGE_FULL naming the key once the data file reaches the limit, and loses nothing', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path, mapSizeBytes: LIMIT });
    const big = 'x'.repeat(20_000);
    let written = 0;
    let refusal: unknown;
    for (let i = 0; i < 200 && refusal === undefined; i++) {
      await db.put('docs', `k${i}`, { i, big }).then(() => written++, (err) => (refusal = err));
    }
    assert.ok(written > 5, `wrote ${written} before the limit`);
    assert.equal((refusal as { code?: string })?.code, 'STORAGE_FULL');
    assert.match((refusal as Error).message, new RegExp(`docs/k${written}`));
    // The data file stopped near the limit, not at 200 values' worth.
    assert.ok(statSync(join(path, 'data.mdb')).size < LIMIT + 200_000);
    await rejectsWith(db.delete('docs', 'k0'), 'STORAGE_FULL', 'docs/k0');
    await rejectsWith(db.putBatch([{ namespace: 'docs', key: 'a', value: 1 }]), 'STORAGE_FULL', 'docs/a');
    // Everything acknowledged is still there, and reads work.
    assert.deepEqual((await db.get('docs', `k${written - 1}`)).value, { i: written - 1, big });
    assert.equal((await db.stats()).keyCount, written);
    await db.close();
    // A larger limit lets writes continue.
    const again = await KoruDelta.start({ path, mapSizeBytes: 64 * 1024 * 1024 });
    assert.equal((await again.put('docs', 'after', 1)).value, 1);
    assert.equal((await again.stats()).keyCount, written + 1);
    await again.close();
  });
});

describe('size limit: concurrent writes, views, bad limits (lmdb)', () => {
  it('a group of concurrent writes stops near the limit, and views are refused once it is reached', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path, mapSizeBytes: LIMIT });
    const big = 'x'.repeat(20_000);
    const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => db.put('docs', `k${i}`, { i, big })));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.ok(refused.length > 200, `${refused.length} of 300 refused`);
    assert.ok(refused.every((r) => (r.reason as { code?: string }).code === 'STORAGE_FULL'));
    // Estimated, not exact: the file ends near the limit, not at 300 values' worth (6 MB).
    assert.ok(statSync(join(path, 'data.mdb')).size < LIMIT * 1.5, `${statSync(join(path, 'data.mdb')).size} bytes`);
    for (let i = 0; (await db.put('docs', `fill${i}`, { big }).then(() => true, () => false)); i++);
    await rejectsWith(db.createView({ name: 'all', namespace: 'docs' }), 'STORAGE_FULL', 'all');
    await db.close();
  });

  it('a full disk refuses writes with STORAGE_FULL naming the key; the process lives on and reads work', async (t) => {
    await withSmallDisk(t, async (mount) => {
      const db = await KoruDelta.start({ path: join(mount, 'db') });
      const big = 'x'.repeat(20_000);
      let written = 0;
      let refusal: unknown;
      for (let i = 0; i < 400 && refusal === undefined; i++) {
        await db.put('docs', `k${i}`, { i, big }).then(() => written++, (err) => (refusal = err));
      }
      assert.ok(written > 5, `wrote ${written} before the disk filled`);
      assert.equal((refusal as { code?: string })?.code, 'STORAGE_FULL', String(refusal));
      assert.match((refusal as Error).message, new RegExp(`docs/k${written}: the disk holding the database is full`));
      assert.deepEqual((await db.get('docs', 'k0')).value, { i: 0, big });
      await db.close();
      const again = await KoruDelta.start({ path: join(mount, 'db') });
      assert.equal((await again.stats()).keyCount, written, 'every acknowledged write is there');
      await again.close();
    });
  });

  it('refuses a limit that is not a whole number of bytes of at least 64 KiB', async () => {
    for (const mapSizeBytes of [-1, 0, 1.5, 1000, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, '1000000']) {
      await rejectsWith(KoruDelta.start({ path: join(tmpDir(), 'db'), mapSizeBytes: mapSizeBytes as number }), 'INVALID_VALUE', 'mapSizeBytes');
    }
  });
});
