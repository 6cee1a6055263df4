/**
 * server/: the HTTP API of DESIGN F10/F15 (Fastify): one plugin per area under routes/, one error
 * mapping, request logs and metrics. It sits on the library (engine, query, views, events) and must
 * not be imported by anything below it; the CLI loads it only for `kdelta serve`.
 */
export { createApp, DEFAULT_MAX_BODY_BYTES, type AppOptions } from './app.js';
export { serve, type ServeOptions, type RunningServer } from './serve.js';
export { serveCluster, type ClusterOptions, type ClusterServer } from './cluster.js';
export type { ServedDatabase } from './database.js';
export { HTTP_ERROR_CODES, HttpError, mapError, type ErrorBody, type HttpErrorCode } from './http-errors.js';
export { createLogger, logLevelFromEnv } from './logger.js';
