import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerMetrics } from './metrics.js';

/** Route label of requests that matched no route, so unknown paths do not multiply metric series. */
const UNMATCHED = '(unmatched)';

export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? UNMATCHED;
}

/** One log line and the metrics of a finished request; the SSE route calls it when a feed closes. */
export function recordRequest(req: FastifyRequest, metrics: ServerMetrics, status: number, durationMs: number): void {
  const route = routeOf(req);
  metrics.observeRequest(req.method, route, status, durationMs / 1000);
  req.log.info({ method: req.method, route, status, durationMs: Math.round(durationMs * 100) / 100 }, 'request');
}

/** Replaces Fastify's two request lines with one line per request (method, route, status, duration, request id). */
export function installRequestLog(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', (req, reply, done) => {
    recordRequest(req, metrics, reply.statusCode, reply.elapsedTime);
    done();
  });
}
