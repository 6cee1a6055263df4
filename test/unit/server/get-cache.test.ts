import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KoruDelta } from '../../../src/index.js';
import { GetCache } from '../../../src/server/get-cache.js';

const URL_A = '/api/v1/users/alice';
const valueOf = (body: { body: Buffer } | undefined) => (body === undefined ? undefined : JSON.parse(body.body.toString('utf8')).value);

describe('GetCache', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('drops a body once this process commits, even within the same turn', async () => {
    // The memory store commits within microtasks, so the put below lands in the turn of the
    // previous check: only the commit notification tells the cache its snapshot moved.
    const db = await KoruDelta.start();
    const cache = new GetCache(db, 1 << 20);
    db.onCommit(() => cache.committed());
    await db.put('users', 'alice', 1);
    assert.equal(valueOf(await cache.body('users', 'alice', URL_A)), 1);
    assert.equal(valueOf(cache.current(URL_A)), 1);
    await db.put('users', 'alice', 2);
    assert.equal(cache.current(URL_A), undefined);
    assert.equal(valueOf(await cache.body('users', 'alice', URL_A)), 2);
    await db.delete('users', 'alice');
    assert.equal(cache.current(URL_A), undefined);
    await assert.rejects(cache.body('users', 'alice', URL_A), { code: 'KEY_NOT_FOUND' });
    await db.close();
  });

  it('keeps a body across commits to other keys, and drops it when another process writes its key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koru-getcache-'));
    dirs.push(dir);
    const db = await KoruDelta.start({ path: dir });
    const cache = new GetCache(db, 1 << 20);
    db.onCommit(() => cache.committed());
    await db.put('users', 'alice', 1);
    const first = await cache.body('users', 'alice', URL_A);
    await db.put('users', 'bob', 1);
    assert.equal(cache.current(URL_A), first);
    // A second handle on the same directory stands for another process: its commits reach this
    // one only through the store.
    const other = await KoruDelta.start({ path: dir });
    try {
      await other.put('users', 'alice', 2);
    } finally {
      await other.close();
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(cache.current(URL_A), undefined);
    assert.equal(valueOf(await cache.body('users', 'alice', URL_A)), 2);
    await db.close();
  });
});
