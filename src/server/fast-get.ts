import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { missingHost } from './client-errors.js';
import { installRawFront, type RawAnswer, type RawFront, type RawRequest } from './raw-front.js';
import type { CachedBody, GetCache } from './get-cache.js';
import type { ServerMetrics } from './metrics.js';
import { clientRequestId } from './request-id.js';
import { JSON_TYPE, KEY_ROUTE, keyOf, okResponses, type FastPathOptions } from './raw-response.js';

export interface FastGetOptions extends FastPathOptions {
  cache: GetCache;
  metrics: ServerMetrics;
}

/** Both fast paths: on a raw connection (raw-front.ts) and on a node:http request before routing. */
export interface FastGet {
  raw: RawAnswer;
  routed: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * The GET hot path: a `GET /api/v1/:ns/:key` whose cached body is still current (GetCache
 * revalidates it against the stored head, so writes by any process show at once) is answered
 * without Fastify's routing, hooks, per-request objects and child logger. On a raw connection a
 * first read of an existing key is read into the cache and answered there too. Everything else
 * (on node:http every miss, and everywhere every error) goes through Fastify.
 *
 * The answer is the one the routed path gives: same status, body, headers (`content-type`,
 * `x-request-id`: the request's own header, else a fresh id from the shared generator; node:http's
 * `Date`, `Connection` and `Keep-Alive`), same log line (`reqId`, method, route, status,
 * durationMs at info) and the same metrics.
 */
export function fastGet(o: FastGetOptions): FastGet {
  const { cache, metrics, requests, genReqId, turnedAway, closing, worker, keepAliveTimeout } = o;
  const ok = okResponses({ worker, keepAliveTimeout });

  const recordOk = requests.recorderFor('GET', KEY_ROUTE, 200);
  const record = (reqId: string, start: number): void => {
    metrics.countRead();
    recordOk(reqId, performance.now() - start);
  };

  const respond = (req: RawRequest, hit: CachedBody, start: number): Buffer => {
    const reqId = req.requestId || genReqId();
    record(reqId, start);
    return ok(reqId, hit.body, hit.body.length);
  };

  return {
    raw(req) {
      const start = performance.now();
      if (closing() || turnedAway(req.socket)) return undefined;
      const hit = cache.current(req.target);
      if (hit !== undefined) return respond(req, hit, start);
      // A first read of a key's URL fills the cache here, so the connection stays on the raw path.
      // Whatever fails (not found, invalid names, a reserved name that is a route of its own) is
      // handed to the router, which reads again and answers as it always does.
      const names = keyOf(req.target);
      if (names === undefined) return undefined;
      return cache.body(names.namespace, names.key, req.target)
        .then((body) => (closing() ? undefined : respond(req, body, start)), () => undefined);
    },
    routed(req, res) {
      if (req.method !== 'GET') return false;
      const start = performance.now();
      const hit = cache.current(req.url!);
      if (hit === undefined || closing() || turnedAway(req.socket)) return false;
      const reqId = clientRequestId(req.headers['x-request-id']) ?? genReqId();
      res.writeHead(200, worker === undefined
        ? { 'content-type': JSON_TYPE, 'content-length': hit.body.length, 'x-request-id': reqId }
        : { 'content-type': JSON_TYPE, 'content-length': hit.body.length, 'x-request-id': reqId, 'x-koru-worker': worker });
      res.end(hit.body);
      record(reqId, start);
      return true;
    },
  };
}

/**
 * A Fastify `serverFactory`: the HTTP server Fastify would make, with the fast paths in front when
 * `fast` is given: the raw front on each new connection, then `fast.routed` before Fastify's own
 * handler. Fastify applies no server settings when given a factory, so the ones it would apply are
 * applied here. With `worker` set, every routed response (plain, streamed or an error) carries
 * `x-koru-worker: <worker>`: set here once, Node merges it into whatever head the route writes (the
 * fast paths write their own, see FastGetOptions.worker). `closeIdle()` closes the raw front's
 * connections (all idle), for shutdown.
 */
export function serverWithFastPath(
  fast: FastGet | undefined,
  settings: { keepAliveTimeout: number; requestTimeout: number; worker?: string },
): { factory: (handler: RequestListener) => Server; closeIdle(): void } {
  const worker = settings.worker;
  let front: RawFront | undefined;
  const factory = (handler: RequestListener): Server => {
    const answered = fast?.routed ?? (() => false);
    // A request without Host goes on to the router, whose request hook refuses it with the API's
    // error body (node:http's own refusal, requireHostHeader, is an empty 400).
    const routed = (req: IncomingMessage, res: ServerResponse): boolean => !missingHost(req) && answered(req, res);
    // Timeouts are checked every 5 s (Node's default: 30 s), so a 408 comes close to its limit.
    const server = createServer({ connectionsCheckingInterval: 5_000, requireHostHeader: false }, worker === undefined
      ? (req, res) => {
        if (!routed(req, res)) handler(req, res);
      }
      : (req, res) => {
        if (routed(req, res)) return;
        res.setHeader('x-koru-worker', worker);
        handler(req, res);
      });
    server.keepAliveTimeout = settings.keepAliveTimeout;
    server.requestTimeout = settings.requestTimeout;
    // The head has the whole request's time too (Node's own default is 60 s, below the documented limit).
    server.headersTimeout = settings.requestTimeout;
    server.setTimeout(0);
    if (fast) front = installRawFront(server, { answer: fast.raw, keepAliveTimeout: settings.keepAliveTimeout });
    return server;
  };
  return { factory, closeIdle: () => front?.closeIdle() };
}
