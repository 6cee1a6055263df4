import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { VersionedValue } from '../../src/index.js';
import { errorOf, fails, json, kdelta, ok, onDb, tmpDb, tmpDir } from './helpers.js';

describe('kdelta input checks', () => {
  it('a malformed --url is a usage error that suggests the URL meant', async () => {
    const [noScheme, word, ftp] = await Promise.all([
      kdelta(['-u', 'localhost:19418', 'get', 'a/k']), kdelta(['--url', 'notaurl', 'status']), kdelta(['-u', 'ftp://x', 'get', 'a/k']),
    ]);
    assert.match(fails(noScheme, 2), /Invalid server URL "localhost:19418": expected http:\/\/host:port; did you mean http:\/\/localhost:19418\?/);
    assert.match(fails(word, 2), /did you mean http:\/\/notaurl\?/);
    assert.match(fails(ftp, 2), /only http and https are supported/);
  });

  it('common mistakes get a hint that fits: a key given to list, a misspelt sort direction, help of no command', async () => {
    const path = tmpDb();
    const [list, sort, help] = await Promise.all([
      kdelta(['-d', path, 'list', 'users/alice']), kdelta(['-d', path, 'query', 'users', '-s', 'age:dsc']), kdelta(['help', 'bogus']),
    ]);
    assert.match(fails(list, 1), /\nA namespace has no "\/": users\/alice names a key\. Try: kdelta get users\/alice\n$/);
    assert.match(fails(sort, 2), /\nDid you mean --sort age:desc\? /);
    assert.equal(fails(help, 2), "error: unknown command 'bogus' (kdelta help lists them)\n");
    const [nested, nestedBad] = await Promise.all([kdelta(['help', 'view', 'create']), kdelta(['help', 'view', 'bogus'])]);
    assert.match(ok(nested), /^Usage: kdelta view create /);
    assert.equal(fails(nestedBad, 2), "error: unknown command 'view bogus' (kdelta help view lists them)\n");
    // The same after global options.
    const [afterGlobals, afterEquals] = await Promise.all([
      kdelta(['-d', path, '--json', 'help', 'view', 'create']), kdelta(['--db-path=' + path, 'help', 'view', 'create']),
    ]);
    assert.match(ok(afterGlobals), /^Usage: kdelta view create /);
    assert.match(ok(afterEquals), /^Usage: kdelta view create /);
  });

  it('serve --max-body 0 is a usage error, not a failure to start', async () => {
    assert.match(fails(await kdelta(['-d', tmpDb(), 'serve', '--port', '0', '--max-body', '0']), 2), /--max-body.*expected a positive integer/);
  });

  it('set refuses a number it cannot store exactly, naming the literal and its path; ordinary numbers pass', async () => {
    const dir = tmpDir();
    const path = join(dir, 'db');
    const k = onDb(path);
    writeFileSync(join(dir, 'v.json'), '{"ids": [1, {"big": 9007199254740993}], "note": "12345678901234567890"}\n');
    const [arg, file, stdin, digits, inString, ordinary] = await Promise.all([
      k('set', 'n/id', '12345678901234567890'),
      k('set', 'n/id', '--file', join(dir, 'v.json'), '--json'),
      kdelta(['-d', path, 'set', 'n/id', '-', '--json'], { input: '{"a b": 3.14159265358979323846}' }),
      k('set', 'n/id', '[1e400]', '--json'),
      k('set', 'n/s', '{"n": "12345678901234567890", "q": "\\"1e999"}', '--json'),
      k('set', 'n/ok', '[1e308, 0.1, -0, 1.5e-7, 9007199254740991, -9007199254740991, 1.0, 2.50, 1E+2]', '--json'),
    ]);
    assert.equal(fails(arg, 1), [
      'Error: Number 12345678901234567890 at $ cannot be stored exactly (numbers are 64-bit floating point, which keep about 16 significant digits)',
      `To keep every digit, store it as a string: kdelta set n/id '"12345678901234567890"'`, '',
    ].join('\n'));
    assert.deepEqual(errorOf(fails(file, 1)).code, 'INVALID_VALUE');
    assert.match(errorOf(file.stderr).message, /^Number 9007199254740993 at \$\.ids\[1\]\.big cannot be stored exactly/);
    assert.match(errorOf(fails(stdin, 1)).message, /^Number 3\.14159265358979323846 at \$\["a b"\] /);
    assert.match(errorOf(fails(digits, 1)).message, /^Number 1e400 at \$\[0\] /);
    assert.deepEqual(json<VersionedValue>(inString).value, { n: '12345678901234567890', q: '"1e999' });
    assert.deepEqual(json<VersionedValue>(ordinary).value, [1e308, 0.1, 0, 1.5e-7, 9007199254740991, -9007199254740991, 1, 2.5, 100]);
    assert.match(fails(await k('get', 'n/id'), 1), /Key not found/);
  });

  it('set with the value and the key swapped hints the right order', async () => {
    const k = onDb(tmpDb());
    const [object, number, keyOnly] = await Promise.all([k('set', '{"a":1}', 'a/b'), k('set', '42', 'n/x', '--json'), k('set', 'nokey', '1')]);
    assert.equal(fails(object, 1), [
      'Error: Invalid key "{\\"a\\":1}": expected the form namespace/key (the key comes before the value)', `Try: kdelta set a/b '{"a":1}'`, '',
    ].join('\n'));
    assert.deepEqual(errorOf(fails(number, 1)), {
      code: 'INVALID_KEY', message: 'Invalid key "42": expected the form namespace/key (the key comes before the value)', hint: 'Try: kdelta set n/x 42',
    });
    assert.match(fails(keyOnly, 1), /\nTry: kdelta set <namespace>\/nokey\n$/);
  });

  it('an empty -d is a usage error; a file given as -d is refused clearly', async () => {
    const dir = tmpDir();
    const file = join(dir, 'file');
    writeFileSync(file, 'not a database');
    const [empty, emptyJson, isFile, isFileJson, inside] = await Promise.all([
      kdelta(['-d', '', 'set', 'a/b', '1']), kdelta(['-d', '', 'status', '--json']),
      kdelta(['-d', file, 'status']), kdelta(['-d', file, 'set', 'a/b', '1', '--json']), kdelta(['-d', join(file, 'db'), 'status']),
    ]);
    assert.match(fails(empty, 2), /^Error: -d\/--db-path is empty: expected a database directory\n/);
    assert.equal(errorOf(fails(emptyJson, 2)).code, 'USAGE');
    assert.equal(fails(isFile, 1), `Error: Invalid path: ${file} is a file, not a database directory\nGive -d a directory (created if missing)\n`);
    assert.deepEqual(errorOf(fails(isFileJson, 1)), { code: 'INVALID_VALUE', message: `Invalid path: ${file} is a file, not a database directory`, hint: 'Give -d a directory (created if missing)' });
    assert.match(fails(inside, 1), /is inside a file, not a database directory/);
    assert.deepEqual(readdirSync(dir), ['file']);
  });

  it('a time out of range is INVALID_TIME quoting what was typed, before anything is sent', async () => {
    const k = onDb(tmpDb());
    ok(await k('set', 't/k', '1'));
    const [at, from, since, query, server] = await Promise.all([
      k('get', 't/k', '--at', '99999999999999999999', '--json'), k('log', 't/k', '--from', '100000000 w ago'),
      k('watch', 't', '--since', '99999999999999999999 ms ago'), k('query', 't', '--at', '-9000000000000000', '--json'),
      // No server listens here: the time is refused before any request.
      kdelta(['--url', 'http://127.0.0.1:9', 'diff', 't/k', '--at', '99999999999999999999', '--json']),
    ]);
    assert.deepEqual(errorOf(fails(at, 1)).code, 'INVALID_TIME');
    assert.match(errorOf(at.stderr).message, /^Invalid time: "99999999999999999999" is out of range/);
    assert.match(fails(from, 1), /^Error: Invalid time: "100000000 w ago" is out of range/);
    assert.match(fails(since, 1), /^Error: Invalid time: "99999999999999999999 ms ago" is out of range/);
    assert.match(errorOf(fails(query, 1)).message, /^Invalid time: "-9000000000000000" is out of range/);
    assert.equal(errorOf(fails(server, 1)).code, 'INVALID_TIME');
    // Year 33658: a time the library may or may not be able to write; if not, what was typed is quoted, not a garbled timestamp.
    const far = await k('get', 't/k', '--at', '999999999999999', '--json');
    if (far.code !== 0) assert.match(errorOf(fails(far, 1)).message, /^Invalid time: "999999999999999"/);
  });

  it('export with an empty file name is a usage error, before any work', async () => {
    const dir = tmpDir();
    const r = await kdelta(['-d', join(dir, 'db'), 'export', '', '--json']);
    assert.equal(r.code, 2);
    assert.equal(errorOf(r.stderr).code, 'USAGE');
    assert.deepEqual(readdirSync(dir), []);
  });
});
