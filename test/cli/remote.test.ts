import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChangeEvent } from '../../src/events/types.js';
import type { VersionedValue } from '../../src/index.js';
import { fails, json, kdelta, ok, onDb, start, tmpDb, tmpDir, type Result, type Running } from './helpers.js';

/** Same exit code and output locally and through the server (stderr too, for failures). */
function same(local: Result, remote: Result, what: string): void {
  assert.equal(remote.code, local.code, `${what}: exit code\nremote stderr: ${remote.stderr}`);
  assert.equal(remote.stdout, local.stdout, `${what}: stdout`);
  if (local.code !== 0) assert.equal(remote.stderr, local.stderr, `${what}: stderr`);
}

describe('kdelta serve and --url', () => {
  const path = tmpDb();
  const local = onDb(path);
  let server: Running;
  let url = '';
  const remote = (...args: string[]) => kdelta(['--url', url, ...args]);

  before(async () => {
    server = start(['-d', path, 'serve', '--port', '0']);
    url = (await server.line(/^Listening on http:\/\//)).replace('Listening on ', '');
  });
  after(() => server.stop('SIGKILL'));

  it('every data command gives the same output through the server as locally', async () => {
    const v1 = json<VersionedValue>(await remote('set', 'users/alice', '{"name":"Alice","age":30}', '--json'));
    assert.equal(v1.namespace, 'users');
    assert.match(ok(await remote('set', 'users/alice', '{"name":"Alice","age":31}')), /^OK\n {2}Stored: users\/alice\n/);
    ok(await remote('set', 'users/bob', '{"name":"Bob","age":17}'));
    ok(await remote('set', 'files/a/b c:d.txt', '"odd key"'));
    ok(await local('set', 'users/carol', '{"name":"Carol","age":45}'));
    assert.match(ok(await remote('delete', 'users/carol')), /^OK\n {2}Deleted: users\/carol\n/);
    ok(await remote('view', 'create', 'adults', 'users', '-f', 'age >= 18', '--description', 'grown-ups'));

    const cases: string[][] = [
      ['get', 'users/alice'], ['get', 'users/alice', '-v'], ['get', 'users/alice', '--at', v1.timestamp, '--json'],
      ['get', 'files/a/b c:d.txt'], ['log', 'users/alice'], ['log', 'users/carol', '--json'], ['diff', 'users/alice'],
      ['diff', 'users/alice', '--json'], ['list'], ['list', 'users', '--json'], ['list', 'files'],
      ['query', 'users', '-f', 'age >= 18', '-s', 'age', '--desc'], ['query', 'users', '--count', '--json'],
      ['query', 'users', '--group-by', 'name', '--avg', 'age'], ['view', 'list'], ['view', 'query', 'adults'],
      ['export'], ['verify'],
      ['get', 'users/nobody'], ['get', 'nokey'], ['get', 'users/carol', '--json'], ['view', 'query', 'nope'],
      ['query', 'users', '-f', 'age >>'],
    ];
    // Read-only cases, so they can run side by side (two at a time: each is a local and a remote run).
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(cases.slice(i, i + 2).map(async (args) => {
        const [l, r] = await Promise.all([local(...args), remote(...args)]);
        same(l, r, args.join(' '));
      }));
    }
    const refreshed = await Promise.all([local('view', 'refresh', 'adults', '--json'), remote('view', 'refresh', 'adults', '--json')]);
    assert.deepEqual(refreshed.map((r) => json<{ recordCount: number }>(r).recordCount), [1, 1]);
    const [ls, rs] = await Promise.all([local('status', '--json'), remote('status', '--json')]);
    const a = json<Record<string, unknown>>(ls);
    const b = json<Record<string, unknown>>(rs);
    for (const f of ['keyCount', 'totalVersions', 'namespaceCount', 'nodeId', 'path', 'namespaces']) assert.deepEqual(b[f], a[f], f);
    assert.match(ok(await remote('status')), new RegExp(`^Database Status\\n {2}Keys: 3\\n[\\s\\S]*\\n {2}Server: ${url}\\n`));
  });

  it('watch, export and import work remotely', async () => {
    const { lastSeq } = json<{ lastSeq: number }>(await remote('status', '--json'));
    const watch = start(['--url', url, 'watch', 'orders', '--json', '--since', String(lastSeq)]);
    ok(await remote('set', 'orders/o1', '{"amount":10}'));
    const event = JSON.parse(await watch.line(/"key":"o1"/)) as ChangeEvent;
    assert.deepEqual([event.changeType, event.value], ['insert', { amount: 10 }]);
    assert.equal(await watch.stop('SIGINT'), 0);

    const dir = tmpDir();
    const file = join(dir, 'export.ndjson');
    assert.match(ok(await remote('export', file)), /^OK\n {2}Exported: \d+ versions\n/);
    assert.match(ok(await remote('import', file)), /^OK\n {2}Imported: 0 versions\n {2}Skipped: \d+ \(already present\)\n$/);
    const other = onDb(join(dir, 'copy'));
    ok(await other('import', file));
    same(await local('log', 'users/alice', '--json'), await other('log', 'users/alice', '--json'), 'log after import');
  });

  it('an unreachable server, a taken port, and SIGTERM', async () => {
    const down = await kdelta(['--url', 'http://127.0.0.1:9', 'status']);
    assert.match(fails(down, 1), /^Error: cannot reach http:\/\/127\.0\.0\.1:9/);
    const port = new URL(url).port;
    const clash = await kdelta(['-d', tmpDb(), 'serve', '--port', port]);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, new RegExp(`Error: Cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`));
    assert.match(fails(await kdelta(['--url', url, 'serve']), 2), /--url is not supported/);

    const other = start(['-d', tmpDb(), 'start', '--port', '0', '--json']);
    const line = await other.line(/^\{"url"/);
    assert.match((JSON.parse(line) as { url: string }).url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await other.stop('SIGTERM'), 0);
    assert.equal(other.output().stdout, `${line}\n`, 'exactly one line on stdout');
    assert.equal(await server.stop('SIGINT'), 0);
  });
});
