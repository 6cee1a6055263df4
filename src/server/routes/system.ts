import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.js';
import { errors } from '../schemas.js';

const started = Date.now();

const statusSchema = {
  type: 'object',
  properties: {
    keyCount: { type: 'integer' }, totalVersions: { type: 'integer' }, namespaceCount: { type: 'integer' },
    lastSeq: { type: 'integer' },
    namespaces: { type: 'array', items: { type: 'object', properties: { namespace: { type: 'string' }, keyCount: { type: 'integer' } } } },
    nodeId: { type: 'string' }, path: { type: ['string', 'null'] }, diskSize: { type: 'integer' },
    uptime: { type: 'number', description: 'Seconds since the server process started' },
  },
  additionalProperties: true,
} as const;

/** Status, integrity check, liveness and Prometheus metrics. */
export async function systemRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { db, metrics } = ctx;

  app.get('/api/v1/status', {
    schema: { summary: 'Database statistics (as stats()) plus nodeId, path, diskSize and uptime', response: { 200: statusSchema, ...errors(500) } },
  }, async () => ({
    ...(await db.stats()),
    nodeId: db.nodeId,
    path: db.path,
    diskSize: await db.diskSize(),
    uptime: Math.round((Date.now() - started) / 100) / 10,
  }));

  app.get('/api/v1/status/verify', {
    schema: {
      summary: 'Integrity check of the whole database (content hashes, chains)',
      response: {
        200: {
          type: 'object',
          properties: { ok: { type: 'boolean' }, versionsChecked: { type: 'integer' }, keysChecked: { type: 'integer' }, issues: { type: 'array', items: { type: 'object', additionalProperties: true } } },
        },
        ...errors(500),
      },
    },
  }, async () => db.verify());

  app.get('/health', {
    schema: {
      summary: 'Liveness',
      response: { 200: { type: 'object', properties: { status: { type: 'string' }, nodeId: { type: 'string' }, uptime: { type: 'number' } } } },
    },
  }, async () => ({ status: 'ok', nodeId: db.nodeId, uptime: Math.round((Date.now() - started) / 100) / 10 }));

  app.get('/metrics', {
    config: { responseType: 'text/plain; version=0.0.4' },
    schema: { summary: 'Prometheus metrics (text exposition format)', response: { 200: { type: 'string', description: 'text/plain; version=0.0.4' } } },
  }, async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.render()));
}
