import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUCKETS } from '../../src/engine/keys.js';
import type { ExportRecord, VerifyReport } from '../../src/index.js';
import { LmdbStore } from '../../src/storage/lmdb-store.js';
import { damage as damageStore } from '../helpers.js';
import { fails, json, kdelta, ok, onDb, tmpDb, tmpDir } from './helpers.js';

/** Flips stored bytes of one bucket the way disk damage would (same length, so the record still decodes). */
async function damage(path: string, bucket: string, from: string, to: string): Promise<number> {
  const store = new LmdbStore({ path, buckets: BUCKETS });
  try {
    return await damageStore(store, bucket, from, to);
  } finally {
    await store.close();
  }
}

function lines(text: string): ExportRecord[] {
  return text.trim().split('\n').map((l) => JSON.parse(l) as ExportRecord);
}

describe('kdelta export / import / verify', () => {
  it('exports full history as NDJSON, imports it exactly, and re-importing adds nothing', async () => {
    const dir = tmpDir();
    const src = onDb(join(dir, 'src'));
    const dst = onDb(join(dir, 'dst'));
    ok(await src('set', 'users/alice', '{"v":1}'));
    ok(await src('set', 'users/alice', '{"v":2}'));
    ok(await src('set', 'users/bob', '"b"'));
    ok(await src('delete', 'users/bob'));
    const file = join(dir, 'backup.ndjson');
    const [toStdout, toFile, snapshotJson] = await Promise.all([src('export'), src('export', file), src('export', '--at', '0s ago', '--json')]);
    const records = lines(ok(toStdout));
    assert.equal(ok(toFile), `OK\n  Exported: 4 versions\n  File: ${file}\n`);
    assert.deepEqual(lines(readFileSync(file, 'utf8')), records);
    assert.deepEqual(records.map((r) => [r.key, r.deleted]), [['alice', false], ['alice', false], ['bob', false], ['bob', true]]);
    assert.equal(records[1].previousVersion, records[0].versionId);
    assert.ok(records.every((r) => typeof r.origin === 'string' && Array.isArray(r.parents)));
    // A snapshot holds the live versions only.
    assert.deepEqual(lines(ok(snapshotJson)).map((r) => [r.key, r.value]), [['alice', { v: 2 }]]);

    assert.equal(ok(await dst('import', file)), 'OK\n  Imported: 4 versions\n  Skipped: 0 (already present)\n');
    assert.deepEqual(json(await dst('import', file, '--json')), { imported: 0, skipped: 4 });
    const [again, srcLog, dstLog] = await Promise.all([dst('export'), src('log', 'users/bob', '--json'), dst('log', 'users/bob', '--json')]);
    assert.deepEqual(lines(ok(again)), records);
    assert.deepEqual(json(dstLog), json(srcLog));
    // stdin works too.
    const fromStdin = await kdelta(['-d', join(dir, 'stdin'), 'import', '-', '--json'], { input: ok(toStdout) });
    assert.deepEqual(json(fromStdin), { imported: 4, skipped: 0 });
    // One version is "1 version".
    const single = join(dir, 'one.ndjson');
    writeFileSync(single, `${JSON.stringify(records[0])}\n`);
    assert.equal(ok(await onDb(join(dir, 'one'))('import', single)), 'OK\n  Imported: 1 version\n  Skipped: 0 (already present)\n');
    assert.match(ok(await onDb(join(dir, 'one'))('export', join(dir, 'one-out.ndjson'))), /^OK\n {2}Exported: 1 version\n/);
  });

  it('import rejects a missing file, a malformed line and a value that does not match its hash', async () => {
    const dir = tmpDir();
    const k = onDb(tmpDb());
    const src = onDb(join(dir, 'src'));
    ok(await src('set', 'e/a', '{"v":1}'));
    const [record] = lines(ok(await src('export')));
    writeFileSync(join(dir, 'bad.ndjson'), `${JSON.stringify(record)}\nnot json\n`);
    writeFileSync(join(dir, 'tampered.ndjson'), `${JSON.stringify({ ...record, value: { v: 2 } })}\n`);
    const [missing, malformed, tampered] = await Promise.all([
      k('import', join(dir, 'nope.ndjson')), k('import', join(dir, 'bad.ndjson')), k('import', join(dir, 'tampered.ndjson'), '--json'),
    ]);
    assert.match(fails(missing, 1), /^Error: Cannot read .*nope\.ndjson: no such file\n$/);
    assert.match(fails(malformed, 1), /bad\.ndjson, line 2: not valid JSON/);
    assert.equal((JSON.parse(fails(tampered, 1)) as { error: { code: string } }).error.code, 'CORRUPTED');
  });

  it('verify passes a healthy database and reports a damaged one with exit 1', async () => {
    const path = tmpDb();
    const k = onDb(path);
    ok(await k('set', 'users/alice', '{"name":"alice"}'));
    ok(await k('set', 'users/bob', '{"name":"bob"}'));
    const [healthy, healthyJson] = await Promise.all([k('verify'), k('verify', '--json')]);
    assert.equal(ok(healthy), 'Database OK\n  Keys checked: 2\n  Versions checked: 2\n');
    assert.deepEqual(json<VerifyReport>(healthyJson), { ok: true, versionsChecked: 2, keysChecked: 2, issues: [] });

    assert.equal(await damage(path, 'heads', 'alice', 'alicf'), 1);
    const [report, reportJson, read, other] = await Promise.all([k('verify'), k('verify', '--json'), k('get', 'users/alice'), k('get', 'users/bob')]);
    assert.match(fails(report, 1), /^Error: Verification failed: 1 problem found\n/);
    assert.match(report.stdout, /^Database DAMAGED: 1 problem found\n {2}Keys checked: 2\n {2}Versions checked: 2\n {2}\* hash-mismatch users\/alice/);
    fails(reportJson, 1);
    const r = json<VerifyReport>(reportJson);
    assert.equal(r.ok, false);
    assert.deepEqual(r.issues.map((i) => [i.kind, i.namespace, i.key]), [['hash-mismatch', 'users', 'alice']]);
    assert.match(fails(read, 1), /^Error: .*users\/alice.*\nTry: kdelta verify\n$/);
    assert.equal(ok(other), '{\n  "name": "bob"\n}\n');
  });

  it('verify reports a gap in the change log on a line of its own', async () => {
    const path = tmpDb();
    const k = onDb(path);
    for (const name of ['a', 'b', 'c']) ok(await k('set', `log/${name}`, '1'));
    const store = new LmdbStore({ path, buckets: BUCKETS });
    try {
      const second = [...store.range('changes')][1];
      await store.transaction((txn) => txn.del('changes', second.key));
    } finally {
      await store.close();
    }
    const report = await k('verify');
    fails(report, 1);
    assert.equal(report.stdout, [
      'Database DAMAGED: 2 problems found', '  Keys checked: 3', '  Versions checked: 3',
      '  * change-log: change 2 is missing', '  * change-log: 1 stored version is missing from the log', '',
    ].join('\n'));
  });
});
