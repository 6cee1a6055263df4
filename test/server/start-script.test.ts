import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
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

  for (const [how, stop] of [
    ['npm start itself gets SIGTERM, as a process manager sends it', (npm: ChildProcess) => npm.kill('SIGTERM')],
    ['its whole process group gets SIGINT, as Ctrl-C in a terminal sends it', (npm: ChildProcess) => process.kill(-npm.pid!, 'SIGINT')],
  ] as const) {
    it(`stops the server cleanly when ${how}, finishing a write still being uploaded`, async () => {
      const dbPath = join(tmpDir('koru-start-'), 'db');
      const { npm, url } = await npmStart(dbPath);
      assert.equal((await call(`${url}/api/v1/notes/k`, { method: 'PUT', json: { value: 1 } })).status, 200);
      // The shutdown waits for this write for 1.5 s: one signal reaches the server, and a second
      // one (which means "stop now") must not, whether sent again or by another route.
      const slow = slowPut(url, '/api/v1/notes/slow', '{"value": ', '"late"}');
      await new Promise((r) => setTimeout(r, 200));
      stop(npm);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await slow.finish(), 200);
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
      assert.ok(stopped, `the server at ${url} still answers`);
      const db = await KoruDelta.start({ path: dbPath });
      assert.deepEqual((await db.get('notes', 'k')).value, 1);
      assert.deepEqual((await db.get('notes', 'slow')).value, 'late');
      await db.close();
    });
  }
});

/** `npm start` on `dbPath` and a free port: npm → sh → scripts/start.js → kdelta serve. */
async function npmStart(dbPath: string): Promise<{ npm: ChildProcess; url: string }> {
  // In a process group of its own, so a signal can go to the whole group and nothing outlives the test.
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
  npm.stdout!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    npm.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = /Listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    npm.on('exit', () => reject(new Error(`npm start exited before listening: ${out}`)));
  });
  return { npm, url };
}

/** A PUT whose body is sent in two parts: `first` now, `rest` on `finish()`, which resolves with the status. */
function slowPut(url: string, path: string, first: string, rest: string): { finish(): Promise<number> } {
  const { hostname, port } = new URL(url);
  const req = request({ host: hostname, port, method: 'PUT', path, headers: { 'content-type': 'application/json' } });
  const answered = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.write(first);
  return {
    finish() {
      req.end(rest);
      return answered;
    },
  };
}
