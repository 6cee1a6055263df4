import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VersionedValue } from '../../src/index.js';
import { ENV, fails, json, kdelta, ok, onDb, tmpDb } from './helpers.js';

interface DiffJson {
  namespace: string;
  key: string;
  from: VersionedValue | null;
  to: VersionedValue;
  changes: Array<{ path: string; kind: string; from?: unknown; to?: unknown }>;
}

describe('kdelta diff', () => {
  it('latest vs previous, by index, at a time, as JSON, and its errors', async () => {
    const path = tmpDb();
    const k = onDb(path);
    const v0 = json<VersionedValue>(await k('set', 'users/alice', '{"name":"Alice","age":30,"tags":["a"]}', '--json'));
    const v1 = json<VersionedValue>(await k('set', 'users/alice', '{"name":"Alice","age":31,"tags":["a"]}', '--json'));
    const v2 = json<VersionedValue>(await k('set', 'users/alice', '{"name":"Alice","age":31,"tags":["a","b"],"city":"Oslo"}', '--json'));
    const [latest, byIndex, fromOnly, atTime, asJson, negative, outOfRange, missing, malformed, badTime, colour] = await Promise.all([
      k('diff', 'users/alice'), k('diff', 'users/alice', '--from', '0', '--to', '1'), k('diff', 'users/alice', '--from', '0', '--json'),
      k('diff', 'users/alice', '--at', v1.timestamp, '--json'), k('diff', 'users/alice', '--json'),
      k('diff', 'users/alice', '--from', '-3', '--to', '-2', '--json'), k('diff', 'users/alice', '--from', '0', '--to', '7'),
      k('diff', 'users/nobody'), k('diff', 'nokey'), k('diff', 'users/alice', '--at', 'soon'),
      kdelta(['-d', path, 'diff', 'users/alice'], { env: { ...ENV, NO_COLOR: undefined, FORCE_COLOR: '1' } }),
    ]);
    const [piped, noColor] = await Promise.all([
      kdelta(['-d', path, 'diff', 'users/alice'], { env: { ...ENV, NO_COLOR: undefined } }),
      kdelta(['-d', path, 'diff', 'users/alice', '--no-color'], { env: { ...ENV, NO_COLOR: undefined, FORCE_COLOR: '1' } }),
    ]);
    assert.equal(ok(piped), ok(latest), 'no colours into a pipe');
    assert.equal(ok(noColor), ok(latest), '--no-color wins over FORCE_COLOR');
    assert.equal(ok(latest), [
      `--- users/alice ${v1.timestamp} (version ${v1.versionId})`,
      `+++ users/alice ${v2.timestamp} (version ${v2.versionId})`,
      '@@ -1,7 +1,9 @@',
      ' {',
      '   "age": 31,',
      '+  "city": "Oslo",',
      '   "name": "Alice",',
      '   "tags": [',
      '-    "a"',
      '+    "a",',
      '+    "b"',
      '   ]',
      ' }',
      '',
    ].join('\n'));
    assert.match(ok(byIndex), /\n-  "age": 30,\n\+  "age": 31,\n/);
    assert.equal(ok(byIndex).includes('Oslo'), false);

    const full = json<DiffJson>(fromOnly);
    assert.equal(full.from?.versionId, v0.versionId);
    assert.equal(full.to.versionId, v2.versionId);
    assert.deepEqual(full.changes, [
      { path: '$.age', kind: 'changed', from: 30, to: 31 },
      { path: '$.city', kind: 'added', to: 'Oslo' },
      { path: '$.tags[1]', kind: 'added', to: 'b' },
    ]);
    const at = json<DiffJson>(atTime);
    assert.deepEqual([at.from?.versionId, at.to.versionId], [v0.versionId, v1.versionId]);
    assert.deepEqual([json<DiffJson>(asJson).from?.versionId, json<DiffJson>(asJson).to.versionId], [v1.versionId, v2.versionId]);
    assert.deepEqual([json<DiffJson>(negative).from?.versionId, json<DiffJson>(negative).to.versionId], [v0.versionId, v1.versionId]);
    assert.match(fails(outOfRange, 1), /Version index 7 is out of range: users\/alice has 3 versions \(0\.\.2\)/);
    assert.match(fails(missing, 1), /^Error: Key not found: users\/nobody\nTry: kdelta list users\n$/);
    assert.match(fails(malformed, 1), /expected the form namespace\/key/);
    assert.match(fails(badTime, 1), /Invalid time: "soon"/);
    // Colours only when asked for: red removals, green additions.
    assert.match(ok(colour), /\x1b\[31m-\s+"a"\x1b\[39m/);
    assert.match(ok(colour), /\x1b\[32m\+\s+"city": "Oslo",\x1b\[39m/);
    assert.equal(/\x1b\[/.test(ok(latest)), false);
  });

  it('a first version diffs against nothing; a deletion against the last value', async () => {
    const k = onDb(tmpDb());
    ok(await k('set', 'k/v', '{"x":1}'));
    const first = ok(await k('diff', 'k/v'));
    assert.match(first, /^--- k\/v \(no previous version\)\n\+\+\+ k\/v \S+ \(version [0-9a-f]{32}\)\n@@ -0,0 \+1,3 @@\n\+\{\n\+ {2}"x": 1\n\+\}\n$/);
    ok(await k('delete', 'k/v'));
    const [deleted, asJson] = await Promise.all([k('diff', 'k/v'), k('diff', 'k/v', '--json')]);
    assert.match(ok(deleted), /\+\+\+ k\/v \S+ \(deleted\)\n@@ -1,3 \+0,0 @@\n-\{\n- {2}"x": 1\n-\}\n$/);
    assert.equal(json<DiffJson>(asJson).to.deleted, true);
  });

  it('--json tells no value (no version, a tombstone) from the value null, as the line diff does', async () => {
    const k = onDb(tmpDb());
    const changes = async (...args: string[]) => json<DiffJson>(await k('diff', ...args, '--json')).changes;
    ok(await k('set', 'n/x', 'null'));
    assert.deepEqual(await changes('n/x'), [{ path: '$', kind: 'added', to: null }]);
    assert.match(ok(await k('diff', 'n/x')), /\n\+null\n$/);
    ok(await k('set', 'n/x', '{"a":null}'));
    assert.deepEqual(await changes('n/x'), [{ path: '$', kind: 'changed', from: null, to: { a: null } }]);
    ok(await k('set', 'n/x', 'null'));
    ok(await k('delete', 'n/x'));
    assert.deepEqual(await changes('n/x'), [{ path: '$', kind: 'removed', from: null }]);
    assert.match(ok(await k('diff', 'n/x')), /\n-null\n$/);
    ok(await k('set', 'n/x', '{"a":1}'));
    // Re-created after a deletion; and the first version of a key with a value other than null.
    assert.deepEqual(await changes('n/x'), [{ path: '$', kind: 'added', to: { a: 1 } }]);
    assert.deepEqual(await changes('n/x', '--to', '0'), [{ path: '$', kind: 'added', to: null }]);
    assert.deepEqual(await changes('n/x', '--from', '3', '--to', '3'), []);
  });
});
