import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { allowedMethods } from './allowed-methods.js';
import type { RouteContext } from './context.js';
import { answerAndClose, answerOutsideRoutes, clientErrorHandler, missingHost, unreadableEncoding } from './client-errors.js';
import { installCors } from './cors.js';
import type { ServedDatabase } from './database.js';
import { fastGet, serverWithFastPath } from './fast-get.js';
import { fastPut } from './fast-put.js';
import type { RawRequest } from './raw-front.js';
import { GetCache } from './get-cache.js';
import { HTTP_ERROR_CODES, HttpError, bodyTooLarge, mapError } from './http-errors.js';
import { createLogger } from './logger.js';
import { Lingering } from './linger.js';
import { noteBodyText } from './exact-numbers.js';
import { ServerMetrics } from './metrics.js';
import { clientRequestId, requestIds } from './request-id.js';
import { installRequestLog, RequestRecorder, UNMATCHED_ROUTE } from './request-log.js';
import { kvRoutes } from './routes/kv.js';
import { installOpenApi } from './routes/openapi.js';
import { queryRoutes } from './routes/query.js';
import { systemRoutes } from './routes/system.js';
import { transferRoutes } from './routes/transfer.js';
import { viewRoutes } from './routes/views.js';
import { watchRoutes } from './routes/watch.js';
import { SseHub } from './sse-hub.js';
import { bodiesUncoerced } from './validators.js';

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
  /**
   * Set when this server is one worker of a multi-process server (`serveCluster()`): every response
   * then carries `x-koru-worker: <pid>` and request ids read `req-<workerId>.<n>`, so a response and
   * its log line can be traced to the process that answered.
   */
  workerId?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The one route whose body is streamed rather than read whole (its lines are limited, not the body). */
const IMPORT_PATH = '/api/v1/import';

/** Keys are up to 512 bytes of UTF-8: up to 1,536 characters once percent-encoded. */
const MAX_PARAM_LENGTH = 4096;

/** Counts open connections and marks the ones beyond the limit, for both request paths. */
class ConnectionGuard {
  readonly #over = new WeakSet<object>();
  #open = 0;

  constructor(readonly limit: number) {}

  watch(server: FastifyInstance['server']): void {
    server.on('connection', (socket) => {
      this.#open++;
      if (this.#open > this.limit) this.#over.add(socket);
      socket.once('close', () => this.#open--);
    });
  }

  turnedAway(socket: Socket): boolean {
    return this.#over.has(socket);
  }
}

/**
 * Tags every response with its request id, and turns away connections beyond the limit with a
 * readable 503 instead of a silent reset. One callback-style hook: the cheapest kind on the hot path.
 */
function installRequestHook(app: FastifyInstance, guard: ConnectionGuard, closing: () => boolean): void {
  guard.watch(app.server);
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    let refusal: HttpError | undefined;
    if (closing()) refusal = new HttpError('SERVICE_UNAVAILABLE', 'The server is shutting down; retry later');
    else if (guard.turnedAway(req.raw.socket)) refusal = new HttpError('SERVICE_UNAVAILABLE', `Too many connections (the limit is ${guard.limit}); retry later`);
    // node:http's own answer to this is an empty 400 (see requireHostHeader in fast-get.ts).
    else if (missingHost(req.raw)) refusal = new HttpError('INVALID_REQUEST', 'Missing Host header (HTTP/1.1 requires one)');
    else {
      const coding = unreadableEncoding(req.raw);
      if (coding !== undefined) refusal = new HttpError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${JSON.stringify(coding)} is not supported: send the body uncompressed`);
    }
    if (refusal === undefined) return done();
    reply.header('connection', 'close');
    done(refusal);
  });
}

/** Requests node:http would answer itself with an empty body: CONNECT, and an `Expect` other than 100-continue. */
function installProtocolAnswers(app: FastifyInstance, genReqId: () => string, requests: RequestRecorder, limits: { maxBodyBytes: number; lingering: Lingering; allowed: (path: string) => string[] }, worker?: string): void {
  app.server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const id = genReqId();
    const status = answerAndClose(socket, { code: 'INVALID_REQUEST', message: 'CONNECT is not supported: this server is not a proxy', id, worker });
    requests.record(id, 'CONNECT', UNMATCHED_ROUTE, status, 0);
  });
  app.server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const id = genReqId();
    const message = `Unsupported Expect header ${JSON.stringify(req.headers.expect)}: only 100-continue is`;
    const status = answerOutsideRoutes(res, { code: 'EXPECTATION_FAILED', message, id, worker });
    requests.record(id, req.method ?? 'UNKNOWN', UNMATCHED_ROUTE, status, 0);
  });
  // `Expect: 100-continue` asks before sending the body (curl does for large uploads): one declared
  // over the limit, for a route that reads its body whole, gets its 413 instead of a 100 and is never
  // sent. Others go on as node:http would (an import streams its body: only its lines are limited).
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    const method = req.method ?? '';
    const bounded = (method === 'PUT' || method === 'POST') && path !== IMPORT_PATH && limits.allowed(path).includes(method);
    if (!bounded || !(Number(req.headers['content-length']) > limits.maxBodyBytes)) {
      res.writeContinue();
      app.server.emit('request', req, res);
      return;
    }
    const id = genReqId();
    limits.lingering.closeLingering(req.socket);
    const status = answerOutsideRoutes(res, { code: 'BODY_TOO_LARGE', message: bodyTooLarge(limits.maxBodyBytes), id, worker });
    requests.record(id, req.method ?? 'UNKNOWN', UNMATCHED_ROUTE, status, 0);
  });
}

/** True at most once per `ms`: for warnings a burst of requests would otherwise repeat. */
function everyMs(ms: number): { due(): boolean } {
  let last = -Infinity;
  return {
    due() {
      const now = performance.now();
      if (now - last < ms) return false;
      last = now;
      return true;
    },
  };
}

function installErrorHandling(app: FastifyInstance, maxBodyBytes: number, allowed: (path: string) => string[], lingering: Lingering): void {
  const fullWarning = everyMs(60_000);
  app.setErrorHandler((err, req, reply) => {
    // The client went away mid-request (an upload cut off): no fault of the server's, and no one to answer.
    if ((err as { code?: string }).code === 'ECONNRESET' && req.raw.socket?.destroyed !== false) {
      req.log.debug({ reqId: req.id }, 'client went away');
      return reply.hijack();
    }
    const mapped = mapError(err, maxBodyBytes, req.routeOptions.config?.bodyType);
    if (mapped.fault) req.log.error({ err }, 'request failed');
    else if (mapped.status === 507 && fullWarning.due()) {
      // An operator running at warn must learn that writes are being refused; once a minute is enough.
      req.log.warn({ code: mapped.body.error.code }, /disk/.test(mapped.body.error.message)
        ? 'writes refused: the disk holding the database is full'
        : 'writes refused: the database has reached its size limit');
    } else req.log.debug({ code: mapped.body.error.code }, 'request rejected');
    // Answered before the body is in (too large, say): the client may still be sending it.
    if (!req.raw.complete) lingering.closeLingering(req.raw.socket);
    return reply.code(mapped.status).type('application/json; charset=utf-8').send(mapped.body);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const methods = allowed(path);
    if (methods.length > 0) {
      const message = `${req.method} is not allowed on ${path}; it takes ${methods.join(', ')}`;
      return reply.code(HTTP_ERROR_CODES.METHOD_NOT_ALLOWED).header('allow', methods.join(', ')).send({ error: { code: 'METHOD_NOT_ALLOWED', message } });
    }
    return reply.code(HTTP_ERROR_CODES.NOT_FOUND).send({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${path}` } });
  });
}

/**
 * The KoruDelta HTTP API over an open database, as a Fastify instance (not yet listening; use
 * `inject()` in tests or `listen()`, or `serve()` for the whole lifecycle). The caller keeps
 * ownership of `db`: closing the app does not close the database.
 */
export function createApp(db: ServedDatabase, options: AppOptions = {}): FastifyInstance {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const logger = options.logger ?? createLogger();
  const metrics = new ServerMetrics(db);
  const requests = new RequestRecorder(metrics, logger);
  const sse = new SseHub();
  const getCache = new GetCache(db, options.getCacheBytes ?? 32 * 1024 * 1024);
  const guard = new ConnectionGuard(options.maxConnections ?? 1024);
  const genReqId = requestIds(options.workerId);
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  const requestTimeout = options.requestTimeoutMs ?? 120_000;
  const worker = options.workerId === undefined ? undefined : String(process.pid);
  let closing = false;
  // Reads and writes of a key are answered before routing, on the raw connection when possible
  // (fast-get.ts, fast-put.ts, raw-front.ts); CORS headers are Fastify's business, so with CORS on
  // every request is routed.
  const turnedAway = (socket: Socket): boolean => guard.turnedAway(socket);
  const isClosing = (): boolean => closing;
  const fast = options.cors ? undefined : (() => {
    const get = fastGet({ cache: getCache, metrics, requests, genReqId, turnedAway, closing: isClosing, worker, keepAliveTimeout });
    const put = fastPut({ db, requests, genReqId, turnedAway, closing: isClosing, worker, keepAliveTimeout, maxBodyBytes });
    return { ...get, raw: (req: RawRequest) => (req.method === 'PUT' ? put(req) : get.raw(req)) };
  })();
  const front = serverWithFastPath(fast, { keepAliveTimeout, requestTimeout, worker });
  const app = Fastify({
    loggerInstance: logger,
    // One line per request comes from request-log.ts instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // The client's own id only when it is printable ASCII (request-id.ts).
    requestIdHeader: false,
    genReqId: (req) => clientRequestId(req.headers['x-request-id']) ?? genReqId(),
    bodyLimit: maxBodyBytes,
    schemaController: { compilersFactory: { buildValidator: bodiesUncoerced } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    requestTimeout,
    keepAliveTimeout,
    serverFactory: front.factory,
    forceCloseConnections: 'idle',
    // Requests node:http cannot read are logged and counted like the others (method unknown).
    clientErrorHandler: clientErrorHandler({
      logger, genReqId, requestTimeoutMs: requestTimeout, worker,
      answered: (id, status, ms) => requests.record(id, 'UNKNOWN', UNMATCHED_ROUTE, status, ms),
    }),
    // The request hook answers those itself, with the API's error body and a request id.
    return503OnClosing: false,
    // A URL the router cannot decode gets the same JSON error body as every other refusal, and its
    // log line and metrics: no route ran, so no hook records it.
    frameworkErrors: (err, req, reply) => {
      const mapped = mapError(err, maxBodyBytes);
      void (reply as FastifyReply).code(mapped.status).header('x-request-id', req.id).type('application/json; charset=utf-8').send(mapped.body);
      requests.record(req.id, req.method, UNMATCHED_ROUTE, mapped.status, (reply as FastifyReply).elapsedTime);
    },
    // Values may legitimately contain "__proto__" keys; the library stores them as own properties.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  }) as unknown as FastifyInstance;

  const ctx: RouteContext = { db, metrics, requests, sse, maxBodyBytes, getCache, heartbeatMs: options.heartbeatMs ?? 15_000 };

  const allowed = allowedMethods(app, MAX_PARAM_LENGTH);
  // JSON (and NDJSON for import) only: a text/plain body is a 415, not a string value.
  app.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser, told each body's text first: the routes that store values refuse a
  // number it would round (exact-numbers.ts).
  const parseJson = app.getDefaultJsonParser('ignore', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, text, done) => {
    noteBodyText(req, text as string);
    parseJson(req, text as string, done);
  });
  const lingering = new Lingering();
  installErrorHandling(app, maxBodyBytes, allowed, lingering);
  installRequestLog(app, requests);
  installRequestHook(app, guard, isClosing);
  installProtocolAnswers(app, genReqId, requests, { maxBodyBytes, lingering, allowed }, worker);
  const stopCounting = db.onCommit((writes) => {
    metrics.countWrites(writes.length);
    getCache.committed();
  });
  app.addHook('onClose', async () => stopCounting());
  // Node's close() drops only the keep-alive connections idle at that instant; ones finishing a
  // request afterwards would hold shutdown for the whole keep-alive timeout, so sweep until closed.
  let sweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    closing = true;
    front.closeIdle();
    sse.closeAll();
    lingering.closeAll();
    sweep = setInterval(() => {
      app.server.closeIdleConnections();
      lingering.closeAll();
    }, 50);
  });
  app.addHook('onClose', async () => clearInterval(sweep));
  if (options.cors) installCors(app, options.cors);

  installOpenApi(app);
  app.register(kvRoutes, ctx);
  app.register(queryRoutes, ctx);
  app.register(viewRoutes, ctx);
  app.register(watchRoutes, ctx);
  app.register(transferRoutes, ctx);
  app.register(systemRoutes, ctx);
  return app;
}
