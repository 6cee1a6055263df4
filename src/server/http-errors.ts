import { ERROR_CODES, KoruDeltaError, isKoruDeltaError, publicError, type ErrorCode } from '../errors.js';

/**
 * Codes only the HTTP layer produces (requests that never reach the library). Together with the
 * library's `ERROR_CODES` they are every `error.code` a client can see; both are stable API.
 */
export const HTTP_ERROR_CODES = {
  /** Malformed JSON, a body or parameter of the wrong shape, bytes that are not HTTP. */
  INVALID_REQUEST: 400,
  /** No route for this path. */
  NOT_FOUND: 404,
  /** The path has routes, none for this method (the `Allow` header lists theirs). */
  METHOD_NOT_ALLOWED: 405,
  /** The request was not received whole within the server's request timeout (connection closed). */
  REQUEST_TIMEOUT: 408,
  /** The request body exceeds the server's `maxBodyBytes`. */
  BODY_TOO_LARGE: 413,
  /** The body's content type is not one the route reads. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** An `Expect` header other than `100-continue` (connection closed). */
  EXPECTATION_FAILED: 417,
  /** The request line and headers exceed node:http's limit (16 KiB; connection closed). */
  REQUEST_HEADER_FIELDS_TOO_LARGE: 431,
  /** The server is shutting down or at its connection limit. */
  SERVICE_UNAVAILABLE: 503,
  /** A fault inside the server; details are in its log under the request id. */
  INTERNAL_ERROR: 500,
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERROR_CODES;

/** An error raised by the HTTP layer itself, answered as `{ error: { code, message } }`. */
export class HttpError extends Error {
  readonly code: HttpErrorCode;

  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
  }

  get status(): number {
    return HTTP_ERROR_CODES[this.code];
  }
}

/** The JSON body of every error response. Extra fields name what the error is about, when known. */
export interface ErrorBody {
  error: { code: ErrorCode | HttpErrorCode; message: string; namespace?: string; key?: string; path?: string };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** True for faults the operator must see (logged with the stack). */
  fault: boolean;
}

/** Fastify's own error codes for requests it refuses before a handler runs. */
const FASTIFY_CODES: Record<string, HttpErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_REQUEST',
  FST_ERR_VALIDATION: 'INVALID_REQUEST',
  FST_ERR_BAD_URL: 'INVALID_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_REQUEST',
};

/**
 * Library errors about what a request sent rather than about the database: a tampered import
 * record is CORRUPTED, but it is the upload that is damaged, so the answer is 400 and no fault.
 */
const INPUT_REFUSALS = new WeakSet<object>();

export function refusalOfInput<T extends object>(err: T): T {
  INPUT_REFUSALS.add(err);
  return err;
}

function fromKoruDelta(err: KoruDeltaError): MappedError {
  const error: ErrorBody['error'] = { code: err.code, message: err.message };
  if (err.namespace !== undefined) error.namespace = err.namespace;
  if (err.key !== undefined) error.key = err.key;
  if (err.path !== undefined) error.path = err.path;
  const status = INPUT_REFUSALS.has(err) ? 400 : ERROR_CODES[err.code];
  // 503 and 507 are the server's state (closing, full), not faults: no stack in the log for them.
  return { status, body: { error }, fault: status === 500 };
}

/** Fastify's schema validation error, as far as a message needs it. */
type ValidationFailure = Error & { validationContext?: string; validation?: Array<{ instancePath?: string; message?: string }> };

/** Where a schema failure is, in the words of a request: `query parameter latest`, `body field writes.0.key`. */
const PLACES: Record<string, string> = { querystring: 'query parameter', body: 'body field', params: 'path parameter', headers: 'header' };

function describeValidation(err: ValidationFailure): string {
  const context = err.validationContext ?? 'request';
  const first = err.validation?.[0];
  if (!first?.message) return `Invalid request: ${err.message}`;
  const path = first.instancePath?.slice(1).replaceAll('/', '.');
  const place = path ? `${PLACES[context] ?? context} ${path}` : context === 'body' ? 'the body' : `the ${PLACES[context] ?? context}s`;
  return `Invalid request: ${place} ${first.message}`;
}

/** The media type of a `content-type` header, lower-cased and without parameters (`; charset=…`). */
export function mediaType(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0].trim().toLowerCase();
}

/** The message of a 415: what the route reads instead. */
export function unsupportedType(bodyType: string): string {
  return `Unsupported content type: send ${bodyType}`;
}

/** The message of a 413 for a body over the server's limit. */
export function bodyTooLarge(maxBodyBytes: number): string {
  return `Request body too large: the limit is ${maxBodyBytes} bytes`;
}

function describeFastify(code: HttpErrorCode, err: ValidationFailure, maxBodyBytes: number, bodyType: string): string {
  if (code === 'BODY_TOO_LARGE') return bodyTooLarge(maxBodyBytes);
  if (code === 'UNSUPPORTED_MEDIA_TYPE') return unsupportedType(bodyType);
  if (err.validationContext) return describeValidation(err);
  if ((err as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH') return 'Invalid URL: a path segment is too long (a key takes at most 512 bytes)';
  if ((err as { code?: string }).code === 'FST_ERR_BAD_URL') return `Invalid URL: ${err.message.replace(/ is not a valid url component$/, '')} has a malformed percent-encoding`;
  if (/JSON/.test(err.message)) return `Invalid JSON body: ${err.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'$/, 'it does not parse')}`;
  return `Invalid request: ${err.message}`;
}

/**
 * Turns anything a handler threw into the status and body the client gets. `bodyType` is the body
 * type the route reads (its `config.bodyType`), named when Fastify refuses another one.
 */
export function mapError(thrown: unknown, maxBodyBytes: number, bodyType = 'application/json'): MappedError {
  const err = publicError(thrown);
  if (isKoruDeltaError(err)) return fromKoruDelta(err);
  if (err instanceof HttpError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message } }, fault: err.status === 500 };
  }
  const e = err as (ValidationFailure & { code?: string; statusCode?: number }) | undefined;
  const known = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (known) return { status: HTTP_ERROR_CODES[known], body: { error: { code: known, message: describeFastify(known, e!, maxBodyBytes, bodyType) } }, fault: false };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: { code: 'INVALID_REQUEST', message: `Invalid request: ${e.message}` } }, fault: false };
  }
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'Internal server error (see the server log for this request id)' } }, fault: true };
}
