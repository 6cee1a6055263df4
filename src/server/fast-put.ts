import { performance } from 'node:perf_hooks';
import { mayHoldInexactNumber } from '../engine/json-numbers.js';
import type { ServedDatabase } from './database.js';
import type { RawRequest } from './raw-front.js';
import { KEY_ROUTE, keyOf, okResponses, type FastPathOptions } from './raw-response.js';

export interface FastPutOptions extends FastPathOptions {
  db: ServedDatabase;
  /** The server's body limit: larger bodies are the router's to refuse. */
  maxBodyBytes: number;
}

/** The `content-type` values Fastify's JSON parser takes as they are (others are left to it). */
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);

/**
 * The PUT hot path on a raw connection (raw-front.ts): `PUT /api/v1/:ns/:key` with a JSON body
 * `{"value": …}` is written and answered without node:http's request objects, Fastify's routing,
 * hooks, body parser and serializer, which cost more than the write itself. The write and its
 * answer are the routed route's: `db.put()` of the body's `value`, `200` with the VersionedValue
 * (serialized as the route's serializer does, key for key), the same headers, log line and
 * metrics (writes are counted by the database's commit listener, whichever path wrote).
 *
 * Only a request the route would accept as it is is taken here. Anything else is handed to the
 * router, which then answers exactly as it always does: another content type, a body that is not
 * JSON or not an object with `value`, one over the body limit, a closing server or a connection
 * over the limit. A write the database refuses (an invalid key or value, say) wrote nothing, so it
 * is handed over too and the router gives the refusal its usual answer. A write that succeeded is
 * always answered here: handing it over would write it twice.
 */
export function fastPut(o: FastPutOptions): (req: RawRequest) => Promise<Buffer | undefined> | undefined {
  const { db, requests, genReqId, turnedAway, closing, maxBodyBytes } = o;
  const ok = okResponses(o);
  const record = requests.recorderFor('PUT', KEY_ROUTE, 200);
  return (req) => {
    const start = performance.now();
    const body = req.body;
    if (body === undefined || body.length > maxBodyBytes || closing() || turnedAway(req.socket)) return undefined;
    if (req.contentType === undefined || !JSON_TYPES.has(req.contentType.toLowerCase())) return undefined;
    const names = keyOf(req.target);
    if (names === undefined) return undefined;
    let parsed: unknown;
    const text = body.toString('utf8');
    // A number JSON.parse might round is the route's to refuse (exact-numbers.ts).
    if (mayHoldInexactNumber(text)) return undefined;
    try {
      // What Fastify's parser does with poisoning checks off (see createApp): plain JSON.parse.
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.hasOwn(parsed, 'value')) return undefined;
    return db.put(names.namespace, names.key, (parsed as { value: unknown }).value).then((version) => {
      const reqId = req.requestId || genReqId();
      const text = JSON.stringify(version);
      record(reqId, performance.now() - start);
      return ok(reqId, text, Buffer.byteLength(text));
    }, () => undefined);
  };
}
