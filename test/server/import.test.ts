import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { InvalidValueError, KoruDeltaClient } from '../../src/client/index.js';
import type { ExportRecord } from '../../src/index.js';
import { call, startServer } from './helpers.js';

const NDJSON = 'application/x-ndjson';

/** Raw HTTP/1.1 on one connection: every byte the server sends, and whether it closed. */
async function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let received = '';
  let closed = false;
  socket.setEncoding('utf8').on('data', (d: string) => { received += d; });
  socket.on('close', () => { closed = true; });
  socket.on('error', () => undefined);
  const until = async (test: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!test() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  };
  return { socket, received: () => received, closed: () => closed, until };
}

describe('POST /api/v1/import', () => {
  it('an import refused midway is answered with its error, which the client reports', async () => {
    const server = await startServer();
    const client = new KoruDeltaClient(server.url);
    for (let b = 0; b < 2; b++) {
      await client.putBatch(Array.from({ length: 1000 }, (_, i) => ({ namespace: 'src', key: `k${b}-${i}`, value: { i, pad: 'x'.repeat(1000) } })));
    }
    const records: ExportRecord[] = [];
    for await (const r of client.exportVersions()) records.push(r);
    // A bad record after many good ones: the server refuses it while the rest is still on its way.
    records.splice(1500, 0, { ...records[0], key: 'bad', versionId: 'nothex' });
    for (let attempt = 0; attempt < 5; attempt++) {
      await assert.rejects(client.importVersions(records), (err: unknown) => {
        assert.ok(err instanceof InvalidValueError, `attempt ${attempt}: ${String(err)} (${String((err as Error).cause)})`);
        assert.match(err.message, /^Cannot import src\/bad: .*versionId/);
        return true;
      });
    }
    // Over plain HTTP the refusal says on which line it stopped.
    const body = [records[0], records[1], { ...records[2], versionId: 'nothex' }].map((r) => JSON.stringify(r)).join('\n');
    const r = await call(`${server.url}/api/v1/import`, { method: 'POST', body, headers: { 'content-type': NDJSON } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'INVALID_VALUE');
    assert.match(r.body.error.message, /^Invalid import at line 3: Cannot import src\/k0-2: .*versionId.*; versions on earlier lines may already be imported/);
    // A record whose value does not match its hash: the upload is damaged, not the database.
    const tampered = JSON.stringify({ ...records[3], value: { i: -1 } });
    const damaged = await call(`${server.url}/api/v1/import`, { method: 'POST', body: tampered, headers: { 'content-type': NDJSON } });
    assert.equal(damaged.status, 400);
    assert.equal(damaged.body.error.code, 'CORRUPTED');
    assert.match(damaged.body.error.message, /^Invalid import at line 1: .*does not match its content hash/);
  });

  it('an upload its client cuts off is neither a fault nor a request of its own in the log', async () => {
    const server = await startServer(undefined, {}, { KORU_LOG: 'info' });
    const client = new KoruDeltaClient(server.url);
    await client.put('src', 'k', 1);
    const [record] = await (async () => { const out: ExportRecord[] = []; for await (const r of client.exportVersions()) out.push(r); return out; })();
    for (const cut of ['end', 'destroy'] as const) {
      const conn = await rawConnection(server.url);
      conn.socket.write(`POST /api/v1/import HTTP/1.1\r\nHost: x\r\nContent-Type: ${NDJSON}\r\nContent-Length: 100000\r\n\r\n${JSON.stringify(record)}\n`);
      await new Promise((r) => setTimeout(r, 200));
      if (cut === 'end') conn.socket.end();
      else conn.socket.destroy();
      await conn.until(() => conn.closed());
    }
    await new Promise((r) => setTimeout(r, 300));
    const log = server.stderr();
    assert.doesNotMatch(log, /"level":50/, log);
    assert.doesNotMatch(log, /"method":"UNKNOWN"/, log);
    assert.doesNotMatch(await (await fetch(`${server.url}/metrics`)).text(), /method="UNKNOWN"/);
  });

  it('reads the rest of a refused body before answering, and keeps the connection', async () => {
    const server = await startServer();
    const good = `${JSON.stringify({ pad: 'x' })}\n`;
    const head = 'not json\n';
    const tail = good.repeat(2000);
    const length = Buffer.byteLength(head) + Buffer.byteLength(tail);
    const conn = await rawConnection(server.url);
    conn.socket.write(`POST /api/v1/import HTTP/1.1\r\nHost: test\r\nContent-Type: ${NDJSON}\r\nContent-Length: ${length}\r\n\r\n${head}`);
    await new Promise((r) => setTimeout(r, 300));
    // Nothing yet: a client such as fetch reads the answer only once its body is sent, and an answer
    // that comes first races the connection's close (the client then sees a reset, not the error).
    assert.equal(conn.received(), '', 'no answer while the body is still coming');
    assert.equal(conn.closed(), false, 'the connection is not closed under a client still sending');
    conn.socket.write(tail);
    await conn.until(() => conn.received().includes('is not valid JSON'));
    assert.match(conn.received(), /^HTTP\/1\.1 400 /);
    assert.match(conn.received(), /"Invalid import: line 1 is not valid JSON"/);
    conn.socket.write('GET /health HTTP/1.1\r\nHost: test\r\n\r\n');
    await conn.until(() => conn.received().includes('"status":"ok"'));
    assert.match(conn.received(), /"status":"ok"/, 'the same connection answers the next request');
    conn.socket.destroy();
  });

  it('applies the size limit to each line, also to a long line that arrives whole with others', async () => {
    const server = await startServer(undefined, { maxBodyBytes: 1024 });
    const record = (key: string, note: string) => JSON.stringify({ namespace: 'a', key, value: { note } });
    // The limit is --max-body plus 64 KiB for a record's metadata: 66,560 bytes here.
    for (const long of [70_000, 200_000]) {
      const body = `${record('long', 'y'.repeat(long))}\n${record('short', 'x')}\n`;
      const r = await call(`${server.url}/api/v1/import`, { method: 'POST', body, headers: { 'content-type': NDJSON } });
      assert.equal(r.status, 413, JSON.stringify(r.body));
      assert.match(JSON.stringify(r.body), /line 1 exceeds 66560 bytes/);
    }
    // 800 bytes of UTF-8 in 400 characters: within the limit, so the record itself is judged (it is no export).
    const within = await call(`${server.url}/api/v1/import`, { method: 'POST', body: `${record('a', 'é'.repeat(400))}\n`, headers: { 'content-type': NDJSON } });
    assert.equal(within.status, 400, JSON.stringify(within.body));
  });

  it('takes back its own export of a value as large as --max-body allows (the record around it does not count)', async () => {
    const source = await startServer(undefined, { maxBodyBytes: 1100 });
    const client = new KoruDeltaClient(source.url);
    await client.put('a', 'big', 'z'.repeat(1_080));
    const exported = await fetch(`${source.url}/api/v1/export`).then((r) => r.text());
    assert.ok(exported.length > 1100, 'the export line is longer than --max-body');
    const target = await startServer(undefined, { maxBodyBytes: 1100 });
    const r = await call(`${target.url}/api/v1/import`, { method: 'POST', body: exported, headers: { 'content-type': NDJSON } });
    assert.deepEqual(r.body, { imported: 1, skipped: 0 });
  });

  it('answers 415 naming application/x-ndjson for any other content type, before reading the body', async () => {
    const server = await startServer(undefined, { maxBodyBytes: 1024 });
    const lines = '{"namespace":"a"}\n{"namespace":"b"}\n';
    const cases: Array<[string | undefined, string]> = [
      ['application/json', lines],
      ['text/plain', lines],
      [undefined, lines],
      ['application/json', `{"x":"${'y'.repeat(4000)}"}`],
    ];
    for (const [type, body] of cases) {
      const r = await call(`${server.url}/api/v1/import`, { method: 'POST', body, headers: type === undefined ? {} : { 'content-type': type } });
      assert.equal(r.status, 415, `${type}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: `Unsupported content type: send ${NDJSON}` } });
    }
    const ok = await call(`${server.url}/api/v1/import`, { method: 'POST', body: '', headers: { 'content-type': `${NDJSON}; charset=utf-8` } });
    assert.deepEqual(ok.body, { imported: 0, skipped: 0 });
  });
});
