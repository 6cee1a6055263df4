import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkKey, checkNamespace } from '../../engine/index.js';
import { InvalidValueError } from '../../errors.js';
import type { RouteContext } from '../context.js';
import { batchValues, inexactNumberIn, putValue } from '../exact-numbers.js';
import { filterParam } from '../filter-param.js';
import { HttpError } from '../http-errors.js';
import { anyJson, errors, keyParams, libraryChecked, nsParams, timeString, versionedValue } from '../schemas.js';

type KeyRequest = FastifyRequest<{ Params: { ns: string; key: string } }>;
type NsRequest = FastifyRequest<{ Params: { ns: string } }>;

const JSON_TYPE = 'application/json; charset=utf-8';

/** The history route's query string, as text: the library checks and reports every member. */
interface HistoryQuery {
  from?: string;
  to?: string;
  latest?: string;
  limit?: string;
  filter?: string;
}

/** A count parameter as a number when it is written as one; else its text, for the library to refuse by name. */
function count(text: string | undefined): number | string | undefined {
  return text !== undefined && /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(text) ? Number(text) : text;
}

/** Single-key reads and writes, history, time travel, listings and atomic batches. */
export async function kvRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { db, metrics, getCache } = ctx;

  app.get('/api/v1/namespaces', {
    schema: {
      summary: 'List namespaces with at least one live key',
      response: { 200: { type: 'object', properties: { namespaces: { type: 'array', items: { type: 'string' } } } }, ...errors(500) },
    },
  }, async () => {
    metrics.countRead();
    return { namespaces: await db.listNamespaces() };
  });

  app.post('/api/v1/batch', {
    attachValidation: true,
    schema: {
      summary: 'Write several keys in one atomic transaction',
      body: {
        type: 'object', required: ['writes'],
        properties: {
          writes: {
            type: 'array',
            items: {
              type: 'object', required: ['namespace', 'key', 'value'],
              properties: { namespace: libraryChecked({ type: 'string' }), key: libraryChecked({ type: 'string' }), value: anyJson },
            },
          },
        },
      },
      response: { 200: { type: 'object', properties: { versions: { type: 'array', items: versionedValue } } }, ...errors(400, 413, 415, 500, 507) },
    },
  }, async (req: FastifyRequest<{ Body: { writes: Array<{ namespace: string; key: string; value: unknown }> } }>) => {
    if (req.validationError) throw new HttpError('INVALID_REQUEST', `Invalid batch: ${req.validationError.message} (send {"writes": [{"namespace", "key", "value"}]})`);
    const inexact = inexactNumberIn(req, batchValues(req.body));
    if (inexact) throw inexact;
    const versions = await db.putBatch(req.body.writes);
    return { versions };
  });

  app.get('/api/v1/:ns', {
    schema: {
      summary: 'List the live keys of a namespace',
      params: nsParams,
      response: { 200: { type: 'object', properties: { namespace: { type: 'string' }, keys: { type: 'array', items: { type: 'string' } } } }, ...errors(400, 500) },
    },
  }, async (req: NsRequest) => {
    metrics.countRead();
    return { namespace: req.params.ns, keys: await db.listKeys(req.params.ns) };
  });

  // The hot path: a cached serialized body, revalidated against the stored head (see GetCache).
  // Repeated reads of the same URL are answered before routing (fast-get.ts); this route makes the
  // cache entries they use and answers first reads, misses and errors.
  app.get('/api/v1/:ns/:key', {
    schema: { summary: 'Read the current version of a key', params: keyParams, response: { 200: versionedValue, ...errors(400, 404, 500) } },
  }, async (req: KeyRequest, reply) => {
    metrics.countRead();
    const { body } = await getCache.body(req.params.ns, req.params.key, req.url);
    // Sent as bytes with its type set, so no serializer runs.
    return reply.type(JSON_TYPE).send(body);
  });

  app.put('/api/v1/:ns/:key', {
    attachValidation: true,
    schema: {
      summary: 'Store a new version of a key',
      params: keyParams,
      body: { type: 'object', required: ['value'], properties: { value: anyJson } },
      response: { 200: versionedValue, ...errors(400, 413, 415, 500, 507) },
    },
  }, async (req: FastifyRequest<{ Params: { ns: string; key: string }; Body: { value: unknown } }>) => {
    if (req.validationError) throw new InvalidValueError('Missing value: the body must be {"value": <json>}');
    const { ns, key } = req.params;
    const inexact = inexactNumberIn(req, putValue(ns, key));
    if (inexact) {
      // A bad name is the first thing wrong with the request, as db.put would say.
      checkNamespace(ns);
      checkKey(ns, key);
      throw inexact;
    }
    return db.put(req.params.ns, req.params.key, req.body.value);
  });

  app.delete('/api/v1/:ns/:key', {
    schema: { summary: 'Delete a key (writes a tombstone version)', params: keyParams, response: { 200: versionedValue, ...errors(400, 404, 500, 507) } },
  }, async (req: KeyRequest) => db.delete(req.params.ns, req.params.key));

  app.get('/api/v1/:ns/:key/history', {
    schema: {
      summary: 'Every version of a key, oldest first',
      params: keyParams,
      querystring: {
        type: 'object',
        properties: {
          from: timeString, to: timeString,
          latest: libraryChecked({ type: 'integer', description: 'Keep the newest n versions (a non-negative integer)' }),
          limit: libraryChecked({ type: 'integer', description: 'Keep the first n versions (a non-negative integer)' }),
          filter: { type: 'string', description: 'A filter (an expression, or a filter object as JSON) on each version\'s value: only live versions that match, which latest and limit then count' },
        },
      },
      response: {
        200: { type: 'object', properties: { namespace: { type: 'string' }, key: { type: 'string' }, versions: { type: 'array', items: versionedValue } } },
        ...errors(400, 404, 500),
      },
    },
  }, async (req: FastifyRequest<{ Params: { ns: string; key: string }; Querystring: HistoryQuery }>) => {
    metrics.countRead();
    const { ns, key } = req.params;
    const { from, to, latest, limit, filter } = req.query;
    // A count that is not a number stays text: the library refuses it with its own code and message.
    const options = { from, to, latest: count(latest) as number | undefined, limit: count(limit) as number | undefined, filter: filter === undefined ? undefined : filterParam(filter, 'history.filter', { namespace: ns, key }) };
    return { namespace: ns, key, versions: await db.history(ns, key, options) };
  });

  app.get('/api/v1/:ns/:key/at/:time', {
    schema: {
      summary: 'Read a key as it was at a given time',
      params: { type: 'object', required: ['ns', 'key', 'time'], properties: { ...keyParams.properties, time: timeString } },
      response: { 200: versionedValue, ...errors(400, 404, 500) },
    },
  }, async (req: FastifyRequest<{ Params: { ns: string; key: string; time: string } }>) => {
    metrics.countRead();
    return db.getAt(req.params.ns, req.params.key, req.params.time);
  });
}
