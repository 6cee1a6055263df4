import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUCKETS } from '../../src/engine/keys.js';
import { KoruDelta, type DatabaseStats, type ExportRecord } from '../../src/index.js';
import { LmdbStore } from '../../src/storage/lmdb-store.js';
import { damage } from '../helpers.js';
import { errorOf, fails, json, kdelta, ok, onDb, tmpDir } from './helpers.js';

/** `n` versions as export lines, made by the library in memory (n processes would take minutes). */
async function exportLines(n: number): Promise<string[]> {
  const db = await KoruDelta.start();
  try {
    for (let i = 0; i < n; i += 500) {
      await db.putBatch(Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ namespace: 'bulk', key: `k${i + j}`, value: { i: i + j } })));
    }
    const lines: string[] = [];
    for await (const r of db.exportVersions()) lines.push(JSON.stringify(r));
    return lines;
  } finally {
    await db.close();
  }
}

/** Damages every stored copy of `from` (head, history record, change log), as disk damage would. */
async function damageEverywhere(path: string, from: string, to: string): Promise<void> {
  const store = new LmdbStore({ path, buckets: BUCKETS });
  try {
    for (const bucket of ['heads', 'versions', 'changes', 'blobs']) await damage(store, bucket, from, to);
  } finally {
    await store.close();
  }
}

describe('kdelta export / import failures', () => {
  it('export to a file replaces it only when complete: a failed export leaves the old file and no temporary file', async () => {
    const dir = tmpDir();
    const path = join(dir, 'db');
    const k = onDb(path);
    const file = join(dir, 'backup.ndjson');
    ok(await k('set', 'a/b', '1'));
    ok(await k('export', file));
    const before = readFileSync(file);
    assert.equal(before.length > 0, true);

    const unreachable = await kdelta(['--url', 'http://127.0.0.1:9', 'export', file]);
    assert.match(fails(unreachable, 1), /^Error: cannot reach http:\/\/127\.0\.0\.1:9\n/);
    assert.deepEqual(readFileSync(file), before);
    assert.deepEqual(readdirSync(dir).sort(), ['backup.ndjson', 'db']);

    // More than one 64 KiB write reaches the output before the damaged version fails the export.
    ok(await kdelta(['-d', path, 'set', 'big/v', '-'], { input: JSON.stringify('x'.repeat(200_000)) }));
    ok(await k('set', 'late/x', '"original"'));
    ok(await k('export', file));
    const good = readFileSync(file);
    assert.equal(good.toString().trim().split('\n').length, 3);
    await damageEverywhere(path, 'original', 'ORIGINAL');
    const damaged = await k('export', file, '--json');
    assert.equal(errorOf(fails(damaged, 1)).code, 'CORRUPTED');
    assert.deepEqual(readFileSync(file), good);
    assert.deepEqual(readdirSync(dir).sort(), ['backup.ndjson', 'db']);
  });

  it('a file with a bad line imports nothing; a good one then imports whole', async () => {
    const dir = tmpDir();
    const k = onDb(join(dir, 'db'));
    const lines = await exportLines(3000);
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${lines.join('\n')}\ngarbage\n`);
    assert.match(fails(await k('import', bad), 1), /^Error: .*bad\.ndjson, line 3001: not valid JSON \([^)]*\)\n$/);
    assert.equal(json<DatabaseStats>(await k('status', '--json')).totalVersions, 0);
    writeFileSync(bad, `${lines.join('\n')}\n`);
    assert.deepEqual(json(await k('import', bad, '--json')), { imported: 3000, skipped: 0 });
  });

  it('stdin, or a record the database refuses, fails where it is and says how many versions were kept', async () => {
    const dir = tmpDir();
    const path = join(dir, 'db');
    const lines = await exportLines(3000);
    const fromStdin = await kdelta(['-d', path, 'import', '-'], { input: `${lines.join('\n')}\ngarbage\n` });
    assert.match(fails(fromStdin, 1), /^Error: stdin, line 3001: not valid JSON \([^)]*\); 3000 versions were imported before the error \(running the import again skips them\)\n$/);
    const again = await kdelta(['-d', path, 'import', '-', '--json'], { input: lines.join('\n') });
    assert.deepEqual(json(again), { imported: 0, skipped: 3000 });

    // A value that does not match its hash: a file is refused whole, before anything is written;
    // from stdin the versions before it stay, and the error says how many.
    const tampered = [...lines];
    tampered[1500] = JSON.stringify({ ...(JSON.parse(lines[1500]) as ExportRecord), value: { i: -1 } });
    const file = join(dir, 'tampered.ndjson');
    writeFileSync(file, tampered.join('\n'));
    const fresh = onDb(join(dir, 'fresh'));
    const [human, asJson] = await Promise.all([fresh('import', file), onDb(join(dir, 'fresh2'))('import', file, '--json')]);
    assert.match(fails(human, 1), /^Error: .*tampered\.ndjson, line 1501: Cannot import bulk\/k1500 .*does not match its content hash\n$/);
    assert.equal(json<DatabaseStats>(await fresh('status', '--json')).totalVersions, 0);
    const piped = await kdelta(['-d', join(dir, 'fresh3'), 'import', '-'], { input: tampered.join('\n') });
    assert.match(fails(piped, 1), /^Error: stdin, line 1501: Cannot import bulk\/k1500 .*; 1000 versions were imported before the error \(running the import again skips them\)\n$/);
    const error = errorOf(fails(asJson, 1));
    assert.equal(error.code, 'CORRUPTED');
    assert.equal(error.hint, undefined, 'the file is damaged, not the database: no "kdelta verify" hint');
  });

  it('a record of the wrong shape is refused naming its line and the field', async () => {
    const dir = tmpDir();
    const k = onDb(join(dir, 'db'));
    const [line] = await exportLines(1);
    const record = JSON.parse(line) as ExportRecord;
    const cases: Array<[unknown, string]> = [
      [{ a: 1 }, '"namespace" is missing'],
      [[1], 'a JSON object'],
      [{ ...record, key: 7 }, '"key" must be a string, got number'],
      [{ ...record, versionId: 'v1' }, '"versionId" must be a version id (32 hex digits), got "v1"'],
      [{ ...record, deleted: 'no' }, '"deleted" must be true or false, got string'],
      [{ ...record, value: undefined }, '"value" is missing'],
      [{ ...record, previousVersion: 'ab'.repeat(16), parents: [] }, '"previousVersion" must be the first of "parents" (null when there are none)'],
    ];
    const results = await Promise.all(cases.map(([item], i) => {
      const file = join(dir, `w${i}.ndjson`);
      writeFileSync(file, `${line}\n${JSON.stringify(item)}\n`);
      return k('import', file, '--json');
    }));
    results.forEach((r, i) => {
      const error = errorOf(fails(r, 1));
      assert.equal(error.code, 'INVALID_VALUE');
      assert.equal(error.message, `${join(dir, `w${i}.ndjson`)}, line 2: expected an exported version (${cases[i][1]})`);
    });
    // A byte-order mark at the start of the file (some editors write one) is not data.
    const bom = join(dir, 'bom.ndjson');
    // Lines are trimmed as the server trims them: also a mark left inside by joining two such files.
    writeFileSync(bom, `\uFEFF${line}\n\uFEFF${line}\n`);
    assert.deepEqual(JSON.parse(ok(await onDb(join(dir, 'bom-db'))('import', bom, '--json'))), { imported: 1, skipped: 1 });
    const badTime = join(dir, 'time.ndjson');
    writeFileSync(badTime, `${line}\n${JSON.stringify({ ...record, timestamp: 'yesterday' })}\n`);
    const timeError = errorOf(fails(await k('import', badTime, '--json'), 1));
    assert.equal(timeError.code, 'INVALID_TIME');
    assert.match(timeError.message, /time\.ndjson, line 2: .*"yesterday"/);
    assert.equal(json<DatabaseStats>(await k('status', '--json')).totalVersions, 0, 'the good line before it was not imported');
  });
});
