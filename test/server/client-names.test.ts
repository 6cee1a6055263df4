import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { KoruDeltaClient } from '../../src/client/index.js';
import { KoruDelta } from '../../src/index.js';

type Call = (db: KoruDelta | KoruDeltaClient) => Promise<unknown> | unknown;

/** What a call threw or rejected with (undefined when it succeeded). */
async function failure(call: () => Promise<unknown> | unknown): Promise<Error | undefined> {
  try {
    const result = call();
    if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      await (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
    } else await result;
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

describe('KoruDeltaClient checks names as the library does', () => {
  it('rejects reserved and invalid namespaces and keys with the library error, sending nothing', async () => {
    const db = await KoruDelta.start();
    after(() => db.close());
    const sent: string[] = [];
    const client = new KoruDeltaClient('http://127.0.0.1:9', {
      fetch: (async (input: string | URL | Request) => {
        sent.push(String(input));
        throw new Error('no request should be sent');
      }) as typeof fetch,
    });
    const cases: Array<[string, Call]> = [
      ['get views/keepme', (d) => d.get('views', 'keepme')],
      ['get status/verify', (d) => d.get('status', 'verify')],
      ['getAt export/x', (d) => d.getAt('export', 'x', '1h ago')],
      ['getAt with a dot-segment time', (d) => d.getAt('orders', 'x', '..')],
      ['history batch/x', (d) => d.history('batch', 'x')],
      ['delete views/keepme', (d) => d.delete('views', 'keepme')],
      ['put _hidden/x', (d) => d.put('_hidden', 'x', 1)],
      ['listKeys status', (d) => d.listKeys('status')],
      ['listKeys watch', (d) => d.listKeys('watch')],
      ['listKeys a/b', (d) => d.listKeys('a/b')],
      ['listKeys 5', (d) => d.listKeys(5 as unknown as string)],
      ['query namespaces', (d) => d.query('namespaces', {})],
      ['get with a control character', (d) => d.get('orders', 'a\u0001b')],
      ['get with an empty key', (d) => d.get('orders', '')],
      ['watch status', (d) => d.watch({ namespace: 'status' })],
      ['watch a key of a reserved namespace', (d) => d.watch({ namespace: 'views', key: 'keepme' })],
      ['watch with a bad filter', (d) => d.watch({ namespace: 'orders', filter: 'amount >>' })],
    ];
    for (const [what, call] of cases) {
      const expected = await failure(() => call(db));
      assert.ok(expected, `${what}: the library refuses it`);
      const actual = await failure(() => call(client));
      assert.ok(actual, `${what}: the client refuses it`);
      assert.equal(actual.constructor, expected.constructor, `${what}: ${actual.message}`);
      assert.equal((actual as { code?: string }).code, (expected as { code?: string }).code, what);
      assert.equal(actual.message, expected.message, what);
    }
    assert.deepEqual(sent, []);
  });

  it('watch() refuses synchronously, as the library does, so nothing can report "watching" first', async () => {
    const client = new KoruDeltaClient('http://127.0.0.1:9');
    assert.throws(() => client.watch({ namespace: 'status' }), { code: 'INVALID_NAMESPACE', message: 'Invalid namespace "status": the name is reserved' });
    const lib = await KoruDelta.start();
    after(() => lib.close());
    const filters = [{ changeTypes: [] }, { changeTypes: ['bogus'] }, { changeTypes: 'insert' }, { since: -1 }, { since: 1.5 }, { since: 'soon-ish' }] as never[];
    for (const filter of filters) {
      const local = await failure(() => lib.watch(filter));
      const remote = await failure(() => client.watch(filter));
      assert.ok(local, JSON.stringify(filter));
      assert.deepEqual([remote?.constructor, remote?.message], [local.constructor, local.message], JSON.stringify(filter));
    }
  });

  it('watch(): a relative since is one instant across reconnections; return() ends the feed at once', async () => {
    const sent: string[] = [];
    // A server that is there but answers nothing yet: next() waits.
    const client = new KoruDeltaClient('http://127.0.0.1:9', {
      fetch: (async (url: string | URL, init?: RequestInit) => {
        sent.push(String(url));
        return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      }) as typeof fetch,
    });
    const iterator = client.watch({ since: '1h ago' })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await new Promise((r) => setTimeout(r, 20));
    const since = new URL(sent[0]).searchParams.get('since');
    assert.match(since ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'an absolute time');
    const ended = await Promise.race([iterator.return!().then(() => 'ended'), new Promise((r) => setTimeout(() => r('still waiting'), 2_000))]);
    assert.equal(ended, 'ended');
    assert.deepEqual(await pending, { value: undefined, done: true });
  });
});
