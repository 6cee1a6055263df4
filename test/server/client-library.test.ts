import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConnectionError, HttpError, KoruDeltaClient } from '../../src/client/index.js';
import { KoruDelta } from '../../src/index.js';
import { formatMicros, toMicros } from '../../src/engine/time.js';
import { versionIdOf } from '../../src/engine/version-id.js';
import type { ExportRecord } from '../../src/engine/types.js';
import { startServer } from './helpers.js';

/** A client whose every request gets what `answer` returns (no server). */
function stubbed(answer: (url: string, n: number) => Response | Promise<Response>, options: { timeoutMs?: number } = {}) {
  let n = 0;
  const client = new KoruDeltaClient('http://127.0.0.1:9', {
    ...options,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const signal = init?.signal ?? undefined;
      return Promise.race([
        answer(String(input), n++),
        new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
      ]);
    }) as typeof fetch,
  });
  return { client, requests: () => n };
}

const html = (status = 200) => new Response('<html>proxy</html>', { status, headers: { 'content-type': 'text/html' } });
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The error a call rejects with (fails the test if it resolves). */
async function rejection(call: () => Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await call();
  } catch (err) {
    return err as Error & { code?: string };
  }
  assert.fail('expected a rejection');
}

async function first<T>(iterable: AsyncIterable<T>): Promise<T | undefined> {
  const it = iterable[Symbol.asyncIterator]();
  try {
    return (await it.next()).value;
  } finally {
    await it.return?.();
  }
}

describe('KoruDeltaClient answers as the library does', { timeout: 60_000 }, () => {
  it('refuses a success answer that is not KoruDelta JSON instead of returning it', async () => {
    const { client } = stubbed(() => html());
    for (const call of [() => client.get('n', 'a'), () => client.listKeys('n'), () => client.history('n', 'a'), () => client.deleteView('v')]) {
      const err = await rejection(call);
      assert.ok(err instanceof HttpError, String(err));
      assert.equal(err.code, 'HTTP_200');
      assert.match(err.message, /not a KoruDelta response \(content-type text\/html\): <html>proxy/);
    }
    const exported = await rejection(() => first(client.exportVersions()));
    assert.ok(exported instanceof HttpError && exported.code === 'HTTP_200', String(exported));

    const empty = stubbed(() => new Response('', { status: 200, headers: { 'content-type': 'application/json' } }));
    assert.equal((await rejection(() => empty.client.get('n', 'a'))).code, 'HTTP_200');
    const wrongShape = stubbed(() => json({}));
    assert.equal((await rejection(() => wrongShape.client.listKeys('n'))).code, 'HTTP_200');
    assert.equal((await rejection(() => wrongShape.client.get('n', 'a'))).code, 'HTTP_200');
  });

  it('fails a watch whose answer is not an event stream at once, and retries a gateway or shutdown refusal when reconnecting', async () => {
    const page = stubbed(() => html());
    const err = await rejection(() => first(page.client.watch({})));
    assert.ok(err instanceof HttpError && err.code === 'HTTP_200', String(err));
    assert.equal(page.requests(), 1);

    const event = (seq: number) => `id: ${seq}\ndata: ${JSON.stringify({ seq, key: `k${seq}` })}\n\n`;
    const sse = (text: string) => new Response(text, { headers: { 'content-type': 'text/event-stream' } });
    const flaky = stubbed((url, n) => [
      () => sse(event(1)),
      () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      () => json({ error: { code: 'SERVICE_UNAVAILABLE', message: 'The server is shutting down; retry later' } }, 503),
      () => sse(event(2)),
    ][Math.min(n, 3)]());
    const seen: number[] = [];
    for await (const e of flaky.client.watch({})) {
      seen.push(e.seq);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [1, 2]);
    assert.equal(flaky.requests(), 4);
  });

  it('bounds the wait for a stream to start with timeoutMs', async () => {
    const { client } = stubbed(() => new Promise<Response>(() => undefined), { timeoutMs: 200 });
    for (const call of [() => first(client.watch({})), () => first(client.exportVersions())]) {
      const t0 = Date.now();
      const err = await rejection(call);
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /no response from .* within 0.2 s/);
      assert.ok(Date.now() - t0 < 5_000);
    }
  });

  it('checks arguments as the library does before sending anything', async () => {
    const db = await KoruDelta.start();
    after(() => db.close());
    await db.put('n', 'a', 1);
    const { client, requests } = stubbed(() => assert.fail('no request should be sent'));
    const cases: Array<(d: KoruDelta | KoruDeltaClient) => Promise<unknown>> = [
      (d) => d.history('n', 'a', { from: new Date('x') }),
      (d) => d.history('n', 'a', { latest: '1' as unknown as number }),
      (d) => d.history('n', 'a', { latest: 1, filter: 'value >' }),
      (d) => d.query('n', { limit: Number.NaN }),
      (d) => d.query('n', { limit: Number.POSITIVE_INFINITY }),
      (d) => d.query('n', { at: new Date('x') }),
      (d) => d.query('n', { filter: { field: 'x', op: 'eq', value: new Date(0) as unknown as string } }),
      (d) => first(d.exportVersions({ at: new Date('x') })),
      (d) => d.importVersions([{ namespace: 'n', key: 'a', value: 1n } as unknown as ExportRecord]),
      (d) => d.importVersions([null as unknown as ExportRecord]),
    ];
    for (const call of cases) {
      const local = await rejection(() => call(db));
      const remote = await rejection(() => call(client));
      assert.equal(remote.constructor, local.constructor, `${call}: ${remote.message}`);
      assert.equal(remote.code, local.code, String(call));
      assert.equal(remote.message, local.message, String(call));
    }
    assert.equal(requests(), 0);
  });
});

describe('KoruDeltaClient against a real server', { timeout: 60_000 }, () => {
  it('reports the failure of its own import source, not a connection error', async () => {
    const server = await startServer();
    const client = new KoruDeltaClient(server.url);
    const boom = new Error('source failed: disk gone');
    const source = (async function* () {
      yield* [] as ExportRecord[];
      throw boom;
    })();
    assert.equal(await rejection(() => client.importVersions(source)), boom);
    assert.equal((await client.status()).keyCount, 0);
  });

  it('leaves the date limit of an import to the server, and reports its refusal in the library\'s words', async () => {
    const server = await startServer();
    const client = new KoruDeltaClient(server.url);
    const [record] = await (async () => {
      await client.put('n', 'a', 1);
      const out: ExportRecord[] = [];
      for await (const r of client.exportVersions()) out.push(r);
      return out;
    })();
    const dated = (aheadMs: number): ExportRecord => {
      const micros = (Date.now() + aheadMs) * 1000;
      const versionId = versionIdOf(record.origin, 'n', 'b', micros, record.contentHash, false, []);
      return { ...record, key: 'b', versionId, timestamp: formatMicros(micros), previousVersion: null, parents: [] };
    };
    const err = await rejection(() => client.importVersions([dated(120_000)]));
    assert.equal(err.code, 'INVALID_TIME');
    assert.match(err.message, /^Cannot import n\/b: timestamp .* is more than 60 s ahead of this machine's clock/);
    assert.deepEqual(await client.importVersions([dated(10_000)]), { imported: 1, skipped: 0 });
    // Sent even when this machine's clock finds the record in the future: the server's clock decides.
    const message = 'Cannot import n/b: timestamp "x" is more than 60 s ahead of this machine\'s clock';
    const stub = stubbed(() => json({ error: { code: 'INVALID_TIME', message: `Invalid import at line 7: ${message}; versions on earlier lines may already be imported (importing again skips them)` } }, 400));
    const refused = await rejection(() => stub.client.importVersions([dated(3_600_000)]));
    assert.equal(stub.requests(), 1);
    assert.equal(refused.message, message);
  });

  it('sends times as the instants they stand for, names the key of a value too large, and mirrors contains, stats and close', async () => {
    const server = await startServer();
    const client = new KoruDeltaClient(server.url);
    const v1 = await client.put('n', 'a', 1);
    await new Promise((r) => setTimeout(r, 5));
    await client.put('n', 'a', 2);
    // A fractional epoch ms (the library takes them): 2 µs after the first version.
    const epoch = toMicros(v1.timestamp) / 1000 + 0.002;
    assert.equal((await client.getAt('n', 'a', epoch)).value, 1);
    const past = await client.query('n', { at: epoch });
    assert.deepEqual(past.records.map((r) => r.value), [1]);
    const firstOnly = await client.history('n', 'a', { to: epoch });
    assert.deepEqual(firstOnly.map((v) => v.value), [1]);

    // A small body limit: the whole over-limit body is sent before the answer, so what is checked
    // is the client's reading of the 413, not a race with a large upload.
    const small = await startServer(undefined, { maxBodyBytes: 4096 });
    const limited = new KoruDeltaClient(small.url);
    const big = await rejection(() => limited.put('n', 'big', 'x'.repeat(8000)));
    assert.equal(big.code, 'VALUE_TOO_LARGE');
    assert.match(big.message, /^Value for n\/big is too large for the server/);
    const batch = await rejection(() => limited.putBatch([{ namespace: 'n', key: 'small', value: 1 }, { namespace: 'n', key: 'big', value: 'x'.repeat(8000) }]));
    assert.ok(batch instanceof HttpError && batch.code === 'BODY_TOO_LARGE', String(batch));

    assert.equal(await client.contains('n', 'a'), true);
    assert.equal(await client.contains('n', 'zz'), false);
    assert.deepEqual(await client.stats(), { keyCount: 1, totalVersions: 2, namespaceCount: 1, lastSeq: 2, namespaces: [{ namespace: 'n', keyCount: 1 }] });
    await client.close();
    assert.equal((await rejection(() => client.get('n', 'a'))).code, 'DATABASE_CLOSED');
  });
});
