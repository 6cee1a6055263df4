import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { KoruDelta } from '../../src/index.js';
import { rejectsWith, tmpDir } from '../helpers.js';

const WRITER = new URL('../fixtures/writer.ts', import.meta.url).pathname;

interface Ack {
  fullKey: string;
  versionId: string;
}

/** Runs the writer; resolves with its acks when it exits, or after `killAfter` acks by SIGKILL. */
function runWriter(dbPath: string, mode: string, tag: string, extra: string[] = [], killAfter?: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath, mode, tag, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [, fullKey, versionId] = line.split(' ');
      acks.push({ fullKey, versionId });
      if (killAfter !== undefined && acks.length === killAfter) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) setImmediate(() => resolve(acks));
      else reject(new Error(`writer exited ${code}: ${stderr}`));
    });
  });
}

describe('crash safety (real processes, kill -9)', () => {
  it('every acknowledged write survives kill -9, repeatedly, and the database reopens', async () => {
    const path = join(tmpDir(), 'db');
    const acked: Ack[] = [];
    for (let round = 0; round < 4; round++) {
      acked.push(...(await runWriter(path, 'stream', `r${round}`, [], 150 + round * 170)));
    }
    const db = await KoruDelta.start({ path });
    try {
      const byKey = new Map<string, Set<string>>();
      for (const a of acked) {
        if (!byKey.has(a.fullKey)) byKey.set(a.fullKey, new Set());
        byKey.get(a.fullKey)!.add(a.versionId);
      }
      for (const [fullKey, ids] of byKey) {
        const [ns, key] = fullKey.split('/');
        const history = await db.history(ns, key);
        const present = new Set(history.map((v) => v.versionId));
        for (const id of ids) assert.ok(present.has(id), `acknowledged ${fullKey} ${id} lost`);
        for (let i = 1; i < history.length; i++) assert.equal(history[i].previousVersion, history[i - 1].versionId);
      }
      const report = await db.verify();
      assert.deepEqual(report.issues, []);
      assert.ok(report.versionsChecked >= acked.length);
    } finally {
      await db.close();
    }
  });
});

describe('several processes on one database', () => {
  it('concurrent writers keep one linear chain, increasing timestamps and unique ids', async () => {
    const path = join(tmpDir(), 'db');
    const acks = (await Promise.all(['p1', 'p2', 'p3'].map((tag) => runWriter(path, 'shared', tag, ['120'])))).flat();
    const db = await KoruDelta.start({ path });
    try {
      const h = await db.history('shared', 'counter');
      const present = new Set(h.map((v) => v.versionId));
      assert.deepEqual(acks.filter((a) => !present.has(a.versionId)), [], 'every acknowledged version is in the history');
      assert.equal(acks.length, 360);
      assert.equal(h.length, 360);
      for (let i = 1; i < h.length; i++) {
        assert.equal(h[i].previousVersion, h[i - 1].versionId);
        assert.ok(h[i].timestamp > h[i - 1].timestamp);
      }
      assert.equal(new Set(h.map((v) => v.versionId)).size, 360);
      const froms = new Set(h.map((v) => (v.value as { from: string }).from));
      assert.deepEqual([...froms].sort(), ['p1', 'p2', 'p3']);
      const stats = await db.stats();
      assert.deepEqual([stats.keyCount, stats.totalVersions], [1 + 15, 720]);
      assert.equal(stats.lastSeq, 720);
      assert.equal((await db.verify()).ok, true);
    } finally {
      await db.close();
    }
  });

  it('the hot cache never serves a value another process has replaced or deleted', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path });
    try {
      await db.put('fixtures', 'probe', { n: 0 });
      assert.deepEqual((await db.get('fixtures', 'probe')).value, { n: 0 });
      for (let n = 1; n <= 3; n++) {
        const [ack] = await runWriter(path, 'put', JSON.stringify({ n }));
        const got = await db.get('fixtures', 'probe');
        assert.deepEqual(got.value, { n });
        assert.equal(got.versionId, ack.versionId);
      }
      await runWriter(path, 'delete', '');
      await rejectsWith(db.get('fixtures', 'probe'), 'KEY_NOT_FOUND');
      assert.equal(await db.contains('fixtures', 'probe'), false);
      const mine = await db.put('fixtures', 'probe', 'mine');
      assert.equal((await db.history('fixtures', 'probe')).at(-2)!.deleted, true);
      assert.equal((await db.get('fixtures', 'probe')).versionId, mine.versionId);
    } finally {
      await db.close();
    }
  });

  it('a loop of awaited reads that never yields to the event loop still sees another process\'s write', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path });
    try {
      await db.put('fixtures', 'probe', { n: 0 });
      const marker = join(tmpDir(), 'written');
      const script = `const { KoruDelta } = await import(${JSON.stringify(new URL('../../src/index.ts', import.meta.url).pathname)});
        const db = await KoruDelta.start({ path: process.argv[1] });
        await db.put('fixtures', 'probe', { n: 1 });
        await db.close();
        (await import('node:fs')).writeFileSync(process.argv[2], '');`;
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path, marker], { stdio: 'ignore' });
      // Only microtasks from here on (and synchronous checks of the marker): no event-loop turn ends.
      // Each read follows 3 ms of work, as in a loop that does something with what it reads: the
      // snapshot, once a millisecond old, is renewed within 8 reads, so the ninth read after the
      // acknowledgement sees it.
      const read = async () => {
        const spinUntil = performance.now() + 3;
        while (performance.now() < spinUntil);
        return (await db.get('fixtures', 'probe')).value;
      };
      const deadline = Date.now() + 30_000;
      let seen = await read();
      while (!existsSync(marker) && Date.now() < deadline) seen = await read();
      assert.ok(existsSync(marker), 'the other process did not write in time');
      for (let i = 0; i < 9; i++) seen = await read();
      assert.deepEqual(seen, { n: 1 });
      assert.equal(await db.contains('fixtures', 'probe'), true);
    } finally {
      await db.close();
    }
  });
});
