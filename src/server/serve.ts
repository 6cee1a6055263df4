import { KoruDelta } from '../koru-delta.js';
import { createApp, type AppOptions } from './app.js';
import { createLogger, flushRequestLines, logLevelFromEnv, unknownLogLevel } from './logger.js';

export interface ServeOptions extends AppOptions {
  /** Database directory (created if missing). */
  dbPath: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1 (loopback); 0.0.0.0 is an explicit choice. */
  bind?: string;
}

export interface RunningServer {
  /** `http://host:port` with the real port. */
  url: string;
  /** Stops accepting, finishes in-flight requests, ends change feeds, closes the database. Idempotent. */
  close(): Promise<void>;
}

function urlOf(address: string, port: number): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${port}`;
}

/**
 * Opens the database at `dbPath` and serves the HTTP API on it. Rejects with the listen error
 * (its `code`, e.g. EADDRINUSE, intact) after closing the database again if the port cannot be bound.
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const db = await KoruDelta.start({ path: options.dbPath });
  const logger = options.logger ?? createLogger(logLevelFromEnv(), options.workerId === undefined ? {} : { worker: options.workerId });
  const unknown = options.logger === undefined ? unknownLogLevel() : undefined;
  if (unknown !== undefined) logger.warn({ KORU_LOG: unknown }, 'KORU_LOG names no level (error, warn, info, debug, trace or silent): logging at info');
  const app = createApp(db, { ...options, logger });
  const bind = options.bind ?? '127.0.0.1';
  try {
    await app.listen({ port: options.port ?? 8080, host: bind });
  } catch (err) {
    await app.close().catch(() => undefined);
    await db.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8080);
  const url = urlOf(bind === '0.0.0.0' || bind === '::' ? (bind === '::' ? '::1' : '127.0.0.1') : bind, port);
  logger.info({ url, dbPath: db.path }, 'listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await db.close();
          flushRequestLines(logger);
          logger.info('server stopped');
          logger.flush();
        }
      })();
      return closing;
    },
  };
}
