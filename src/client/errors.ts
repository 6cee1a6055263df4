import * as library from '../errors.js';
import { ERROR_CODES, KoruDeltaError, type ErrorCode, type ErrorDetails } from '../errors.js';

/** The server could not be reached (refused, reset, DNS, timeout). */
export class ConnectionError extends Error {
  readonly code = 'CONNECTION_FAILED';

  constructor(readonly url: string, cause?: unknown, message = `cannot reach ${url}`) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConnectionError';
  }
}

/**
 * An error the HTTP layer reported that has no library counterpart (`INVALID_REQUEST`, `NOT_FOUND`,
 * `METHOD_NOT_ALLOWED`, `REQUEST_TIMEOUT`, `BODY_TOO_LARGE`, `UNSUPPORTED_MEDIA_TYPE`,
 * `REQUEST_HEADER_FIELDS_TOO_LARGE`, `SERVICE_UNAVAILABLE`, `INTERNAL_ERROR`, or `HTTP_<status>` for
 * a response that was not KoruDelta JSON).
 */
export class HttpError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
    this.name = 'HttpError';
  }
}

type ErrorClass = new (message: string, details?: ErrorDetails) => KoruDeltaError;

/** Each code's exported subclass, found by probing the library's error module (so new codes need no edit here). */
const CLASSES = new Map<string, ErrorClass>();
for (const value of Object.values(library)) {
  if (typeof value === 'function' && value.prototype instanceof KoruDeltaError) {
    const cls = value as ErrorClass;
    const code = new cls('').code;
    // The widest exported class of a code stands for it (CorruptedError, not its DamagedDatabaseError).
    const known = CLASSES.get(code);
    if (known === undefined || known.prototype instanceof cls) CLASSES.set(code, cls);
  }
}

function libraryError(code: ErrorCode, message: string, d: ErrorDetails): KoruDeltaError {
  const cls = CLASSES.get(code);
  return cls ? new cls(message, d) : new KoruDeltaError(code, message, d);
}

interface WireError {
  code?: unknown;
  message?: unknown;
  namespace?: unknown;
  key?: unknown;
  path?: unknown;
}

function details(e: WireError): ErrorDetails {
  const d: ErrorDetails = {};
  if (typeof e.namespace === 'string') d.namespace = e.namespace;
  if (typeof e.key === 'string') d.key = e.key;
  if (typeof e.path === 'string') d.path = e.path;
  return d;
}

/**
 * The error a failed response stands for: the same `KoruDeltaError` subclass (same code and message)
 * the library would have thrown locally, or an `HttpError`.
 */
export function errorFromResponse(status: number, bodyText: string): Error {
  let wire: WireError | undefined;
  try {
    wire = (JSON.parse(bodyText) as { error?: WireError }).error;
  } catch {
    wire = undefined;
  }
  const code = typeof wire?.code === 'string' ? wire.code : undefined;
  const message = typeof wire?.message === 'string' ? wire.message : undefined;
  if (code && message && Object.hasOwn(ERROR_CODES, code)) return libraryError(code as ErrorCode, message, details(wire!));
  if (code && message) return new HttpError(code, message, status);
  const text = bodyText.trim().slice(0, 200);
  return new HttpError(`HTTP_${status}`, `HTTP ${status}${text ? `: ${text}` : ''}`, status);
}
