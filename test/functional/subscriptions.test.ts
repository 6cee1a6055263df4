import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KoruDelta, type ChangeEvent } from '../../src/index.js';
import { STORES, openDb, tmpDir } from '../helpers.js';

const WRITER = new URL('../fixtures/writer.ts', import.meta.url).pathname;

for (const kind of STORES) {
  describe(`subscriptions (${kind})`, () => {
    it('with room(), delivers nothing while there is no room and reads on from the log after resume()', async () => {
      const db = await openDb(kind);
      const seen: number[] = [];
      let room = 2;
      const sub = db.subscribe({ namespace: 'r' }, (e) => {
        seen.push(e.seq);
        room--;
      }, { room: () => room });
      for (let i = 0; i < 5; i++) await db.put('r', `k${i}`, i);
      assert.deepEqual(seen, [1, 2], 'two delivered, then no room');
      room = 10;
      sub.resume();
      const deadline = Date.now() + 5_000;
      while (seen.length < 5 && Date.now() < deadline) await sleep(10);
      assert.deepEqual(seen, [1, 2, 3, 4, 5]);
      await db.put('r', 'live', 1);
      assert.deepEqual(seen, [1, 2, 3, 4, 5, 6], 'live again once caught up');
      sub.unsubscribe();
      await db.close();
    });

    it('delivers every write path synchronously, in commit order, before the write resolves', async () => {
      const db = await openDb(kind);
      const seen: ChangeEvent[] = [];
      db.subscribe({}, (e) => void seen.push(e));
      const v1 = await db.put('s', 'a', { n: 1 });
      assert.equal(seen.length, 1);
      const v2 = await db.put('s', 'a', { n: 2 });
      await db.putBatch([{ namespace: 's', key: 'b', value: 1 }, { namespace: 't', key: 'c', value: 2 }]);
      await db.delete('s', 'a');
      assert.deepEqual(seen.map((e) => [e.changeType, e.namespace, e.key]), [
        ['insert', 's', 'a'], ['update', 's', 'a'], ['insert', 's', 'b'], ['insert', 't', 'c'], ['delete', 's', 'a'],
      ]);
      assert.deepEqual(seen.map((e) => e.seq), [1, 2, 3, 4, 5]);
      assert.deepEqual(seen[1], {
        seq: 2, changeType: 'update', namespace: 's', key: 'a', value: { n: 2 }, previousValue: { n: 1 },
        versionId: v2.versionId, previousVersionId: v1.versionId, timestamp: v2.timestamp,
      });
      assert.deepEqual([seen[4].value, seen[4].previousValue, seen[0].previousValue, seen[0].previousVersionId], [null, { n: 2 }, null, null]);
    });

    it('50 rapid writes → 50 events; 3 subscribers each get all; namespace and type filters hold', async () => {
      const db = await openDb(kind);
      const all: ChangeEvent[][] = [[], [], []];
      for (const list of all) db.subscribe({ namespace: 'fast' }, (e) => void list.push(e));
      const inserts: ChangeEvent[] = [];
      db.subscribe({ changeTypes: ['insert'] }, (e) => void inserts.push(e));
      const filtered: ChangeEvent[] = [];
      db.subscribe({ namespace: 'fast', filter: 'n >= 45' }, (e) => void filtered.push(e));
      const keyOnly: ChangeEvent[] = [];
      db.subscribe({ namespace: 'fast', key: 'k7' }, (e) => void keyOnly.push(e));
      await Promise.all(Array.from({ length: 50 }, (_, i) => db.put('fast', `k${i}`, { n: i })));
      await db.put('slow', 'x', 1);
      await db.put('fast', 'k1', { n: 1 });
      for (const list of all) assert.deepEqual(list.map((e) => e.key), [...Array.from({ length: 50 }, (_, i) => `k${i}`), 'k1']);
      assert.equal(inserts.length, 51);
      assert.deepEqual(filtered.map((e) => e.key), ['k45', 'k46', 'k47', 'k48', 'k49']);
      assert.deepEqual(keyOnly.map((e) => e.key), ['k7']);
    });

    it('isolates throwing and slow listeners; unsubscribe and unknown ids', async () => {
      const db = await openDb(kind);
      const good: number[] = [];
      const warnings: string[] = [];
      const onWarning = (w: Error) => void warnings.push(w.message);
      process.on('warning', onWarning);
      db.subscribe({}, () => { throw new Error('listener bug'); });
      db.subscribe({}, () => new Promise((r) => setTimeout(r, 1000)));
      const sub = db.subscribe({}, (e) => void good.push(e.seq));
      await db.put('x', 'a', 1);
      await db.put('x', 'a', 2);
      assert.deepEqual(good, [1, 2]);
      sub.unsubscribe();
      await sub.ended;
      await db.put('x', 'a', 3);
      assert.deepEqual(good, [1, 2]);
      assert.throws(() => db.unsubscribe(sub.id), { code: 'SUBSCRIPTION_NOT_FOUND' });
      assert.throws(() => db.unsubscribe('no-such-id'), { code: 'SUBSCRIPTION_NOT_FOUND' });
      await sleep(5);
      process.off('warning', onWarning);
      assert.ok(warnings.some((w) => w.includes('listener bug')));
    });

    it('since: a seq replays after it, a time from it, then continues live with no gap or duplicate', async () => {
      const db = await openDb(kind);
      const vs = [];
      for (let i = 0; i < 10; i++) vs.push(await db.put('r', `k${i}`, i));
      const fromSeq: number[] = [];
      db.subscribe({ since: 4 }, (e) => void fromSeq.push(e.seq));
      const fromTime: number[] = [];
      db.subscribe({ since: vs[7].timestamp }, (e) => void fromTime.push(e.seq));
      const it = db.watch({ since: 8 });
      await db.put('r', 'k10', 10);
      await sleep(20);
      await db.put('r', 'k11', 11);
      assert.deepEqual(fromSeq, [5, 6, 7, 8, 9, 10, 11, 12]);
      assert.deepEqual(fromTime, [8, 9, 10, 11, 12]);
      const got = [];
      for await (const e of it) {
        got.push(e.seq);
        if (e.seq === 12) break;
      }
      assert.deepEqual(got, [9, 10, 11, 12]);
    });

    it('a watch iterator that falls behind, even by one commit larger than its buffer, reads the rest from the log', async () => {
      const db = await openDb(kind, { events: { maxBuffered: 5 } } as never);
      const it = db.watch({});
      for (let i = 0; i < 8; i++) await db.put('o', `k${i}`, i);
      await db.putBatch(Array.from({ length: 20 }, (_, i) => ({ namespace: 'o', key: `b${i}`, value: i })));
      const seqs: number[] = [];
      for await (const e of it) {
        seqs.push(e.seq);
        if (e.seq === 28) break;
      }
      assert.deepEqual(seqs, Array.from({ length: 28 }, (_, i) => i + 1), 'every change once, in order, no overflow');
    });

    it('since a time replays only the changes at or after it, also once older versions were imported', async () => {
      const source = await openDb(kind);
      await source.putBatch(Array.from({ length: 30 }, (_, i) => ({ namespace: 'old', key: `o${i}`, value: i })));
      const exported = [];
      for await (const r of source.exportVersions()) exported.push(r);
      const db = await openDb(kind);
      await db.put('new', 'before', 1);
      await sleep(5);
      const t = new Date();
      await sleep(5);
      await db.put('new', 'after1', 1);
      await db.put('new', 'after2', 2);
      await db.importVersions(exported); // older versions, logged after the ones above
      const replayed: string[] = [];
      const sub = db.subscribe({ since: t }, (e) => void replayed.push(e.key));
      await sleep(50);
      await db.importVersions(exported.slice(0, 0)); // nothing
      await db.put('new', 'live', 3);
      sub.unsubscribe();
      assert.deepEqual(replayed, ['after1', 'after2', 'live']);
    });

    it('a seq past the last change is refused: it would swallow the changes to come (epoch ms is no seq)', async () => {
      const db = await openDb(kind);
      await db.put('s', 'a', 1);
      assert.throws(() => db.subscribe({ since: 2 }, () => undefined), { code: 'INVALID_QUERY', message: /since: 2 is past the last change \(seq 1\)/ });
      assert.throws(() => db.watch({ since: Date.now() }), { code: 'INVALID_QUERY' });
      db.subscribe({ since: 1 }, () => undefined).unsubscribe();
    });
  });
}

describe('change feed across processes and restarts (lmdb)', () => {
  it('sees another process\'s writes within a second, and resumes after a restart', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path });
    await db.put('fixtures', 'probe', 'mine');
    const events: ChangeEvent[] = [];
    const first = db.subscribe({ namespace: 'fixtures' }, (e) => void events.push(e));
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, 'put', '{"from":"child"}'], { stdio: 'ignore' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
    });
    const deadline = Date.now() + 1000;
    while (events.length === 0 && Date.now() < deadline) await sleep(20);
    assert.equal(events.length, 1, 'the other process\'s write arrived within a second');
    assert.deepEqual([events[0].seq, events[0].changeType, events[0].value, events[0].previousValue], [2, 'update', { from: 'child' }, 'mine']);
    // A subscription without since starts now: another process's earlier write is not news to it
    // (made while nobody here listened, so this process has not polled it yet).
    first.unsubscribe();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, 'put', '{"from":"child 2"}'], { stdio: 'ignore' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
    });
    const fresh: number[] = [];
    const late = db.subscribe({}, (e) => void fresh.push(e.seq));
    await sleep(500);
    late.unsubscribe();
    assert.deepEqual(fresh, []);
    await db.close();
    const again = await KoruDelta.start({ path });
    const replay: number[] = [];
    again.subscribe({ since: 1 }, (e) => void replay.push(e.seq));
    await again.put('fixtures', 'probe', 'third');
    await sleep(20);
    assert.deepEqual(replay, [2, 3, 4]);
    await again.close();
  });
});

describe('a watch loop keeps its process up (lmdb)', () => {
  it('a script whose last statement is a watch loop waits for another process\'s write', async () => {
    const path = join(tmpDir(), 'db');
    const seed = await KoruDelta.start({ path });
    await seed.put('fixtures', 'seed', 0);
    await seed.close();
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, 'watch', ''], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (!out.includes('watching')) await sleep(20);
    await sleep(700); // the watcher would have exited by now if nothing held it
    const db = await KoruDelta.start({ path });
    await db.put('fixtures', 'late', 1);
    await db.close();
    assert.equal(await exited, 0);
    assert.match(out, /event late/);
  });
});

describe('closing with writes in flight', () => {
  it('delivers events and maintains auto views for writes still in flight at close', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path });
    await db.createView({ name: 'all', namespace: 'c', autoRefresh: true });
    const seen: number[] = [];
    db.subscribe({}, (e) => void seen.push(e.seq));
    const writes = Array.from({ length: 20 }, (_, i) => db.put('c', `k${i}`, i));
    await db.close();
    await Promise.all(writes);
    assert.equal(seen.length, 20);
    const again = await KoruDelta.start({ path });
    assert.equal((await again.queryView('all')).totalCount, 20);
    await again.close();
  });
});
