import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { VersionedValue } from '../../src/index.js';
import { ENV, fails, json, kdelta, ok, onDb, tmpDb, tmpDir } from './helpers.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('kdelta set / get / delete / log / list / status', () => {
  it('set prints OK with the version; get, get -v and --json read it back in a new process', async () => {
    const k = onDb(tmpDb());
    const set = ok(await k('set', 'users/alice', '{"name":"Alice","age":30}'));
    const [first, stored, version, timestamp] = set.trimEnd().split('\n');
    assert.equal(first, 'OK');
    assert.equal(stored, '  Stored: users/alice');
    assert.match(version, /^ {2}Version: [0-9a-f]{32}$/);
    assert.match(timestamp.replace('  Timestamp: ', ''), ISO);

    const [plain, verbose, asJson] = await Promise.all([k('get', 'users/alice'), k('get', 'users/alice', '-v'), k('--json', 'get', 'users/alice')]);
    assert.equal(ok(plain), '{\n  "age": 30,\n  "name": "Alice"\n}\n');
    const v = json<VersionedValue>(asJson);
    assert.deepEqual(Object.keys(v).sort(), ['contentHash', 'deleted', 'key', 'namespace', 'previousVersion', 'timestamp', 'value', 'versionId']);
    assert.equal(v.versionId, version.split(': ')[1]);
    assert.equal(ok(verbose), [
      '{', '  "age": 30,', '  "name": "Alice"', '}', '', 'Metadata:', `  Version: ${v.versionId}`,
      `  Content hash: ${v.contentHash}`, `  Timestamp: ${v.timestamp}`, '  Previous: none', '',
    ].join('\n'));
  });

  it('set --json prints the VersionedValue; strings, stdin, --file and keys containing / work', async () => {
    const dir = tmpDir();
    const k = onDb(join(dir, 'db'));
    writeFileSync(join(dir, 'v.json'), '{"from":"file"}\n');
    const v = json<VersionedValue>(await k('set', 'files/a/b.txt', '"hello"', '--json'));
    assert.equal(v.namespace, 'files');
    assert.equal(v.key, 'a/b.txt');
    assert.equal(v.value, 'hello');
    ok(await kdelta(['-d', join(dir, 'db'), 'set', 'files/stdin', '-'], { input: '[1, 2, 3]' }));
    ok(await k('set', 'files/file', '--file', join(dir, 'v.json')));
    const [a, b, c, keys] = await Promise.all([
      k('get', 'files/a/b.txt'), k('get', 'files/stdin', '--json'), k('get', 'files/file', '--json'), k('list', 'files', '--json'),
    ]);
    assert.equal(ok(a), '"hello"\n');
    assert.deepEqual(json<VersionedValue>(b).value, [1, 2, 3]);
    assert.deepEqual(json<VersionedValue>(c).value, { from: 'file' });
    assert.deepEqual(json(keys), ['a/b.txt', 'file', 'stdin']);
  });

  it('log (alias history) lists versions newest first, with -l, --from/--to, tombstones and --json', async () => {
    const k = onDb(tmpDb());
    const v1 = json<VersionedValue>(await k('set', 'users/bob', '1', '--json'));
    const v2 = json<VersionedValue>(await k('set', 'users/bob', '2', '--json'));
    const del = ok(await k('delete', 'users/bob'));
    assert.match(del, /^OK\n {2}Deleted: users\/bob\n {2}Version: [0-9a-f]{32}\n {2}Timestamp: \S+\n$/);
    const [log, history, limited, ranged, asJson, gone, limitedText, rangedText] = await Promise.all([
      k('log', 'users/bob'), k('history', 'users/bob'), k('log', 'users/bob', '-l', '1', '--json'),
      k('log', 'users/bob', '--from', v1.timestamp, '--to', v2.timestamp, '--json'), k('log', 'users/bob', '--json'),
      k('get', 'users/bob'), k('log', 'users/bob', '-l', '1'), k('log', 'users/bob', '--from', v1.timestamp, '--to', '1 hour ago'),
    ]);
    const versions = json<VersionedValue[]>(asJson);
    assert.deepEqual(versions.map((v) => v.value), [null, 2, 1]);
    assert.equal(versions[0].deleted, true);
    assert.equal(ok(log), [
      'History:', '',
      `  * ${versions[0].timestamp} (deleted)`, `    Version: ${versions[0].versionId}`, '',
      `  * ${v2.timestamp}`, '    2', `    Version: ${v2.versionId}`, '',
      `  * ${v1.timestamp}`, '    1', `    Version: ${v1.versionId}`, '',
      '  3 versions total', '',
    ].join('\n'));
    assert.equal(ok(history), ok(log));
    // A narrowed list says so, naming the options, rather than passing its count off as the total.
    assert.match(ok(limitedText), /\n {2}1 version shown \(--limit 1\)\n$/);
    assert.match(ok(rangedText), new RegExp(`\\n {2}0 versions shown \\(--from ${v1.timestamp.replace(/\./g, '\\.')}, --to '1 hour ago'\\)\\n$`));
    assert.deepEqual(json<VersionedValue[]>(limited).map((v) => v.versionId), [versions[0].versionId]);
    assert.deepEqual(json<VersionedValue[]>(ranged).map((v) => v.versionId), [v2.versionId, v1.versionId]);
    assert.match(fails(gone, 1), /^Error: Key not found: users\/bob/);

    const one = onDb(tmpDb());
    ok(await one('set', 'x/y', '{"a":[1,{"b":true}]}'));
    assert.match(ok(await one('log', 'x/y')), /\n {4}\{\n {6}"a": \[\n {8}1,[\s\S]*\n {2}1 version total\n$/);
  });

  it('get --at travels in time; a time before the first version is NO_VALUE_AT_TIMESTAMP', async () => {
    const k = onDb(tmpDb());
    const v1 = json<VersionedValue>(await k('set', 'cfg/mode', '"old"', '--json'));
    ok(await k('set', 'cfg/mode', '"new"'));
    const epochMs = String(Date.parse(v1.timestamp) + 1); // the millisecond after v1, long before v2
    const [atIso, atMs, ago, before] = await Promise.all([
      k('get', 'cfg/mode', '--at', v1.timestamp), k('get', 'cfg/mode', '--at', epochMs, '--json'),
      k('get', 'cfg/mode', '--at', '0s ago'), k('get', 'cfg/mode', '--at', '2020-01-01T00:00:00Z'),
    ]);
    assert.equal(ok(atIso), '"old"\n');
    assert.equal(json<VersionedValue>(atMs).versionId, v1.versionId);
    assert.equal(ok(ago), '"new"\n');
    assert.match(fails(before, 1), /^Error: No value for cfg\/mode at 2020-01-01T00:00:00\.000000Z.*\nTry: kdelta log cfg\/mode/);
  });

  it('list shows namespaces with key counts, keys of a namespace, and the empty cases', async () => {
    const k = onDb(tmpDb());
    const [emptyNs, emptyKeys] = await Promise.all([k('list'), k('list', 'users')]);
    assert.equal(ok(emptyNs), 'No namespaces found\n');
    assert.equal(ok(emptyKeys), "No keys in namespace 'users'\n");
    ok(await k('set', 'users/alice', '1'));
    ok(await k('set', 'users/bob', '2'));
    ok(await k('set', 'orders/o1', '3'));
    const [list, keys, listJson, keysJson] = await Promise.all([k('list'), k('list', 'users'), k('list', '--json'), k('list', 'users', '--json')]);
    assert.equal(ok(list), 'Namespaces:\n  * orders (1 key)\n  * users (2 keys)\n');
    assert.equal(ok(keys), "Keys in 'users':\n  * users/alice\n  * users/bob\n");
    assert.deepEqual(json(listJson), [{ namespace: 'orders', keyCount: 1 }, { namespace: 'users', keyCount: 2 }]);
    assert.deepEqual(json(keysJson), ['alice', 'bob']);
  });

  it('status shows keys, versions, namespaces, path, disk size and node id', async () => {
    const path = tmpDb();
    const k = onDb(path);
    ok(await k('set', 'users/alice', '1'));
    ok(await k('set', 'users/alice', '2'));
    const [human, asJson] = await Promise.all([k('status'), k('status', '--json')]);
    const s = json<{ keyCount: number; totalVersions: number; namespaceCount: number; nodeId: string; path: string; diskSize: number; namespaces: unknown[] }>(asJson);
    assert.equal(s.keyCount, 1);
    assert.equal(s.totalVersions, 2);
    assert.equal(s.namespaceCount, 1);
    assert.equal(s.path, path);
    assert.ok(s.diskSize > 0);
    assert.deepEqual(s.namespaces, [{ namespace: 'users', keyCount: 1 }]);
    const lines = ok(human).split('\n');
    assert.deepEqual(lines.slice(0, 5), ['Database Status', '  Keys: 1', '  Versions: 2', '  Namespaces: 1', '    * users (1 key)']);
    assert.ok(lines.includes(`  Path: ${path}`));
    assert.ok(lines.includes(`  Node ID: ${s.nodeId}`));
    assert.ok(lines.some((l) => /^ {2}Disk size: \d/.test(l)));
  });

  it('a database directory whose name has a dot works', async () => {
    const path = join(tmpDir(), 'data.db');
    ok(await kdelta(['-d', path, 'set', 'a/b', '1']));
    assert.equal(ok(await kdelta(['-d', path, 'get', 'a/b'])), '1\n');
  });

  it('$KORU_DB_PATH is the default database', async () => {
    const path = tmpDb();
    ok(await kdelta(['set', 'env/k', '1'], { env: { ...ENV, KORU_DB_PATH: path } }));
    assert.equal(ok(await kdelta(['-d', path, 'get', 'env/k'])), '1\n');
  });
});

describe('kdelta errors', () => {
  it('invalid input exits 1 with a message and a hint, on stderr only', async () => {
    const k = onDb(tmpDb());
    ok(await k('set', 'users/alice', '1'));
    const [missing, malformed, bareWord, badObject, badTime, deleteMissing, noValue] = await Promise.all([
      k('get', 'users/bob'), k('get', 'nokey'), k('set', 'a/b', 'hello'), k('set', 'a/b', '{name: 1}'),
      k('get', 'users/alice', '--at', 'yesterday-ish'), k('delete', 'users/zed'), k('set', 'a/b'),
    ]);
    assert.equal(fails(missing, 1), 'Error: Key not found: users/bob\nTry: kdelta list users\n');
    assert.equal(missing.stdout, '');
    assert.match(fails(malformed, 1), /^Error: Invalid key "nokey": expected the form namespace\/key\nTry: kdelta get <namespace>\/nokey\n$/);
    assert.equal(fails(bareWord, 1), `Error: Invalid JSON value: hello\nTry: kdelta set a/b '"hello"'\n`);
    assert.match(fails(badObject, 1), /^Error: Invalid JSON value: \{name: 1\} \(.*\)\nStrings and object keys need double quotes/);
    assert.match(fails(badTime, 1), /^Error: Invalid time: "yesterday-ish"/);
    assert.match(fails(deleteMissing, 1), /Key not found: users\/zed/);
    // The test's stdin is a pipe: the hint is the one that reads it.
    assert.equal(fails(noValue, 2), 'Error: Missing value\nTry: kdelta set a/b -  (- reads the value from stdin)\n');
  });

  it('--json errors are one JSON object on stderr with the library code', async () => {
    const k = onDb(tmpDb());
    const [missing, malformed, badJson, badTime] = await Promise.all([
      k('get', 'users/bob', '--json'), k('--json', 'get', 'nokey'), k('set', 'a/b', 'hello', '--json'), k('get', 'a/b', '--at', 'never', '--json'),
    ]);
    const codes = [missing, malformed, badJson, badTime].map((r) => {
      fails(r, 1);
      assert.equal(r.stdout, '');
      return (JSON.parse(r.stderr) as { error: { code: string } }).error.code;
    });
    assert.deepEqual(codes, ['KEY_NOT_FOUND', 'INVALID_KEY', 'INVALID_VALUE', 'INVALID_TIME']);
    assert.deepEqual(JSON.parse(missing.stderr), { error: { code: 'KEY_NOT_FOUND', message: 'Key not found: users/bob', hint: 'Try: kdelta list users' } });
  });

  it('usage errors exit 2; --help shows examples and --version the version, exit 0', async () => {
    const [unknownCmd, unknownOpt, missingArg, badLimit, bare, help, version, watchNothing] = await Promise.all([
      kdelta(['bogus']), kdelta(['get', 'a/b', '--bogus']), kdelta(['get']), kdelta(['log', 'a/b', '-l', 'x']), kdelta([]),
      kdelta(['set', '--help']), kdelta(['--version']), kdelta(['-d', tmpDb(), 'watch']),
    ]);
    assert.match(fails(unknownCmd, 2), /unknown command 'bogus'/);
    assert.match(fails(unknownOpt, 2), /unknown option '--bogus'/);
    assert.match(fails(missingArg, 2), /missing required argument/);
    assert.match(fails(badLimit, 2), /non-negative integer/);
    assert.match(fails(bare, 2), /Usage: kdelta/);
    assert.match(ok(help), /Examples:\n {2}\$ kdelta set users\/alice/);
    assert.match(ok(version), /^\d+\.\d+\.\d+\n$/);
    assert.match(fails(watchNothing, 2), /--all/);
  });

  it('a namespace and key given as two words get the ns/key form as a hint', async () => {
    const db = tmpDb();
    const [set, get, plain] = await Promise.all([
      kdelta(['-d', db, 'set', 'users', 'alice', '{"name": "Alice"}']),
      kdelta(['get', 'users', 'alice', '--json']),
      kdelta(['get', 'users/alice', 'extra']),
    ]);
    assert.equal(fails(set, 2), `error: too many arguments for 'set'. Expected 2 arguments but got 3.\nTry: kdelta -d ${db} set users/alice '{"name": "Alice"}'\n`);
    assert.match(fails(get, 2), /\nTry: kdelta get users\/alice --json\n$/);
    assert.doesNotMatch(fails(plain, 2), /Try:/);
  });

  it('every command has --help with examples', async () => {
    const commands = ['set', 'get', 'delete', 'log', 'diff', 'list', 'status', 'query', 'view', 'view create', 'view list',
      'view refresh', 'view query', 'view delete', 'watch', 'export', 'import', 'verify', 'serve'];
    const results = await Promise.all(commands.map((c) => kdelta([...c.split(' '), '--help'])));
    results.forEach((r, i) => assert.match(ok(r), /\nExamples:\n {2}\$ kdelta /, commands[i]));
  });
});
