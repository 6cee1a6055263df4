import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { GetCache } from './get-cache.js';
import type { ServerMetrics } from './metrics.js';

/** The route a fast-path answer stands for, in logs and metrics. */
export const KEY_ROUTE = '/api/v1/:ns/:key';
const JSON_TYPE = 'application/json; charset=utf-8';

export interface FastGetOptions {
  cache: GetCache;
  metrics: ServerMetrics;
  logger: Logger;
  /** The request id generator Fastify uses too, so ids stay unique across both paths. */
  genReqId: () => string;
  /** True for requests on connections over the connection limit (Fastify answers those 503). */
  turnedAway: (req: IncomingMessage) => boolean;
  /** True once the server is shutting down (Fastify answers those 503). */
  closing: () => boolean;
  /** The `x-koru-worker` header value of a worker of a multi-process server. */
  worker?: string;
}

/**
 * The GET hot path before routing: a repeated `GET /api/v1/:ns/:key` whose cached body is still
 * current (GetCache revalidates it against the stored head, so writes by any process show at once)
 * is answered straight from the `request` event, skipping Fastify's routing, hooks, per-request
 * objects and child logger. Everything else, including every first read of a URL, every miss, stale
 * entry and error, goes through Fastify unchanged.
 *
 * The answer is the one the routed path gives: same status, body, `content-type`, `x-request-id`
 * (the request's own header, else a fresh id from the shared generator), same log line (`reqId`,
 * method, route, status, durationMs at info) and the same metrics.
 */
export function fastGet(o: FastGetOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { cache, metrics, logger, genReqId, turnedAway, closing, worker } = o;
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const start = performance.now();
    const hit = cache.current(req.url!);
    if (hit === undefined || closing() || turnedAway(req)) return false;
    const reqId = (req.headers['x-request-id'] as string | undefined) || genReqId();
    res.writeHead(200, worker === undefined
      ? { 'content-type': JSON_TYPE, 'content-length': hit.bytes, 'x-request-id': reqId }
      : { 'content-type': JSON_TYPE, 'content-length': hit.bytes, 'x-request-id': reqId, 'x-koru-worker': worker });
    res.end(hit.body);
    metrics.countRead();
    const durationMs = performance.now() - start;
    metrics.observeRequest('GET', KEY_ROUTE, 200, durationMs / 1000);
    if (logger.isLevelEnabled('info')) {
      logger.info({ reqId, method: 'GET', route: KEY_ROUTE, status: 200, durationMs: Math.round(durationMs * 100) / 100 }, 'request');
    }
    return true;
  };
}

/**
 * A Fastify `serverFactory`: the HTTP server Fastify would make, with `fast` consulted before
 * Fastify's own handler. Fastify applies no server settings when given a factory, so the ones it
 * would apply are applied here. With `worker` set, every routed response (plain, streamed or an
 * error) carries `x-koru-worker: <worker>`: set here once, Node merges it into whatever head the
 * route writes (the fast path writes its own, see FastGetOptions.worker).
 */
export function serverWithFastPath(
  fast: (req: IncomingMessage, res: ServerResponse) => boolean,
  settings: { keepAliveTimeout: number; requestTimeout: number; worker?: string },
): (handler: RequestListener) => Server {
  const worker = settings.worker;
  return (handler) => {
    const server = createServer(worker === undefined
      ? (req, res) => {
        if (!fast(req, res)) handler(req, res);
      }
      : (req, res) => {
        if (fast(req, res)) return;
        res.setHeader('x-koru-worker', worker);
        handler(req, res);
      });
    server.keepAliveTimeout = settings.keepAliveTimeout;
    server.requestTimeout = settings.requestTimeout;
    server.setTimeout(0);
    return server;
  };
}
