import type { FastifyInstance, RouteOptions } from 'fastify';
import { createRequire } from 'node:module';
import { errorBody, published } from '../schemas.js';

interface RouteSchema {
  summary?: string;
  description?: string;
  params?: { properties?: Record<string, object>; required?: readonly string[] };
  querystring?: { properties?: Record<string, object> };
  body?: object;
  response?: Record<string, object>;
}

interface CollectedRoute {
  method: string;
  url: string;
  schema: RouteSchema;
  bodyType: string;
  responseType: string;
}

/** Methods whose requests Fastify reads a body of (by its content type) before the handler runs. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The error statuses every route of a kind can answer, whatever its handler does, so each route's
 * schema lists only its own: 500 (a fault), 503 (shutting down, the database closed, over the
 * connection limit); 400 for a path parameter with a malformed percent-encoding; and for a method
 * that takes a body, 400, 413 and 415 for a body that does not parse, is over the limit, or has
 * another content type (sent to a route that reads none, it is still read).
 */
function impliedErrors(route: CollectedRoute): number[] {
  const statuses = [500, 503];
  if (Object.keys(route.schema.params?.properties ?? {}).length > 0) statuses.push(400);
  if (BODY_METHODS.has(route.method)) statuses.push(400, 413, 415);
  return statuses;
}

// src/server/routes and dist/server/routes are both three levels below the package root.
const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

function parameters(schema: RouteSchema): object[] {
  const out: object[] = [];
  for (const [name, s] of Object.entries(schema.params?.properties ?? {})) out.push({ name, in: 'path', required: true, schema: s });
  for (const [name, s] of Object.entries(schema.querystring?.properties ?? {})) out.push({ name, in: 'query', required: false, schema: s });
  return out;
}

function operation(route: CollectedRoute): object {
  const { schema } = route;
  const declared: Record<string, object> = { ...schema.response ?? { 200: {} } };
  for (const status of impliedErrors(route)) declared[status] ??= errorBody;
  const responses: Record<string, object> = {};
  for (const status of Object.keys(declared).sort()) {
    const { description, ...rest } = declared[status] as { description?: string };
    const ok = Number(status) < 400;
    responses[status] = status === '204'
      ? { description: description ?? 'No content' }
      : { description: description ?? (ok ? 'OK' : 'Error: { error: { code, message } }'), content: { [ok ? route.responseType : 'application/json']: { schema: rest } } };
  }
  const op: Record<string, unknown> = { summary: schema.summary, parameters: parameters(schema), responses };
  if (schema.description) op.description = schema.description;
  if (schema.body) op.requestBody = { required: true, content: { [route.bodyType]: { schema: published(schema.body) } } };
  return op;
}

/**
 * Serves `/openapi.json`, built from the schemas the routes are actually registered with, so the
 * description always matches the code. Must be installed before the routes it describes.
 */
export function installOpenApi(app: FastifyInstance): void {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || !route.schema) continue;
      routes.push({
        method: method.toLowerCase(), url: route.url, schema: route.schema as RouteSchema,
        bodyType: route.config?.bodyType ?? 'application/json', responseType: route.config?.responseType ?? 'application/json',
      });
    }
  });
  let document: object | undefined;
  app.get('/openapi.json', {
    schema: { summary: 'This description of the API (OpenAPI 3.1)', response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => {
    document ??= build(routes);
    return document;
  });
}

function build(routes: CollectedRoute[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'KoruDelta HTTP API',
      version: VERSION,
      description: 'Versioned JSON documents: every write is a version. Errors are { error: { code, message } } with the library\'s codes. Keys and namespaces are percent-encoded in paths. HEAD is answered wherever GET is (not listed).',
    },
    paths,
  };
}
