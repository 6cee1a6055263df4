import type { FastifyInstance, RouteOptions } from 'fastify';
import { createRequire } from 'node:module';

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
}

// src/server/routes and dist/server/routes are both three levels below the package root.
const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

function parameters(schema: RouteSchema): object[] {
  const out: object[] = [];
  for (const [name, s] of Object.entries(schema.params?.properties ?? {})) out.push({ name, in: 'path', required: true, schema: s });
  for (const [name, s] of Object.entries(schema.querystring?.properties ?? {})) out.push({ name, in: 'query', required: false, schema: s });
  return out;
}

function bodyMediaType(url: string): string {
  return url.endsWith('/import') ? 'application/x-ndjson' : 'application/json';
}

function operation(route: CollectedRoute): object {
  const { schema } = route;
  const responses: Record<string, object> = {};
  for (const [status, s] of Object.entries(schema.response ?? { 200: {} })) {
    const { description, ...rest } = s as { description?: string };
    responses[status] = status === '204'
      ? { description: description ?? 'No content' }
      : { description: description ?? (Number(status) < 400 ? 'OK' : 'Error: { error: { code, message } }'), content: { 'application/json': { schema: rest } } };
  }
  const op: Record<string, unknown> = { summary: schema.summary, parameters: parameters(schema), responses };
  if (schema.description) op.description = schema.description;
  if (schema.body) op.requestBody = { required: true, content: { [bodyMediaType(route.url)]: { schema: schema.body } } };
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
      routes.push({ method: method.toLowerCase(), url: route.url, schema: route.schema as RouteSchema });
    }
  });
  let document: object | undefined;
  app.get('/openapi.json', async () => {
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
      description: 'Versioned JSON documents: every write is a version. Errors are { error: { code, message } } with the library\'s codes. Keys and namespaces are percent-encoded in paths.',
    },
    paths,
  };
}
