import type { ServedDatabase } from './database.js';
import type { GetCache } from './get-cache.js';
import type { ServerMetrics } from './metrics.js';
import type { RequestRecorder } from './request-log.js';
import type { SseHub } from './sse-hub.js';

/** What every route plugin receives: the database and the server's shared services. */
export interface RouteContext {
  db: ServedDatabase;
  metrics: ServerMetrics;
  /** Metrics and log line of each finished request. */
  requests: RequestRecorder;
  getCache: GetCache;
  sse: SseHub;
  /** Interval of SSE heartbeat comments. */
  heartbeatMs: number;
  maxBodyBytes: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The body type a route reads, when not `application/json`: named in its 415 answers and its
     * OpenAPI request body.
     */
    bodyType?: string;
    /** The type of a route's successful answer, when not `application/json` (its OpenAPI response). */
    responseType?: string;
  }
}
