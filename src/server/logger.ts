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
  // Epoch-millisecond `time` (pino's default) is several times cheaper per line than an ISO string.
  return pino({ level, base: { pid: process.pid, ...fields } }, pino.destination({ fd: 2, sync: false }));
}
