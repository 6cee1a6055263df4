import { pino, type Logger, type LevelWithSilent } from 'pino';

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The log level named by `KORU_LOG` (`error|warn|info|debug|trace|silent`), default `info`. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const level = env.KORU_LOG?.trim().toLowerCase();
  return level && LEVELS.includes(level) ? (level as LevelWithSilent) : 'info';
}

/**
 * Structured JSON logs on stderr (stdout belongs to the CLI's output). Request lines carry only
 * method, route, status, duration and request id: never bodies, values or headers. Every line
 * carries `pid`, plus `fields` (a worker of a multi-process server adds `worker: <id>`).
 */
export function createLogger(level: LevelWithSilent = logLevelFromEnv(), fields: Record<string, string | number> = {}): Logger {
  const base = { pid: process.pid, ...fields };
  const destination = pino.destination({ fd: 2, sync: false });
  // Epoch-millisecond `time` (pino's default) is several times cheaper per line than an ISO string.
  const logger = pino({ level, base }, destination);
  // The request line is the one line written per request, so it is formatted here directly: the
  // same bytes pino writes for `logger.info({ reqId, method, route, status, durationMs }, 'request')`
  // with this logger's settings, at about half the cost per line on a busy server.
  const bindings = JSON.stringify(base).slice(1, -1);
  requestLines.set(logger, (reqId, method, route, status, durationMs) => {
    if (!logger.isLevelEnabled('info')) return;
    destination.write(`{"level":30,"time":${Date.now()},${bindings},"reqId":${JSON.stringify(reqId)},"method":${JSON.stringify(method)},"route":${JSON.stringify(route)},"status":${status},"durationMs":${durationMs},"msg":"request"}\n`);
  });
  return logger;
}

/** Writes the log line of one finished request (at info). */
export type RequestLine = (reqId: string, method: string, route: string, status: number, durationMs: number) => void;

const requestLines = new WeakMap<Logger, RequestLine>();

/**
 * The request-line writer of `logger`: a direct one for loggers made by `createLogger`, else
 * (a caller's own logger, with its own formatters) `logger.info` itself.
 */
export function requestLineWriter(logger: Logger): RequestLine {
  return requestLines.get(logger) ?? ((reqId, method, route, status, durationMs) => {
    logger.info({ reqId, method, route, status, durationMs }, 'request');
  });
}
