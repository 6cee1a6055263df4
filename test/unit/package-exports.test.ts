import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// The package's own name resolves through its `exports` (Node's self-reference), as for a user.
describe('package exports', () => {
  it('korudelta, korudelta/client and korudelta/server are importable; nothing else is', async () => {
    const main = await import('korudelta');
    assert.equal(typeof main.KoruDelta.start, 'function');
    assert.equal(main.ERROR_CODES.KEY_NOT_FOUND, 404);
    const client = await import('korudelta/client');
    assert.equal(typeof client.KoruDeltaClient, 'function');
    const server = await import('korudelta/server');
    assert.deepEqual([typeof server.serve, typeof server.serveCluster, typeof server.createApp], ['function', 'function', 'function']);
    assert.equal(server.HTTP_ERROR_CODES.BODY_TOO_LARGE, 413);
    await assert.rejects(import('korudelta/dist/engine/engine.js' as string), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  });
});
