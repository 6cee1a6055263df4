import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RouteContext } from './context.js';
import type { ServedDatabase } from './database.js';
import { GetCache } from './get-cache.js';
import { HTTP_ERROR_CODES, HttpError, mapError } from './http-errors.js';
import { createLogger } from './logger.js';
import { ServerMetrics } from './metrics.js';
import { installRequestLog } from './request-log.js';
import { kvRoutes } from './routes/kv.js';
import { installOpenApi } from './routes/openapi.js';
import { queryRoutes } from './routes/query.js';
import { systemRoutes } from './routes/system.js';
import { transferRoutes } from './routes/transfer.js';
import { viewRoutes } from './routes/views.js';
import { watchRoutes } from './routes/watch.js';
import { SseHub } from './sse-hub.js';

export interface AppOptions {
  /** A pino logger; default: JSON on stderr at the level of `KORU_LOG` (default info). */
  logger?: Logger;
  /** Allowed CORS origin (`*` for any). CORS is off when omitted. */
  cors?: string;
  /** Largest request body (and import line) in bytes. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Most simultaneous connections; further ones get 503 and are closed. Default 1024. */
  maxConnections?: number;
  /** Time to receive a whole request before 408. Default 120 s. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 65 s. */
  keepAliveTimeoutMs?: number;
  /** Interval of SSE heartbeat comments. Default 15 s. */
  heartbeatMs?: number;
  /** Memory for cached GET responses. Default 32 MiB. */
  getCacheBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Tags every response with its request id, and turns away connections beyond the limit with a
 * readable 503 instead of a silent reset. One callback-style hook: the cheapest kind on the hot path.
 */
function installRequestHook(app: FastifyInstance, maxConnections: number): void {
  const over = new WeakSet<object>();
  let open = 0;
  app.server.on('connection', (socket) => {
    open++;
    if (open > maxConnections) over.add(socket);
    socket.once('close', () => open--);
  });
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    if (!over.has(req.raw.socket)) return done();
    reply.header('connection', 'close');
    done(new HttpError('SERVICE_UNAVAILABLE', `Too many connections (the limit is ${maxConnections}); retry later`));
  });
}

function installErrorHandling(app: FastifyInstance, maxBodyBytes: number): void {
  app.setErrorHandler((err, req, reply) => {
    const mapped = mapError(err, maxBodyBytes);
    if (mapped.fault) req.log.error({ err }, 'request failed');
    else req.log.debug({ code: mapped.body.error.code }, 'request rejected');
    return reply.code(mapped.status).type('application/json; charset=utf-8').send(mapped.body);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(HTTP_ERROR_CODES.NOT_FOUND).send({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.url.split('?')[0]}` } });
  });
}

/**
 * The KoruDelta HTTP API over an open database, as a Fastify instance (not yet listening; use
 * `inject()` in tests or `listen()`, or `serve()` for the whole lifecycle). The caller keeps
 * ownership of `db`: closing the app does not close the database.
 */
export function createApp(db: ServedDatabase, options: AppOptions = {}): FastifyInstance {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = Fastify({
    loggerInstance: options.logger ?? createLogger(),
    // One line per request comes from request-log.ts instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    bodyLimit: maxBodyBytes,
    // Keys are up to 512 bytes of UTF-8: up to 1,536 characters once percent-encoded.
    routerOptions: { maxParamLength: 4096 },
    requestTimeout: options.requestTimeoutMs ?? 120_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Values may legitimately contain "__proto__" keys; the library stores them as own properties.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  }) as unknown as FastifyInstance;

  const metrics = new ServerMetrics(db);
  const sse = new SseHub();
  const ctx: RouteContext = {
    db, metrics, sse, maxBodyBytes,
    getCache: new GetCache(db, options.getCacheBytes ?? 32 * 1024 * 1024),
    heartbeatMs: options.heartbeatMs ?? 15_000,
  };

  // JSON (and NDJSON for import) only: a text/plain body is a 415, not a string value.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app, maxBodyBytes);
  installRequestLog(app, metrics);
  installRequestHook(app, options.maxConnections ?? 1024);
  const stopCounting = db.onCommit((writes) => metrics.countWrites(writes.length));
  app.addHook('onClose', async () => stopCounting());
  // Node's close() drops only the keep-alive connections idle at that instant; ones finishing a
  // request afterwards would hold shutdown for the whole keep-alive timeout, so sweep until closed.
  let sweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    sse.closeAll();
    sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  });
  app.addHook('onClose', async () => clearInterval(sweep));
  if (options.cors) app.register(cors, { origin: options.cors === '*' ? '*' : options.cors.split(',').map((o) => o.trim()) });

  installOpenApi(app);
  app.register(kvRoutes, ctx);
  app.register(queryRoutes, ctx);
  app.register(viewRoutes, ctx);
  app.register(watchRoutes, ctx);
  app.register(transferRoutes, ctx);
  app.register(systemRoutes, ctx);
  return app;
}
