import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, ok, onDb, start, tmpDb, tmpDir, type Result, type Running } from './helpers.js';

/**
 * `kdelta` with a deadline: before the client checked names, `list watch` read the change feed
 * forever. Killed after `ms`, so such a hang fails the comparison instead of the whole run.
 */
function within(args: readonly string[], ms = 15_000): Promise<Result> {
  const run = start(args);
  const timer = setTimeout(() => void run.stop('SIGKILL'), ms);
  return new Promise((resolve) => {
    run.child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...run.output() });
    });
  });
}

/** Requests the server has answered, other than the /metrics scrapes that count them. */
async function requestsServed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^korudelta_http_requests_total\{([^}]*)\} (\d+)$/gm)) {
    if (!m[1].includes('route="/metrics"')) total += Number(m[2]);
  }
  return total;
}

describe('kdelta --url refuses the names the library refuses', () => {
  const path = tmpDb();
  const local = onDb(path);
  let server: Running;
  let url = '';

  before(async () => {
    ok(await local('view', 'create', 'keepme', 'orders'));
    ok(await local('set', 'orders/o1', '{"amount":5}'));
    server = start(['-d', path, 'serve', '--port', '0']);
    url = (await server.line(/^Listening on http:\/\//)).replace('Listening on ', '');
  });
  after(() => server.stop('SIGKILL'));

  it('fails exactly as locally, sends nothing, and the view named like a route survives', async () => {
    const cases: string[][] = [
      ['delete', 'views/keepme'], ['delete', 'views/keepme', '--json'], ['get', 'views/keepme', '--json'],
      ['get', 'status/verify'], ['get', 'export/x', '--at', '1h ago'], ['set', 'views/keepme', '1'],
      ['list', 'status'], ['list', 'export'], ['list', 'watch'], ['list', 'namespaces', '--json'],
      ['log', 'batch/x'], ['query', 'import', '-f', 'amount > 1'], ['get', '_hidden/x'], ['get', 'orders/a\u0001b'],
      ['watch', 'status'], ['watch', 'views/keepme', '--json'], ['watch', 'orders', '-f', 'amount >>'],
      ['get', './k'], ['list', '..'], ['view', 'query', '..'], ['view', 'refresh', '.'], ['view', 'delete', '..'],
    ];
    const served = await requestsServed(url);
    // One at a time: a remote case that did reach the server must not change what the next sees.
    for (const args of cases) {
      const [l, r] = await Promise.all([within(['-d', path, ...args]), within(['--url', url, ...args])]);
      const what = args.join(' ');
      assert.notEqual(l.code, 0, `${what}: fails locally`);
      assert.equal(r.signal, null, `${what}: remote ended by itself (stdout: ${r.stdout})`);
      assert.equal(r.code, l.code, `${what}: exit code\nremote stderr: ${r.stderr}`);
      assert.equal(r.stdout, l.stdout, `${what}: stdout`);
      assert.equal(r.stderr, l.stderr, `${what}: stderr`);
    }
    assert.equal(await requestsServed(url), served, 'no request reached the server');
    const views = json<Array<{ name: string }>>(await within(['--url', url, 'view', 'list', '--json']));
    assert.deepEqual(views.map((v) => v.name), ['keepme']);
    assert.match(ok(await within(['--url', url, 'view', 'query', 'keepme', '--json'])), /"records"/);
  });

  it('fails as locally on a --since past the log, a negative --since and an import of a directory', async () => {
    const dir = tmpDir();
    const cases: string[][] = [
      ['watch', 'orders', '--since', '999'], ['watch', '--all', '--since', '999', '--json'],
      ['watch', 'orders', '--since', '-1'], ['import', dir], ['import', dir, '--json'],
    ];
    for (const args of cases) {
      const [l, r] = await Promise.all([within(['-d', path, ...args]), within(['--url', url, ...args])]);
      const what = args.join(' ');
      assert.notEqual(l.code, 0, `${what}: fails locally`);
      assert.equal(r.code, l.code, `${what}: exit code\nremote stderr: ${r.stderr}`);
      assert.equal(r.stdout, l.stdout, `${what}: stdout`);
      assert.equal(r.stderr, l.stderr, `${what}: stderr`);
    }
    assert.match((await within(['-d', path, 'watch', 'orders', '--since', '-1'])).stderr, /Invalid --since -1: a change sequence number is 0 or more/);
    assert.match((await within(['-d', path, 'import', dir])).stderr, /Cannot read .*: it is a directory/);
    const both = await within(['-d', path, '--url', url, 'get', 'orders/o1']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /Give either -d <dir> \(a local database\) or --url \(a server\), not both/);
  });

  it('refuses a key spelled . or .. before sending it: a URL client would resolve it to another route', async () => {
    const served = await requestsServed(url);
    for (const key of ['.', '..']) {
      const r = await within(['--url', url, 'get', `orders/${key}`, '--json']);
      assert.equal(r.code, 1);
      const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string } };
      assert.equal(error.code, 'INVALID_KEY');
      assert.match(error.message, /cannot be sent in a URL/);
    }
    assert.equal(await requestsServed(url), served, 'no request reached the server');
  });
});
