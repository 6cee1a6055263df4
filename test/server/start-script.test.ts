import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
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

  it('stops the server when `npm start` itself gets SIGTERM, as a process manager sends it', async () => {
    const dbPath = join(tmpDir('koru-start-'), 'db');
    // npm → sh → scripts/start.js → kdelta serve, in a process group of its own so nothing outlives the test.
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, KORU_DB_PATH: dbPath, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    after(() => {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch { /* already gone */ }
    });
    let out = '';
    npm.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      npm.stdout.on('data', (chunk: string) => {
        out += chunk;
        const m = /Listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      npm.on('exit', () => reject(new Error(`npm start exited before listening: ${out}`)));
    });
    assert.equal((await call(`${url}/api/v1/notes/k`, { method: 'PUT', json: { value: 1 } })).status, 200);
    npm.kill('SIGTERM');
    await once(npm, 'exit');
    // The server is gone within a few seconds (it shut down; it was not left serving).
    let stopped = false;
    for (let i = 0; i < 50 && !stopped; i++) {
      try {
        await fetch(`${url}/health`);
        await new Promise((r) => setTimeout(r, 200));
      } catch {
        stopped = true;
      }
    }
    assert.ok(stopped, `the server at ${url} still answers after npm start got SIGTERM`);
    // A clean stop: the database opens with the write in it.
    const db = await KoruDelta.start({ path: dbPath });
    assert.deepEqual((await db.get('notes', 'k')).value, 1);
    await db.close();
  });
});
