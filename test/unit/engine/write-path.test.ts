import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HybridClock } from '../../../src/engine/clock.js';
import { BUCKETS } from '../../../src/engine/keys.js';
import { encodeValue } from '../../../src/engine/value.js';
import { WritePath, type CommittedWrite, type WriteOp } from '../../../src/engine/write-path.js';
import { MemoryStore } from '../../../src/storage/memory-store.js';
import type { WriteTxn } from '../../../src/storage/store.js';

/** A store whose transactions start, and report their commit, only when the test says so. */
class GatedStore extends MemoryStore {
  readonly requests: Array<{ start(): void; commit(): void }> = [];

  override transaction<T>(fn: (txn: WriteTxn) => T): Promise<T> {
    let start!: () => void;
    let commit!: () => void;
    const started = new Promise<void>((r) => { start = r; });
    const committed = new Promise<void>((r) => { commit = r; });
    this.requests.push({ start, commit });
    return started.then(() => super.transaction(fn)).then(async (result) => {
      await committed;
      return result;
    });
  }
}

const put = (key: string, value: number): WriteOp => {
  const encoded = encodeValue(value, 'ns', key, 1024);
  return { kind: 'put', namespace: 'ns', key, encoded, value: encoded.value };
};

const settle = () => new Promise((r) => setImmediate(r));

describe('WritePath group commit', () => {
  it('forms a group when its transaction starts, and requests the next one as soon as it has', async () => {
    const store = new GatedStore(BUCKETS);
    const groups: number[] = [];
    const path = new WritePath(store, new HybridClock(), 'node-a', (writes: CommittedWrite[]) => groups.push(writes.length));
    const done: string[] = [];
    const submit = (key: string, value: number) => path.submit([put(key, value)]).then((w) => {
      done.push(key);
      return w[0];
    });

    const a = submit('a', 1);
    await settle();
    assert.equal(store.requests.length, 1, 'the first write requests a transaction');
    const b = submit('b', 2);
    const a2 = submit('a', 3);
    await settle();
    assert.equal(store.requests.length, 1, 'writes that arrive before it starts wait for it');

    store.requests[0].start();
    await settle();
    const c = submit('c', 4);
    await settle();
    assert.equal(store.requests.length, 2, 'a write after the start requests the next transaction at once');
    assert.deepEqual(done, [], 'nothing resolves before its commit');

    store.requests[0].commit();
    const [va, vb, va2] = await Promise.all([a, b, a2]);
    assert.deepEqual(groups, [3], 'the three writes that waited committed together');
    assert.equal(va2.previous?.versionId, va.version.versionId, 'a chain within the group');
    assert.equal(vb.previous, null);
    assert.deepEqual(done.sort(), ['a', 'a', 'b']);

    store.requests[1].start();
    store.requests[1].commit();
    const vc = await c;
    assert.deepEqual(groups, [3, 1]);
    assert.ok(vc.version.seq > va2.version.seq);
    await path.drain();
    assert.equal(store.requests.length, 2);
  });

  it('rejects the waiting writes when the store refuses before starting, and goes on afterwards', async () => {
    const store = new GatedStore(BUCKETS);
    const path = new WritePath(store, new HybridClock(), 'node-a', () => undefined);
    let refuse = true;
    const transaction = store.transaction.bind(store);
    store.transaction = <T>(fn: (txn: WriteTxn) => T): Promise<T> => {
      if (refuse) return Promise.reject(new Error('store refused'));
      return transaction(fn);
    };
    const first = path.submit([put('x', 1)]);
    const second = path.submit([put('y', 2)]);
    await assert.rejects(first, /store refused/);
    await assert.rejects(second, /store refused/);
    refuse = false;
    const third = path.submit([put('z', 3)]);
    await settle();
    store.requests[0].start();
    store.requests[0].commit();
    assert.equal((await third)[0].key, 'z');
  });
});

describe('WritePath robustness', () => {
  it('refuses a commit of no writes, and goes on taking writes', async () => {
    const path = new WritePath(new MemoryStore(BUCKETS), new HybridClock(), 'node-a', () => undefined);
    await assert.rejects(path.submit(undefined as unknown as WriteOp[]), TypeError);
    await assert.rejects(path.submit([]), TypeError);
    const [w] = await path.submit([put('a', 1)]);
    assert.equal(w.value, 1);
  });

  it('acknowledges a durable write whose commit handling throws, warns, and goes on taking writes', async () => {
    let calls = 0;
    const path = new WritePath(new MemoryStore(BUCKETS), new HybridClock(), 'node-a', () => {
      calls++;
      if (calls === 1) throw new Error('listener broke');
    });
    const warned = new Promise((resolve) => process.once('warning', resolve));
    const [first] = await path.submit([put('a', 1)]);
    assert.equal(first.value, 1);
    assert.match(String(await warned), /listener broke/);
    const [w] = await path.submit([put('b', 2)]);
    assert.equal(w.value, 2);
  });
});
