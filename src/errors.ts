/**
 * Every error KoruDelta reports, in one registry. Codes are stable API (never reused once retired);
 * messages may change. Each code carries the HTTP status the server answers with.
 */
export const ERROR_CODES = {
  KEY_NOT_FOUND: 404,
  NO_VALUE_AT_TIMESTAMP: 404,
  INVALID_KEY: 400,
  INVALID_NAMESPACE: 400,
  INVALID_VALUE: 400,
  VALUE_TOO_LARGE: 413,
  INVALID_QUERY: 400,
  INVALID_TIME: 400,
  VIEW_NOT_FOUND: 404,
  VIEW_EXISTS: 409,
  SUBSCRIPTION_NOT_FOUND: 404,
  SUBSCRIPTION_OVERFLOW: 503,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CORRUPTED: 500,
  STORAGE_FULL: 507,
  DATABASE_CLOSED: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  namespace?: string;
  key?: string;
  /** JSON path of the offending part of a value, e.g. `$.items[3].price`. */
  path?: string;
  cause?: unknown;
}

/** Base class of every error the library throws on purpose. `code` is the stable identifier. */
export class KoruDeltaError extends Error {
  readonly code: ErrorCode;
  readonly namespace?: string;
  readonly key?: string;
  readonly path?: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    if (details.namespace !== undefined) this.namespace = details.namespace;
    if (details.key !== undefined) this.key = details.key;
    if (details.path !== undefined) this.path = details.path;
  }

  /** The HTTP status the server maps this error to. */
  get status(): number {
    return ERROR_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/**
 * The constructor of a KoruDeltaError subclass fixed to one code. Named so that the declarations
 * describe the subclasses by it, not by a copy of `Error`'s static side (Node-only types, `any`).
 */
export interface CodedErrorClass<C extends ErrorCode> {
  new (message: string, details?: ErrorDetails): KoruDeltaError & { readonly code: C };
  readonly prototype: KoruDeltaError;
}

function subclass<C extends ErrorCode>(code: C): CodedErrorClass<C> {
  return class extends KoruDeltaError {
    declare readonly code: C;
    constructor(message: string, details?: ErrorDetails) {
      super(code, message, details);
    }
  };
}

export class KeyNotFoundError extends subclass('KEY_NOT_FOUND') {}
export class NoValueAtTimestampError extends subclass('NO_VALUE_AT_TIMESTAMP') {}
export class InvalidKeyError extends subclass('INVALID_KEY') {}
export class InvalidNamespaceError extends subclass('INVALID_NAMESPACE') {}
export class InvalidValueError extends subclass('INVALID_VALUE') {}
export class ValueTooLargeError extends subclass('VALUE_TOO_LARGE') {}
export class InvalidQueryError extends subclass('INVALID_QUERY') {}
export class InvalidTimeError extends subclass('INVALID_TIME') {}
export class ViewNotFoundError extends subclass('VIEW_NOT_FOUND') {}
export class ViewExistsError extends subclass('VIEW_EXISTS') {}
export class SubscriptionNotFoundError extends subclass('SUBSCRIPTION_NOT_FOUND') {}
export class SubscriptionOverflowError extends subclass('SUBSCRIPTION_OVERFLOW') {}
export class UnauthorizedError extends subclass('UNAUTHORIZED') {}
export class ForbiddenError extends subclass('FORBIDDEN') {}
export class CorruptedError extends subclass('CORRUPTED') {}
/** CORRUPTED for the database file itself (it cannot be opened or read), not one stored value. */
export class DamagedDatabaseError extends CorruptedError {}
export class StorageFullError extends subclass('STORAGE_FULL') {}
export class DatabaseClosedError extends subclass('DATABASE_CLOSED') {}

/** DATABASE_CLOSED, naming the namespace and key asked for when they are names. */
export function databaseClosed(namespace?: unknown, key?: unknown): DatabaseClosedError {
  if (typeof namespace !== 'string') return new DatabaseClosedError('The database is closed');
  const named = typeof key === 'string';
  return new DatabaseClosedError(`The database is closed (${named ? fullKey(namespace, key) : `namespace ${namespace}`})`, {
    namespace, key: named ? key : undefined,
  });
}

/** The same error (class, code, names and path) with another message, `err` as its cause. */
export function reworded(err: KoruDeltaError, message: string): KoruDeltaError {
  const details: ErrorDetails = { namespace: err.namespace, key: err.key, path: err.path, cause: err };
  if (err.constructor === KoruDeltaError) return new KoruDeltaError(err.code, message, details);
  return new (err.constructor as new (message: string, details: ErrorDetails) => KoruDeltaError)(message, details);
}

export function isKoruDeltaError(err: unknown): err is KoruDeltaError {
  return err instanceof KoruDeltaError;
}

/** LMDB's own reports of a damaged data file (pages it cannot find or read as what they should be). */
const DAMAGED_STORE = /^(MDB_PAGE_NOTFOUND|MDB_CORRUPTED|MDB_INVALID)\b/;

/**
 * `err` as the library reports it: a KoruDeltaError as it is, LMDB's report of a damaged data file
 * (it keeps no page checksums, so damage inside the file surfaces only when a read reaches it) as
 * CORRUPTED, anything else unchanged. For the layers that report errors (CLI, HTTP).
 */
export function publicError(err: unknown): unknown {
  if (isKoruDeltaError(err) || !(err instanceof Error) || !DAMAGED_STORE.test(err.message)) return err;
  return new DamagedDatabaseError(`Corrupted database: the data file is damaged (${err.message}); restore it from a backup or an export`, { cause: err });
}

/** `ns/key` as errors and the CLI write it. */
export function fullKey(namespace: string, key: string): string {
  return `${namespace}/${key}`;
}
