import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { describe, it } from 'node:test';
import { KoruDeltaClient } from '../../src/client/index.js';
import { RESTART_LIMIT, RestartBudget } from '../../src/server/cluster.js';
import { kdelta, tmpDb } from '../cli/helpers.js';
import { sigtermUnderLoad, startServe, startServer, type Json } from './helpers.js';

interface Reply {
  status: number;
  /** The `x-koru-worker` header: the pid of the worker that answered. */
  worker: number;
  body: Json;
}

/** One request; without an agent it goes over a connection of its own (so to the next worker in turn). */
function send(url: string, method = 'GET', json?: unknown, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const req = request(url, { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: Number(res.headers['x-koru-worker']), body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    // A connection handed to a worker just as it was killed is never answered.
    req.setTimeout(5000, () => req.destroy(new Error(`no answer to ${method} ${url}`)));
    req.end(body);
  });
}

const put = (url: string, value: unknown, agent: Agent | false = false) => send(url, 'PUT', { value }, agent);

/** Pids of the workers answering `count` requests over fresh connections. */
async function workersSeen(base: string, count: number): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) seen.add((await send(`${base}/health`)).worker);
  return seen;
}

describe('kdelta serve --workers', () => {
  it('runs every worker on one port, prints one line, and each answers', async () => {
    const server = await startServe(['--workers', '2']);
    assert.match(server.stdout(), /^Listening on http:\/\/127\.0\.0\.1:[1-9]\d*\n$/);
    const seen = await workersSeen(server.url, 6);
    assert.equal(seen.size, 2, `answered by ${[...seen].join(', ')}`);
    assert.ok(![...seen].includes(server.proc.pid!), 'the primary answers no request');
    assert.equal(await server.stop(), 0);
    const json = await startServe(['--workers', '2', '--json']);
    assert.deepEqual(JSON.parse(json.stdout()), { url: json.url });
    assert.equal(await json.stop('SIGINT'), 0);
  });

  it('reads its writes across workers: a GET over a fresh connection sees the last acknowledged PUT, cached or not', async () => {
    const server = await startServe(['--workers', '2']);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const clients = 6;
      const rounds = 40;
      const keyUrl = (c: number) => `${server.url}/api/v1/ryw/k${c}`;
      // Every worker answers (and caches) each key before it is overwritten.
      for (let c = 0; c < clients; c++) {
        assert.equal((await put(keyUrl(c), 0)).status, 200);
        for (let i = 0; i < 4; i++) assert.equal((await send(keyUrl(c))).body.value, 0);
      }
      const client = async (c: number) => {
        const writers = new Set<number>();
        for (let r = 1; r <= rounds; r++) {
          const w = await put(keyUrl(c), r, r % 2 === 0 ? keepAlive : false);
          assert.equal(w.status, 200);
          writers.add(w.worker);
          for (let i = 0; i < 2; i++) {
            const g = await send(keyUrl(c));
            assert.equal(g.status, 200);
            assert.equal(g.body.value, r, `key k${c} round ${r}: worker ${g.worker} answered ${g.body.value} after worker ${w.worker} acknowledged ${r}`);
          }
        }
        return writers;
      };
      const writers = await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
      assert.equal(new Set(writers.flatMap((s) => [...s])).size, 2, 'both workers took writes');
      const db = new KoruDeltaClient(server.url);
      assert.equal((await db.history('ryw', 'k0')).length, rounds + 1);
    } finally {
      keepAlive.destroy();
    }
  });

  it('reads its writes across workers over busy keep-alive connections', async () => {
    const server = await startServe(['--workers', '2']);
    // One connection per agent, so each stays with one worker; sort them by worker.
    const agents = Array.from({ length: 8 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    try {
      const byWorker = new Map<number, Agent[]>();
      for (const a of agents) {
        const { worker } = await send(`${server.url}/health`, 'GET', undefined, a);
        byWorker.set(worker, [...(byWorker.get(worker) ?? []), a]);
      }
      const [one, two] = [...byWorker.values()];
      assert.ok(one && two && one.length > 1 && two.length > 1, 'two connections to each worker');
      // A reader on each worker keeps its snapshot being renewed, as any load does.
      let done = false;
      const background = async (a: Agent) => {
        await put(`${server.url}/api/v1/busy/bg`, 1, a);
        while (!done) await send(`${server.url}/api/v1/busy/bg`, 'GET', undefined, a);
      };
      const readers = [background(one[1]), background(two[1])];
      const url = `${server.url}/api/v1/busy/k`;
      try {
        for (let r = 1; r <= 1000; r++) {
          await put(url, r, r % 2 ? one[0] : two[0]);
          const g = await send(url, 'GET', undefined, r % 2 ? two[0] : one[0]);
          assert.equal(g.body.value, r, `round ${r}: worker ${g.worker} answered ${g.body.value}`);
        }
      } finally {
        done = true;
        await Promise.all(readers);
      }
    } finally {
      for (const a of agents) a.destroy();
    }
  });

  it('streams to a change feed on one worker the writes made through the other', async () => {
    const server = await startServe(['--workers', '2']);
    const events: Json[] = [];
    let watcher = 0;
    const feed = request(`${server.url}/api/v1/watch?namespace=feed`, { agent: false });
    const connected = new Promise<void>((resolve, reject) => {
      feed.on('response', (res) => {
        watcher = Number(res.headers['x-koru-worker']);
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (c: string) => {
          buffer += c;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const data = /^data: (.*)$/m.exec(buffer.slice(0, end));
            if (data) events.push(JSON.parse(data[1]));
            buffer = buffer.slice(end + 2);
          }
        });
        resolve();
      });
      feed.on('error', reject);
    });
    feed.end();
    try {
      await connected;
      assert.ok(watcher > 0);
      let written: Reply | undefined;
      for (let i = 0; i < 10 && written === undefined; i++) {
        const w = await put(`${server.url}/api/v1/feed/k${i}`, i);
        if (w.worker !== watcher) written = w;
      }
      assert.ok(written, 'no write landed on the other worker');
      const deadline = Date.now() + 5000;
      while (!events.some((e) => e.versionId === written!.body.versionId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(events.some((e) => e.versionId === written!.body.versionId), `the feed on worker ${watcher} missed a write through worker ${written.worker}`);
      assert.deepEqual(events.map((e) => e.seq), [...events.map((e) => e.seq)].sort((a, b) => a - b));
    } finally {
      feed.destroy();
    }
  });

  it('replaces a worker that dies, on the same port', async () => {
    const server = await startServe(['--workers', '2'], undefined, { KORU_LOG: 'error' });
    const before = await workersSeen(server.url, 4);
    const [victim] = before;
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    // Probe once the primary has seen the death: a connection handed to the dying worker is lost.
    while (!/worker died/.test(server.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    let after = new Set<number>();
    while (Date.now() < deadline) {
      after = await workersSeen(server.url, 4).catch(() => new Set<number>());
      if (after.size === 2 && !after.has(victim)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(after.size, 2, `workers after the crash: ${[...after].join(', ')}`);
    assert.ok(!after.has(victim));
    assert.match(server.stderr(), /worker died; starting a replacement/);
    assert.equal((await put(`${server.url}/api/v1/a/b`, 1)).status, 200);
    assert.equal(await server.stop(), 0);
  });

  it('gives up with an error, not a restart loop, when workers keep dying', async () => {
    const server = await startServe(['--workers', '2', '--json']);
    const killed = new Set<number>();
    const deadline = Date.now() + 30_000;
    while (server.proc.exitCode === null && Date.now() < deadline) {
      const alive = await workersSeen(server.url, 4).catch(() => new Set<number>());
      for (const pid of alive) {
        if (killed.has(pid)) continue;
        killed.add(pid);
        process.kill(pid, 'SIGKILL');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await server.stop(), 1);
    assert.ok(killed.size >= RESTART_LIMIT && killed.size <= RESTART_LIMIT + 1, `killed ${killed.size} workers`);
    const { error } = JSON.parse(server.stderr().trim().split('\n').at(-1)!);
    assert.equal(error.code, 'WORKERS_FAILED');
    assert.match(error.message, /^Workers keep dying/);
  });

  it('counts worker deaths in a sliding window', () => {
    const budget = new RestartBudget(3, 1000);
    assert.equal(budget.spend(0), true);
    assert.equal(budget.spend(10), true);
    assert.equal(budget.spend(1500), true, 'the first two fell out of the window');
    assert.equal(budget.spend(1600), true);
    assert.equal(budget.spend(1700), false);
  });

  it('loses no acknowledged write when SIGTERM arrives mid-load', async () => {
    await sigtermUnderLoad(await startServe(['--workers', '2']), 500);
  });

  it('refuses a bad worker count and a port in use with clear errors', async () => {
    for (const bad of ['0', 'abc', '-1', '1.5']) {
      const r = await kdelta(['-d', tmpDb(), 'serve', '--port', '0', '--workers', bad]);
      assert.equal(r.code, 2, `--workers ${bad}`);
      assert.match(r.stderr, /^Error: Invalid --workers ".*": expected a positive integer or auto\n/);
      assert.equal(r.stdout, '');
    }
    const json = await kdelta(['--json', '-d', tmpDb(), 'serve', '--workers', 'abc']);
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stderr).error.code, 'USAGE');

    const taken = await startServer();
    const port = new URL(taken.url).port;
    const t0 = Date.now();
    const clash = await kdelta(['--json', '-d', tmpDb(), 'serve', '--port', port, '--workers', '2']);
    assert.ok(Date.now() - t0 < 15_000);
    assert.equal(clash.code, 1);
    assert.equal(clash.stdout, '');
    const { error } = JSON.parse(clash.stderr.trim().split('\n').at(-1)!);
    assert.equal(error.code, 'EADDRINUSE');
    assert.equal(error.message, `Cannot listen on 127.0.0.1:${port}: address already in use`);
  });
});
