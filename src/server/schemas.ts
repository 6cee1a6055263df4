/**
 * JSON Schemas of the HTTP API. They validate requests, compile the response serializers, and are
 * what `/openapi.json` publishes, so the description cannot drift from the code.
 */

export const anyJson = { description: 'Any JSON value' } as const;

/** Where `libraryChecked` keeps a field's whole schema: a symbol, which the validator never sees. */
const PUBLISHED = Symbol('published schema');

/**
 * A body field that the library checks itself, type included. The request validator gets the
 * schema without its `type`, so a value of the wrong type reaches the library and is refused with
 * the library's own code and message (`"key": 5` → INVALID_KEY "expected a string, got number"),
 * exactly as a local call; `/openapi.json` publishes the whole schema (see `published`).
 */
export function libraryChecked<S extends { type: unknown; description?: string }>(schema: S): Omit<S, 'type'> {
  const { type: _type, ...loose } = schema;
  return Object.assign(loose, { [PUBLISHED]: schema });
}

/** A route schema as `/openapi.json` publishes it: `libraryChecked` fields with their types. */
export function published(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(published);
  if (schema === null || typeof schema !== 'object') return schema;
  const whole = (schema as { [PUBLISHED]?: unknown })[PUBLISHED];
  if (whole !== undefined) return whole;
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, published(v)]));
}

export const versionedValue = {
  type: 'object',
  required: ['namespace', 'key', 'value', 'versionId', 'contentHash', 'timestamp', 'previousVersion', 'deleted'],
  properties: {
    namespace: { type: 'string' },
    key: { type: 'string' },
    value: anyJson,
    versionId: { type: 'string' },
    contentHash: { type: 'string', description: 'SHA-256 (hex) of the RFC 8785 canonical JSON of value' },
    timestamp: { type: 'string', description: 'ISO-8601 UTC with 6 fractional digits' },
    previousVersion: { type: ['string', 'null'] },
    deleted: { type: 'boolean' },
  },
} as const;

export const exportRecord = {
  ...versionedValue,
  required: [...versionedValue.required, 'origin', 'parents'],
  properties: { ...versionedValue.properties, origin: { type: 'string' }, parents: { type: 'array', items: { type: 'string' } } },
} as const;

export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        namespace: { type: 'string' },
        key: { type: 'string' },
        path: { type: 'string' },
      },
    },
  },
} as const;

export const nsParams = {
  type: 'object',
  required: ['ns'],
  properties: { ns: { type: 'string', description: 'Namespace (percent-encoded)' } },
} as const;

export const keyParams = {
  type: 'object',
  required: ['ns', 'key'],
  properties: { ...nsParams.properties, key: { type: 'string', description: 'Key (percent-encoded: a/b → a%2Fb)' } },
} as const;

export const timeString = {
  type: 'string',
  description: 'ISO-8601 (any precision, Z or offset), epoch milliseconds, or a duration ago such as "5m ago"',
} as const;

export const queryResult = {
  type: 'object',
  required: ['records', 'totalCount'],
  properties: {
    records: {
      type: 'array',
      items: {
        type: 'object',
        properties: { key: { type: 'string' }, value: anyJson, versionId: { type: 'string' }, timestamp: { type: 'string' } },
        additionalProperties: true,
      },
    },
    totalCount: { type: 'integer' },
    aggregation: anyJson,
  },
  additionalProperties: true,
} as const;

export const viewInfo = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    description: { type: ['string', 'null'] },
    autoRefresh: { type: 'boolean' },
    createdAt: { type: 'string' },
    lastRefreshed: { type: 'string' },
    recordCount: { type: 'integer' },
  },
  additionalProperties: true,
} as const;

/** Standard error responses, merged into every route's `response`. */
export function errors(...statuses: number[]): Record<number, typeof errorBody> {
  return Object.fromEntries(statuses.map((s) => [s, errorBody]));
}
