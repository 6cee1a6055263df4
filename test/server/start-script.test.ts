import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KoruDelta } from '../../src/index.js';
import { tmpDir } from '../helpers.js';
import { call, startScript } from './helpers.js';

describe('npm start (scripts/start.js)', () => {
  it('serves KORU_DB_PATH on PORT with WORKERS processes and stops cleanly on SIGTERM', async () => {
    const dbPath = join(tmpDir('koru-start-'), 'db');
    const server = await startScript(dbPath, { PORT: '0', WORKERS: '2' });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const put = await call(`${server.url}/api/v1/notes/first`, { method: 'PUT', json: { value: { text: 'hello' } } });
    assert.equal(put.status, 200);
    const workers = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const got = await call(`${server.url}/api/v1/notes/first`, { headers: { connection: 'close' } });
      assert.deepEqual(got.body.value, { text: 'hello' });
      workers.add(got.headers.get('x-koru-worker') ?? '');
    }
    assert.equal(workers.size, 2, 'both workers answered');
    assert.equal(await server.stop('SIGTERM'), 0);
    const db = await KoruDelta.start({ path: dbPath });
    assert.deepEqual((await db.get('notes', 'first')).value, { text: 'hello' });
    await db.close();
  });
});
