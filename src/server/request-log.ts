import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { requestLineWriter, type RequestLine } from './logger.js';
import type { ServerMetrics } from './metrics.js';

/** Route label of requests that matched no route, so unknown paths do not multiply metric series. */
const UNMATCHED = '(unmatched)';

export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? UNMATCHED;
}

/**
 * Records finished requests, whichever path answered them (raw connection, fast GET, Fastify,
 * a closing change feed): the request metrics and one log line at info with request id, method,
 * route, status and duration (never values or credentials).
 */
export class RequestRecorder {
  readonly #metrics: ServerMetrics;
  readonly #line: RequestLine;

  constructor(metrics: ServerMetrics, logger: Logger) {
    this.#metrics = metrics;
    this.#line = requestLineWriter(logger);
  }

  record(reqId: string, method: string, route: string, status: number, durationMs: number): void {
    this.#metrics.observeRequest(method, route, status, durationMs / 1000);
    this.#line(reqId, method, route, status, Math.round(durationMs * 100) / 100);
  }

  /** A request Fastify handled. */
  recordRouted(req: FastifyRequest, status: number, durationMs: number): void {
    this.record(req.id, req.method, routeOf(req), status, durationMs);
  }
}

/** Replaces Fastify's two request lines with one line per request (method, route, status, duration, request id). */
export function installRequestLog(app: FastifyInstance, recorder: RequestRecorder): void {
  app.addHook('onResponse', (req, reply, done) => {
    recorder.recordRouted(req, reply.statusCode, reply.elapsedTime);
    done();
  });
}
