import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent } from '../../src/events/types.js';
import { fails, json, kdelta, ok, onDb, start, tmpDb } from './helpers.js';

describe('kdelta watch', () => {
  it('prints changes made by other processes as JSON lines and stops cleanly on SIGINT', async () => {
    const path = tmpDb();
    const k = onDb(path);
    ok(await k('set', 'users/alice', '1'));
    const watch = start(['-d', path, 'watch', 'users', '--json']);
    await watch.line(/^Watching namespace 'users'/, 'stderr');
    ok(await k('set', 'users/alice', '{"v":2}'));
    ok(await k('set', 'other/x', '1'));
    ok(await k('set', 'users/bob', '"new"'));
    await watch.line(/"key":"bob"/);
    assert.equal(await watch.stop('SIGINT'), 0);
    const events = watch.output().stdout.trim().split('\n').map((l) => JSON.parse(l) as ChangeEvent);
    assert.deepEqual(events.map((e) => [e.changeType, e.namespace, e.key, e.value]), [
      ['update', 'users', 'alice', { v: 2 }],
      ['insert', 'users', 'bob', 'new'],
    ]);
    assert.equal(events[0].previousValue, 1);
    assert.ok(events[0].seq < events[1].seq);
  });

  it('human lines; --since replays from a sequence number; key and change-type filters; SIGTERM exits 0', async () => {
    const path = tmpDb();
    const k = onDb(path);
    ok(await k('set', 'users/alice', '1'));
    const { lastSeq } = json<{ lastSeq: number }>(await k('status', '--json'));
    ok(await k('set', 'users/alice', '2'));
    ok(await k('delete', 'users/alice'));
    const human = start(['-d', path, 'watch', 'users', '--since', String(lastSeq)]);
    const deletes = start(['-d', path, 'watch', 'users/alice', '--deletes-only', '--since', '0', '--json']);
    const update = await human.line(/UPDATE/);
    assert.match(update, /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] UPDATE users\/alice = 2$/);
    assert.match(await human.line(/DELETE/), /^\[\S+\] DELETE users\/alice$/);
    const del = JSON.parse(await deletes.line(/"changeType"/)) as ChangeEvent;
    assert.deepEqual([del.changeType, del.key, del.value], ['delete', 'alice', null]);
    assert.equal(await human.stop('SIGTERM'), 0);
    assert.equal(await deletes.stop('SIGINT'), 0);
    assert.equal(human.output().stdout.includes('INSERT'), false, 'the insert came before --since');
    assert.equal(deletes.output().stdout.trim().split('\n').length, 1);
  });

  it('--all watches every namespace; bad arguments fail', async () => {
    const path = tmpDb();
    const k = onDb(path);
    const all = start(['-d', path, 'watch', '--all', '--json', '--inserts-only']);
    await all.line(/^Watching all namespaces/, 'stderr');
    ok(await k('set', 'a/x', '1'));
    ok(await k('set', 'b/y', '2'));
    await all.line(/"namespace":"b"/);
    assert.equal(await all.stop(), 0);
    const [both, badSince] = await Promise.all([
      kdelta(['-d', path, 'watch', 'a', '--all']), kdelta(['-d', path, 'watch', 'a', '--since', 'someday']),
    ]);
    assert.match(fails(both, 2), /--all/);
    assert.match(fails(badSince, 1), /Invalid time/);
    // A server that is not there fails before anything claims to be watching.
    const unreachable = fails(await kdelta(['--url', 'http://127.0.0.1:9', 'watch', '--all']), 1);
    assert.match(unreachable, /^Error: cannot reach http:\/\/127\.0\.0\.1:9\n/);
    assert.doesNotMatch(unreachable, /Watching/);
  });

  it('a kdelta killed with SIGKILL while holding the database leaves it usable', async () => {
    const path = tmpDb();
    const k = onDb(path);
    ok(await k('set', 'a/x', '1'));
    const watch = start(['-d', path, 'watch', '--all']);
    await watch.line(/^Watching/, 'stderr');
    await watch.stop('SIGKILL');
    ok(await k('set', 'a/x', '2'));
    assert.equal(ok(await k('get', 'a/x')), '2\n');
    assert.equal(ok(await k('verify')).split('\n')[0], 'Database OK');
  });
});
