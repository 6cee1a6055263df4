import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { injectApp } from './helpers.js';
import { client, listening, withBody } from './raw-client.js';

// JSON.parse turns 12345678901234567890 into 12345678901234567000 without a word: a write holding
// such a number is refused (as the CLI refuses it), on the raw connection path and the routed one.
describe('numbers a write cannot store exactly', () => {
  it('are refused over a raw connection, naming the key and the path inside the value; exact ones pass', async () => {
    const { db, port } = await listening();
    const c = await client(port);
    const send = async (path: string, body: string) => {
      c.send(withBody('PUT', path, body));
      const r = await c.next();
      return { status: r.status, body: JSON.parse(r.body) };
    };
    const big = await send('/api/v1/ids/a', '{"value": 12345678901234567890}');
    assert.equal(big.status, 400);
    assert.equal(big.body.error.code, 'INVALID_VALUE');
    assert.match(big.body.error.message, /^Invalid value for ids\/a: the number 12345678901234567890 at \$ cannot be stored exactly/);
    const nested = await send('/api/v1/ids/b', '{"value": {"list": [1, {"n": 9007199254740993}], "s": "12345678901234567890"}}');
    assert.equal(nested.status, 400);
    assert.match(nested.body.error.message, /ids\/b: the number 9007199254740993 at \$\.list\[1\]\.n /);
    const digits = await send('/api/v1/ids/c', '{"value": 0.12345678901234567890123}');
    assert.equal(digits.status, 400);
    // A rounding number outside the value does not hide one inside it.
    const masked = await send('/api/v1/ids/c', '{"note": 12345678901234567890, "value": {"x": 9007199254740993}}');
    assert.equal(masked.status, 400);
    assert.match(masked.body.error.message, /ids\/c: the number 9007199254740993 at \$\.x /);
    assert.equal(await db.contains('ids', 'a'), false);
    assert.equal(await db.contains('ids', 'b'), false);
    // Exact numbers, long digit runs in strings, and the largest safe integer are stored.
    for (const [key, text, value] of [
      ['d', '{"value": 9007199254740991}', 9007199254740991],
      ['e', '{"value": {"n": 0.1, "big": 1e308, "tiny": 5e-324, "s": "12345678901234567890"}}', { n: 0.1, big: 1e308, tiny: 5e-324, s: '12345678901234567890' }],
      ['f', '{"value": 1234567890.123456}', 1234567890.123456],
      // What JavaScript writes for large doubles reads back as sent.
      ['g', JSON.stringify({ value: [1e20, 2 ** 53, 2 ** 60, -1e300] }), [1e20, 2 ** 53, 2 ** 60, -1e300]],
    ] as const) {
      const ok = await send(`/api/v1/ids/${key}`, text);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual((await db.get('ids', key)).value, value);
    }
  });

  it('are refused in a batch naming the write they are in, and nothing of the batch is written', async () => {
    const { app, db } = await injectApp();
    const res = await app.inject({
      method: 'POST', url: '/api/v1/batch', headers: { 'content-type': 'application/json' },
      payload: '{"writes": [{"namespace": "ids", "key": "ok", "value": 1, "extra": 12345678901234567890}, {"namespace": "ids", "key": "x", "value": {"id": 18446744073709551615}}]}',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'INVALID_VALUE');
    assert.match(res.json().error.message, /^Invalid value for ids\/x: the number 18446744073709551615 at \$\.id /);
    assert.equal(await db.contains('ids', 'ok'), false);
    const routedPut = await app.inject({ method: 'PUT', url: '/api/v1/ids/y', headers: { 'content-type': 'application/json' }, payload: '{"value": [12345678901234567890]}' });
    assert.equal(routedPut.statusCode, 400);
    assert.match(routedPut.json().error.message, /ids\/y: the number 12345678901234567890 at \$\[0\] /);
    // A query's numbers are compared, not stored: left as they are.
    const query = await app.inject({ method: 'POST', url: '/api/v1/ids/query', headers: { 'content-type': 'application/json' }, payload: '{"filter": {"field": "n", "op": "gt", "value": 12345678901234567890}}' });
    assert.equal(query.statusCode, 200);
  });
});
