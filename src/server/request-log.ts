import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { fixedRequestLineWriter, requestLineWriter, type RequestLine } from './logger.js';
import type { ServerMetrics } from './metrics.js';

/** Log lines give durations in milliseconds to two decimals. */
const hundredths = (ms: number): number => Math.round(ms * 100) / 100;

/** Route label of requests that matched no route, so unknown paths do not multiply metric series. */
export const UNMATCHED_ROUTE = '(unmatched)';

export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? UNMATCHED_ROUTE;
}

/**
 * Records finished requests, whichever path answered them (raw connection, fast GET, Fastify,
 * a closing change feed): the request metrics and one log line at info with request id, method,
 * route, status and duration (never values or credentials).
 */
export class RequestRecorder {
  readonly #metrics: ServerMetrics;
  readonly #logger: Logger;
  readonly #line: RequestLine;
  /** Routed requests whose route records them itself (see `recordsItself`). */
  readonly #own = new WeakSet<FastifyRequest>();

  constructor(metrics: ServerMetrics, logger: Logger) {
    this.#metrics = metrics;
    this.#logger = logger;
    this.#line = requestLineWriter(logger);
  }

  /**
   * A recorder of one kind of request (method, route, status), with its metric series and the
   * fixed part of its log line prepared once: for the paths that answer the same request all day.
   */
  recorderFor(method: string, route: string, status: number): (reqId: string, durationMs: number) => void {
    const observe = this.#metrics.requestObserver(method, route, status);
    const line = fixedRequestLineWriter(this.#logger, method, route, status);
    return (reqId, durationMs) => {
      observe(durationMs / 1000);
      line(reqId, hundredths(durationMs));
    };
  }

  record(reqId: string, method: string, route: string, status: number, durationMs: number): void {
    this.#metrics.observeRequest(method, route, status, durationMs / 1000);
    this.#line(reqId, method, route, status, hundredths(durationMs));
  }

  /** A request Fastify handled. */
  recordRouted(req: FastifyRequest, status: number, durationMs: number): void {
    this.record(req.id, req.method, routeOf(req), status, durationMs);
  }

  /**
   * Marks a request its route records itself (a change feed, which takes over the response and
   * ends it in ways Fastify does not all see), so the request hook leaves it: one line per request.
   */
  recordsItself(req: FastifyRequest): void {
    this.#own.add(req);
  }

  /** Whether the request hook records `req` (see `recordsItself`). */
  recordedByHook(req: FastifyRequest): boolean {
    return !this.#own.has(req);
  }
}

/** Replaces Fastify's two request lines with one line per request (method, route, status, duration, request id). */
export function installRequestLog(app: FastifyInstance, recorder: RequestRecorder): void {
  app.addHook('onResponse', (req, reply, done) => {
    if (recorder.recordedByHook(req)) recorder.recordRouted(req, reply.statusCode, reply.elapsedTime);
    done();
  });
}
