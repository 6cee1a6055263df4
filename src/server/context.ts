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
