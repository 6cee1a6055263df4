import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

// Opening a database on disk must not change how its host process treats its own unhandled
// rejections: the store listens for lmdb's, and a listener alone would make Node ignore the rest.
const INDEX = new URL('../../src/index.ts', import.meta.url).href;
const root = mkdtempSync(join(tmpdir(), 'koru-host-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function host(flags: string[], listen = false, env: NodeJS.ProcessEnv = {}, reason = "new Error('the host forgot this one')"): { status: number | null; stdout: string; stderr: string } {
  const path = join(root, `db${n++}`);
  const script = `
    import { KoruDelta } from ${JSON.stringify(INDEX)};
    const db = await KoruDelta.start({ path: ${JSON.stringify(path)} });
    await db.put('ns', 'k', 1);
    ${listen ? "process.on('unhandledRejection', () => console.log('host handled it'));" : ''}
    Promise.reject(${reason});
    setTimeout(() => console.log('host still running'), 200);
  `;
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a host process with a database on disk', () => {
  it('ends on an unhandled rejection of its own, as Node does by default', () => {
    const r = host([]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /the host forgot this one/);
    assert.doesNotMatch(r.stdout, /still running/);
  });

  it('runs on with --unhandled-rejections=warn, with Node\'s warning', () => {
    const r = host(['--unhandled-rejections=warn']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /host still running/);
    assert.match(r.stderr, /the host forgot this one/);
  });

  it('runs on with --unhandled-rejections=none, silently', () => {
    const r = host(['--unhandled-rejections=none']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /host still running/);
    assert.doesNotMatch(r.stderr, /the host forgot this one/);
  });

  it('runs on and exits 1 with --unhandled-rejections=warn-with-error-code', () => {
    const r = host(['--unhandled-rejections=warn-with-error-code']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /host still running/);
    assert.match(r.stderr, /the host forgot this one/);
  });

  it('reads the mode as Node does: from NODE_OPTIONS, quoted or not, with _ for -; the command line wins', () => {
    const quoted = host([], false, { NODE_OPTIONS: '--unhandled-rejections="warn"' });
    assert.equal(quoted.status, 0, quoted.stderr);
    assert.match(quoted.stdout, /host still running/);
    const wholeQuoted = host([], false, { NODE_OPTIONS: '"--unhandled-rejections=none"' });
    assert.equal(wholeQuoted.status, 0, wholeQuoted.stderr);
    assert.match(wholeQuoted.stdout, /host still running/);
    const underscore = host(['--unhandled_rejections=none']);
    assert.equal(underscore.status, 0, underscore.stderr);
    assert.match(underscore.stdout, /host still running/);
    const quotedThrow = host([], false, { NODE_OPTIONS: '--unhandled-rejections="throw"' });
    assert.notEqual(quotedThrow.status, 0);
    const overridden = host(['--unhandled-rejections=throw'], false, { NODE_OPTIONS: '--unhandled-rejections=warn' });
    assert.notEqual(overridden.status, 0);
    assert.doesNotMatch(overridden.stdout, /still running/);
  });

  it('ends on a rejection with a reason that is no Error as Node does, saying what the reason was', () => {
    const r = host([], false, {}, "'just a string'");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /rejected with the reason "'just a string'"/);
  });

  it('leaves the rejection to a listener of its own', () => {
    const r = host([], true);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /host handled it/);
    assert.match(r.stdout, /host still running/);
  });
});
