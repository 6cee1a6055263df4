import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { KoruDelta } from '../../../src/index.js';
import { dataFileProblem } from '../../../src/storage/lmdb-header.js';
import { rejectsWith, tmpDir } from '../../helpers.js';

const BIN = new URL('../../../bin/kdelta.js', import.meta.url).pathname;

/** A database directory with a few hundred versions (many pages), closed. */
async function sample(): Promise<string> {
  const dir = join(tmpDir(), 'db');
  const db = await KoruDelta.start({ path: dir });
  for (let i = 0; i < 300; i++) await db.put('docs', `k${i % 50}`, { i, text: 'x'.repeat(200) });
  await db.close();
  return dir;
}

/** A copy of `dir` whose data file is damaged by `damage`. */
function damaged(dir: string, damage: (file: string) => void): string {
  const copy = join(tmpDir(), 'copy');
  cpSync(dir, copy, { recursive: true });
  damage(join(copy, 'data.mdb'));
  return copy;
}

test('an intact data file, an empty one and a missing one pass the check', async () => {
  const dir = await sample();
  assert.equal(dataFileProblem(dir), undefined);
  assert.equal(dataFileProblem(damaged(dir, (f) => writeFileSync(f, ''))), undefined);
  assert.equal(dataFileProblem(tmpDir()), undefined);
});

test('a truncated or foreign data file is reported, not opened', async () => {
  const dir = await sample();
  const size = statSync(join(dir, 'data.mdb')).size;
  const cases: Array<[string, (file: string) => void, RegExp]> = [
    ['one page left', (f) => truncateSync(f, 4096), /second meta page/],
    ['meta pages only', (f) => truncateSync(f, 8192), /truncated/],
    ['last page cut off', (f) => truncateSync(f, size - 4096), /truncated/],
    ['not LMDB', (f) => writeFileSync(f, 'hello\n'), /not an LMDB data file/],
  ];
  for (const [name, damage, problem] of cases) {
    const copy = damaged(dir, damage);
    assert.match(dataFileProblem(copy) ?? '', problem, name);
    await rejectsWith(KoruDelta.start({ path: copy }), 'CORRUPTED', copy);
  }
});

test('the CLI on a truncated database exits 1 with CORRUPTED instead of crashing', async () => {
  const copy = damaged(await sample(), (f) => truncateSync(f, 8192));
  const r = spawnSync(process.execPath, [BIN, '-d', copy, 'get', 'docs/k1', '--json'], { encoding: 'utf8' });
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 1, r.stderr);
  const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string; hint?: string } };
  assert.equal(error.code, 'CORRUPTED');
  assert.match(error.message, /truncated/);
  assert.equal(error.hint, undefined, 'kdelta verify cannot open it either: no hint to run it');
});
