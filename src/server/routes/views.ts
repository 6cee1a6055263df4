import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ViewDefinition } from '../../views/types.js';
import type { RouteContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { errors, libraryChecked, queryResult, viewInfo } from '../schemas.js';

type NameRequest = FastifyRequest<{ Params: { name: string } }>;
/** A view name: 400 INVALID_NAMESPACE unless it is one a view may have. */
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } as const;

/** Materialized views: create, list, query, refresh, delete. */
export async function viewRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { db, metrics } = ctx;

  app.get('/api/v1/views', {
    schema: {
      summary: 'List views, sorted by name',
      response: { 200: { type: 'object', properties: { views: { type: 'array', items: viewInfo } } }, ...errors(500) },
    },
  }, async () => ({ views: await db.listViews() }));

  app.post('/api/v1/views', {
    attachValidation: true,
    schema: {
      summary: 'Create a view',
      body: {
        type: 'object', required: ['name', 'namespace'],
        properties: {
          name: libraryChecked({ type: 'string' }), namespace: libraryChecked({ type: 'string' }),
          query: libraryChecked({ type: 'object', description: 'A Query, as for POST /api/v1/:ns/query' }),
          autoRefresh: libraryChecked({ type: 'boolean' }), description: libraryChecked({ type: ['string', 'null'] }),
        },
      },
      response: { 201: viewInfo, ...errors(400, 409, 413, 415, 500, 507) },
    },
  }, async (req: FastifyRequest<{ Body: ViewDefinition }>, reply) => {
    if (req.validationError) throw new HttpError('INVALID_REQUEST', `Invalid view definition: ${req.validationError.message}`);
    const info = await db.createView(req.body);
    return reply.code(201).send(info);
  });

  app.get('/api/v1/views/:name', {
    schema: { summary: "Query a view's materialized records", params: nameParams, response: { 200: queryResult, ...errors(400, 404, 500) } },
  }, async (req: NameRequest) => {
    metrics.countRead();
    return db.queryView(req.params.name);
  });

  app.delete('/api/v1/views/:name', {
    schema: { summary: 'Delete a view', params: nameParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errors(400, 404, 500) } },
  }, async (req: NameRequest, reply) => {
    await db.deleteView(req.params.name);
    return reply.code(204).send();
  });

  app.post('/api/v1/views/:name/refresh', {
    schema: { summary: 'Recompute a view now', params: nameParams, response: { 200: viewInfo, ...errors(400, 404, 500, 507) } },
  }, async (req: NameRequest) => db.refreshView(req.params.name));
}
