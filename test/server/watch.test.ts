import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { KoruDeltaClient, parseSse, type SseMessage } from '../../src/client/index.js';
import type { ChangeEvent } from '../../src/events/types.js';
import { call, startServer } from './helpers.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** An open SSE response read message by message. */
async function openFeed(url: string, headers: Record<string, string> = {}, serverLog: () => string = () => '') {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  // The body is locked now, not at the first next(): undici cancels the unlocked body of a Response
  // that was garbage-collected, and the feed would then end before it is read.
  const body = (res.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const messages = parseSse({ [Symbol.asyncIterator]: () => body })[Symbol.asyncIterator]();
  return {
    /** The next message carrying data (change events), skipping id-only messages. */
    async next(): Promise<SseMessage & { event: string }> {
      for (;;) {
        const m = await messages.next();
        if (m.done) throw new Error(`feed ended; the server's log:\n${serverLog()}`);
        if (m.value.data !== '') return m.value;
      }
    },
    close: () => controller.abort(),
  };
}

/** The raw text of a feed for `ms` milliseconds. */
async function rawFor(url: string, ms: number): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } catch {
    // aborted
  } finally {
    clearTimeout(timer);
  }
  return text;
}

describe('change feed over SSE', () => {
  it('sends headers and a comment at once, heartbeats, and ids equal to seq', async () => {
    const server = await startServer(undefined, { heartbeatMs: 100 }, { KORU_LOG: 'debug' });
    const text = await rawFor(`${server.url}/api/v1/watch`, 450);
    assert.match(text, /^: connected\n/);
    assert.ok((text.match(/: heartbeat\n\n/g) ?? []).length >= 2, text);

    const client = new KoruDeltaClient(server.url);
    const feed = await openFeed(`${server.url}/api/v1/watch?namespace=w`, {}, server.stderr);
    const v = await client.put('w', 'a', 1);
    await client.put('other', 'a', 1);
    await client.put('w', 'a', 2);
    await client.delete('w', 'a');
    const events = [await feed.next(), await feed.next(), await feed.next()];
    const parsed = events.map((m) => JSON.parse(m.data) as ChangeEvent);
    assert.deepEqual(parsed.map((e) => e.changeType), ['insert', 'update', 'delete']);
    assert.deepEqual(events.map((m) => m.id), parsed.map((e) => String(e.seq)));
    assert.equal(parsed[0].versionId, v.versionId);
    feed.close();

    // The library's checks and errors: an unknown type, a list of none, a seq past the log's end.
    for (const query of ['changeTypes=insert,upsert', 'changeTypes=%2C', 'changeTypes=', 'since=1770206400000', 'filter=%7Bnot%20json']) {
      const bad = await call(`${server.url}/api/v1/watch?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.body.error.code, 'INVALID_QUERY', query);
    }

    // HEAD gets the stream's head at once, and no subscription is left open.
    const head = await fetch(`${server.url}/api/v1/watch`, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type') ?? '', /^text\/event-stream/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /korudelta_sse_subscribers 0/);
  });

  it('waits for a client that stopped reading (holding no more than the bound), then delivers everything', { timeout: 60_000 }, async () => {
    const server = await startServer();
    const { hostname, port } = new URL(server.url);
    const stalled = connect(Number(port), hostname);
    await once(stalled, 'connect');
    stalled.write('GET /api/v1/watch?namespace=big HTTP/1.1\r\nHost: x\r\n\r\n');
    stalled.pause(); // reads nothing for now
    stalled.on('error', () => undefined);
    const client = new KoruDeltaClient(server.url);
    const subscribers = async () => Number(/korudelta_sse_subscribers (\d+)/.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);
    const deadline = Date.now() + 5_000;
    while (await subscribers() !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const pad = 'x'.repeat(400_000);
    for (let i = 0; i < 60; i++) await client.put('big', `k${i}`, { i, pad });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await subscribers(), 1, 'the stalled feed waits');
    // Now it reads: every event arrives, in order, over the same connection.
    let text = '';
    stalled.setEncoding('latin1').on('data', (d: string) => { text += d; });
    stalled.resume();
    const until = Date.now() + 30_000;
    while ((text.match(/^id: \d+$/gm) ?? []).length < 61 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const ids = (text.match(/^id: (\d+)$/gm) ?? []).map((l) => Number(l.slice(4)));
    assert.deepEqual(ids, Array.from({ length: 61 }, (_, i) => i), 'the connect id 0, then every change once, in order');
    stalled.destroy();
  });

  it('delivers changes larger than the backlog bound, several in a row, and the changes after them', { timeout: 60_000 }, async () => {
    const server = await startServer(undefined, {}, { KORU_LOG: 'debug' });
    const client = new KoruDeltaClient(server.url);
    await client.put('big', 'huge', 'x'.repeat(12 * 1024 * 1024));
    for (let i = 0; i < 3; i++) await client.put('big', `large${i}`, 'y'.repeat(6 * 1024 * 1024));
    for (let i = 0; i < 3; i++) await client.put('big', `small${i}`, i);
    const keys: string[] = [];
    for await (const e of client.watch({ namespace: 'big', since: 0 })) {
      keys.push(e.key);
      if (keys.length === 7) break;
    }
    assert.deepEqual(keys, ['huge', 'large0', 'large1', 'large2', 'small0', 'small1', 'small2']);
    assert.doesNotMatch(server.stderr(), /cut off/);
    await client.close();
  });

  it('resumes from Last-Event-ID (and ?since) without gaps or repeats', async () => {
    const server = await startServer(undefined, {}, { KORU_LOG: 'debug' });
    const client = new KoruDeltaClient(server.url);
    const feed = await openFeed(`${server.url}/api/v1/watch?namespace=r`, {}, server.stderr);
    for (let i = 0; i < 3; i++) await client.put('r', `k${i}`, i);
    const first = [await feed.next(), await feed.next()];
    feed.close();
    const lastId = first[1].id!;
    for (let i = 3; i < 6; i++) await client.put('r', `k${i}`, i);
    const resumed = await openFeed(`${server.url}/api/v1/watch?namespace=r&since=0`, { 'last-event-id': lastId }, server.stderr);
    const keys = [];
    for (let i = 0; i < 4; i++) keys.push((JSON.parse((await resumed.next()).data) as ChangeEvent).key);
    assert.deepEqual(keys, ['k2', 'k3', 'k4', 'k5']);
    resumed.close();
    const since = await openFeed(`${server.url}/api/v1/watch?namespace=r&since=0`, {}, server.stderr);
    assert.equal((JSON.parse((await since.next()).data) as ChangeEvent).key, 'k0');
    since.close();
  });

  it('delivers writes made by another process to subscribers, and the client resumes across a restart', async () => {
    const server = await startServer();
    const client = new KoruDeltaClient(server.url);
    const seen: ChangeEvent[] = [];
    const watching = (async () => {
      for await (const e of client.watch({ namespace: 'x' })) {
        seen.push(e);
        if (seen.length === 2) return;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const script = `const { KoruDelta } = await import(${JSON.stringify(join(root, 'dist/index.js'))});
      const db = await KoruDelta.start({ path: process.argv[1] });
      await db.put('x', 'local', 'from-cli');
      await db.close();`;
    await run(process.execPath, ['--input-type=module', '-e', script, server.dbPath]);
    await client.put('x', 'remote', 1);
    await watching;
    assert.deepEqual(seen.map((e) => e.key).sort(), ['local', 'remote']);
    await client.close();
  });
});
