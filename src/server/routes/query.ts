import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Query } from '../../query/types.js';
import type { RouteContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { errors, nsParams, queryResult } from '../schemas.js';

/** `POST /api/v1/:ns/query`: the library's query engine over one namespace. */
export async function queryRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { db, metrics } = ctx;

  app.post('/api/v1/:ns/query', {
    schema: {
      summary: 'Filter, sort, page, project and aggregate the documents of a namespace',
      description: 'The body is a Query (the same JSON as db.query); `filter` may be an expression string such as "age >= 18 and status = active".',
      params: nsParams,
      body: { type: 'object', description: 'Query: { filter?, sort?, offset?, limit?, project?, aggregate?, at? }' },
      response: { 200: queryResult, ...errors(400, 413, 415, 500) },
    },
    attachValidation: true,
  }, async (req: FastifyRequest<{ Params: { ns: string }; Body: Query }>) => {
    if (req.validationError) throw new HttpError('INVALID_REQUEST', 'Invalid query: the body must be a JSON object');
    metrics.countRead();
    return db.query(req.params.ns, req.body);
  });
}
