import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConnectionError, KoruDeltaClient, KeyNotFoundError, InvalidTimeError, InvalidQueryError } from '../../src/client/index.js';
import { tmpDir, withSmallDisk } from '../helpers.js';
import { call, sigtermUnderLoad, startServe, startServer } from './helpers.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** Writes one key from a separate process opening the same database directly (like a local `kdelta set`). */
async function writeFromOtherProcess(dbPath: string, ns: string, key: string, value: unknown): Promise<void> {
  const script = `const { KoruDelta } = await import(${JSON.stringify(join(root, 'dist/index.js'))});
    const db = await KoruDelta.start({ path: process.argv[1] });
    await db.put(${JSON.stringify(ns)}, ${JSON.stringify(key)}, JSON.parse(process.argv[2]));
    await db.close();`;
  await run(process.execPath, ['--input-type=module', '-e', script, dbPath, JSON.stringify(value)]);
}

describe('HTTP server process', () => {
  it('serves the library over HTTP through the typed client, with identical errors', async () => {
    const server = await startServer();
    const db = new KoruDeltaClient(server.url);
    const v = await db.put('users', 'a/b c:ü', { age: 30 });
    assert.equal(v.key, 'a/b c:ü');
    assert.deepEqual(await db.get('users', 'a/b c:ü'), v);
    const v2 = await db.put('users', 'a/b c:ü', { age: 31 });
    assert.deepEqual(await db.getAt('users', 'a/b c:ü', v.timestamp), v);
    assert.deepEqual(await db.history('users', 'a/b c:ü'), [v, v2]);
    assert.deepEqual(await db.history('users', 'a/b c:ü', { latest: 1 }), [v2]);
    // Filters travel too, as an expression or as a filter object; bad counts fail as the library's do.
    assert.deepEqual(await db.history('users', 'a/b c:ü', { filter: 'age = 30' }), [v]);
    assert.deepEqual(await db.history('users', 'a/b c:ü', { filter: { field: 'age', op: 'gt', value: 30 } }), [v2]);
    await assert.rejects(db.history('users', 'a/b c:ü', { latest: -1 }), (err: unknown) => {
      assert.ok(err instanceof InvalidQueryError);
      assert.equal(err.message, 'Invalid query at history.latest for users/a/b c:ü: expected a non-negative integer, got -1');
      return true;
    });
    assert.deepEqual(await db.listKeys('users'), ['a/b c:ü']);
    assert.deepEqual(await db.listNamespaces(), ['users']);
    const status = await db.status();
    assert.equal(status.keyCount, 1);
    assert.equal(status.totalVersions, 2);
    assert.equal(typeof status.nodeId, 'string');
    assert.ok(status.diskSize > 0);
    assert.equal(typeof status.uptime, 'number');
    assert.equal(status.path, server.dbPath);
    const report = await db.verify();
    assert.equal(report.ok, true);

    await assert.rejects(db.get('users', 'nobody'), (err: unknown) => {
      assert.ok(err instanceof KeyNotFoundError);
      assert.equal(err.message, 'Key not found: users/nobody');
      assert.equal(err.code, 'KEY_NOT_FOUND');
      return true;
    });
    await assert.rejects(db.getAt('users', 'a/b c:ü', 'soon-ish'), InvalidTimeError);
    await assert.rejects(db.put('users', 'x', Number.NaN), { code: 'INVALID_VALUE' });
    const t = await db.delete('users', 'a/b c:ü');
    assert.equal(t.deleted, true);
    await assert.rejects(db.get('users', 'a/b c:ü'), KeyNotFoundError);
    assert.equal(await server.stop(), 0);
  });

  it('exports and imports NDJSON between servers', async () => {
    const a = await startServer();
    const b = await startServer();
    const ca = new KoruDeltaClient(a.url);
    const cb = new KoruDeltaClient(b.url);
    for (let i = 0; i < 30; i++) await ca.put('docs', `d${i % 7}`, { i });
    await ca.delete('docs', 'd3');
    const records = [];
    for await (const r of ca.exportVersions()) records.push(r);
    assert.equal(records.length, 31);
    assert.deepEqual(await cb.importVersions(records), { imported: 31, skipped: 0 });
    assert.deepEqual(await cb.importVersions(ca.exportVersions()), { imported: 0, skipped: 31 });
    assert.deepEqual(await cb.history('docs', 'd3'), await ca.history('docs', 'd3'));
    const snapshot = [];
    for await (const r of ca.exportVersions({ at: new Date(Date.now() + 1000) })) snapshot.push(r);
    assert.equal(snapshot.length, 6);
    const bad = await call(`${a.url}/api/v1/export?at=whenever`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'INVALID_TIME');
    const badLine = await call(`${b.url}/api/v1/import`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"namespace":\n' });
    assert.equal(badLine.status, 400);
  });

  it('lets a client that sends its whole oversized body before reading still read the 413', async () => {
    // Most clients (fetch, node:http) write the body to its end before they read; a server that
    // closes as soon as it has answered resets the connection under them and the 413 is lost.
    const server = await startServer(undefined, { maxBodyBytes: 1000 });
    const { port, hostname } = new URL(server.url);
    const body = Buffer.alloc(24 * 1024 * 1024, 0x78);
    for (let attempt = 0; attempt < 3; attempt++) {
      const socket = connect(Number(port), hostname);
      await once(socket, 'connect');
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.pause();
      let failure: unknown;
      socket.on('error', (err) => { failure = err; });
      socket.write(`PUT /api/v1/a/b HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
      for (let at = 0; at < body.length && failure === undefined; at += 64 * 1024) {
        if (!socket.write(body.subarray(at, at + 64 * 1024))) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
      }
      socket.resume();
      if (!socket.destroyed) await once(socket, 'close');
      const text = Buffer.concat(received).toString('latin1');
      assert.equal(failure, undefined, `attempt ${attempt}: ${String(failure)}; received ${JSON.stringify(text.slice(0, 200))}`);
      assert.match(text, /^HTTP\/1\.1 413 /);
      assert.match(text, /"code":"BODY_TOO_LARGE"/);
    }
    const ok = await call(`${server.url}/api/v1/a/b`, { method: 'PUT', json: { value: 1 } });
    assert.equal(ok.status, 200);
  });

  it('closes a lingering connection whose client goes quiet, and does not let lingering hold up shutdown', async () => {
    const server = await startServer(undefined, { maxBodyBytes: 1000 });
    const { port, hostname } = new URL(server.url);
    const refused = async () => {
      const socket = connect(Number(port), hostname);
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
      socket.on('error', () => undefined);
      // Declares a body far over the limit, sends a little of it, then nothing more.
      socket.write('PUT /api/v1/a/b HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 50000000\r\n\r\n{"value": "');
      while (!/\r\n\r\n[\s\S]*\}\}$/.test(text)) await once(socket, 'data');
      assert.match(text, /^HTTP\/1\.1 413 /);
      return socket;
    };
    const quiet = await refused();
    const started = Date.now();
    await once(quiet, 'close');
    const waited = Date.now() - started;
    assert.ok(waited < 15_000, `a quiet lingering connection was kept ${waited} ms`);
    // One that goes on sending is read for so long only: its data is dropped up to a bound, then it is cut off.
    const flood = await refused();
    const chunk = Buffer.alloc(1024 * 1024, 0x78);
    let sent = 0;
    let cut = false;
    flood.on('error', () => { cut = true; });
    flood.on('close', () => { cut = true; });
    while (!cut && sent < 512 * 1024 * 1024) {
      if (!flood.write(chunk)) await Promise.race([once(flood, 'drain'), once(flood, 'close')]);
      sent += chunk.length;
    }
    assert.ok(cut, `the server took ${sent} bytes after its 413 and still reads`);
    // Another one lingers (still open) when the server is told to stop: the server does not wait for it.
    const open = await refused();
    const stopping = Date.now();
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.ok(Date.now() - stopping < 10_000, `shutdown took ${Date.now() - stopping} ms`);
    open.destroy();
  });

  it('answers an oversized body with a readable 413, keeps idle connections a minute, reports metrics', async () => {
    const server = await startServer(undefined, { maxBodyBytes: 64 * 1024 });
    const big = await call(`${server.url}/api/v1/a/b`, { method: 'PUT', json: { value: 'x'.repeat(1024 * 1024) } });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'BODY_TOO_LARGE');
    const ok = await call(`${server.url}/api/v1/a/b`, { method: 'PUT', json: { value: 1 } });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('keep-alive') ?? '', /timeout=(6[0-9]|[7-9][0-9]|\d{3,})/);
    assert.ok(ok.headers.get('x-request-id'));
    const health = await call(`${server.url}/health`);
    assert.equal(health.body.status, 'ok');
    const metrics = await call(`${server.url}/metrics`);
    assert.match(metrics.body, /korudelta_http_requests_total\{method="PUT",route="\/api\/v1\/:ns\/:key",status="200"\} 1/);
    assert.match(metrics.body, /korudelta_http_requests_total\{method="PUT",route="\/api\/v1\/:ns\/:key",status="413"\} 1/);
    assert.match(metrics.body, /korudelta_http_request_duration_seconds_bucket/);
    assert.match(metrics.body, /korudelta_writes_total 1/);
    assert.match(metrics.body, /korudelta_db_size_bytes [1-9]/);
    assert.match(metrics.body, /korudelta_sse_subscribers 0/);
    const openapi = await call(`${server.url}/openapi.json`);
    assert.equal(openapi.body.openapi, '3.1.0');
    for (const path of ['/api/v1/{ns}/{key}', '/api/v1/{ns}/{key}/history', '/api/v1/{ns}/{key}/at/{time}', '/api/v1/{ns}/query', '/api/v1/watch', '/api/v1/batch', '/api/v1/views/{name}/refresh', '/api/v1/export', '/api/v1/import', '/metrics']) {
      assert.ok(openapi.body.paths[path], path);
    }
  });

  it('answers 507 on a full disk and goes on serving reads and writes that fit', async (t) => {
    await withSmallDisk(t, async (mount) => {
      const server = await startServe([], join(mount, 'db'), { KORU_LOG: 'warn' });
      const put = (key: string, value: unknown) => call(`${server.url}/api/v1/f/${key}`, { method: 'PUT', json: { value } });
      assert.equal((await put('first', 'hello')).status, 200);
      let refused: Awaited<ReturnType<typeof put>> | undefined;
      for (let i = 0; i < 200 && refused === undefined; i++) {
        const r = await put(`k${i}`, randomBytes(45_000).toString('base64'));
        if (r.status !== 200) refused = r;
      }
      assert.equal(refused?.status, 507, JSON.stringify(refused?.body));
      assert.equal(refused?.body.error.code, 'STORAGE_FULL');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await call(`${server.url}/api/v1/f/first`)).body.value, 'hello', 'reads go on');
      assert.equal(server.proc.exitCode, null, 'the server is still running');
      assert.equal((await put('again', randomBytes(45_000).toString('base64'))).status, 507);
      assert.equal(await server.stop(), 0);
      // At warn, an operator is told, once (not once per refused write).
      const warnings = server.stderr().split('\n').filter((l) => l.includes('writes refused'));
      assert.equal(warnings.length, 1, server.stderr());
      assert.match(warnings[0], /"level":40.*the disk holding the database is full/);
    });
  });

  it('says so when KORU_LOG names no level', async () => {
    const server = await startServer(undefined, {}, { KORU_LOG: 'verbose' });
    assert.equal(await server.stop(), 0);
    assert.match(server.stderr(), /"level":40.*"KORU_LOG":"verbose".*KORU_LOG names no level/);
  });

  it('sees writes made by another process on the same database at once', async () => {
    const server = await startServer();
    const client = new KoruDeltaClient(server.url);
    await client.put('shared', 'k', 1);
    // Twice: the second read is answered from the server's response cache, which must notice the
    // other process's write below.
    assert.equal((await client.get('shared', 'k')).value, 1);
    assert.equal((await client.get('shared', 'k')).value, 1);
    await writeFromOtherProcess(server.dbPath, 'shared', 'k', 2);
    assert.equal((await client.get('shared', 'k')).value, 2);
    await writeFromOtherProcess(server.dbPath, 'shared', 'new', 'x');
    assert.equal((await client.get('shared', 'new')).value, 'x');
  });

  it('reports an unreachable server and a port in use clearly', async () => {
    const server = await startServer();
    const port = Number(new URL(server.url).port);
    const clash = await run(process.execPath, [join(root, 'test/server/fixtures/serve.mjs'), join(tmpDir(), 'db'), JSON.stringify({ port })]).then(
      () => assert.fail('a second server on the same port must fail'),
      (err: { code: number; stderr: string }) => err,
    );
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /EADDRINUSE/);
    assert.equal(await server.stop(), 0);
    const client = new KoruDeltaClient(server.url);
    await assert.rejects(client.get('a', 'b'), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.message, `cannot reach ${server.url}`);
      assert.equal(err.code, 'CONNECTION_FAILED');
      return true;
    });
  });

  it('loses no acknowledged write when SIGTERM arrives mid-load', async () => {
    await sigtermUnderLoad(await startServer(), 400);
  });
});
