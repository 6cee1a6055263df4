import FindMyWay from 'find-my-way';
import type { FastifyInstance } from 'fastify';
import { checkKey, checkNamespace } from '../engine/names.js';

/** Preflight answers every path once CORS is on: it says nothing about what a resource allows. */
const UNLISTED = new Set(['OPTIONS']);

const noop = (): void => {};

/**
 * Whether a route's match can succeed: a `:ns` (and `:key`) the library refuses makes the request
 * fail whatever it is (`GET /api/v1/batch` is the namespace route with a reserved name), so that
 * method is not one the path takes.
 */
function namesValid(params: Record<string, string | undefined>): boolean {
  try {
    if (params.ns !== undefined) checkNamespace(params.ns);
    if (params.ns !== undefined && params.key !== undefined) checkKey(params.ns, params.key);
    return true;
  } catch {
    return false;
  }
}

/**
 * The methods that have a route for a path, sorted, for answering a request whose method has none
 * with 405 and `Allow` (RFC 9110 §15.5.6) instead of 404. A method whose route would refuse the
 * path's names anyway is left out. Each route is mirrored, as it is added,
 * into a router of the kind Fastify itself uses (find-my-way) with the same parameter limit, so the
 * two agree on what a path matches. Catch-all routes are left out: they match every path.
 * Call before any route is added.
 */
export function allowedMethods(app: FastifyInstance, maxParamLength: number): (path: string) => string[] {
  const router = FindMyWay({ maxParamLength });
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url.endsWith('/*')) return;
    for (const method of ([] as string[]).concat(route.method)) {
      if (UNLISTED.has(method)) continue;
      router.on(method as FindMyWay.HTTPMethod, route.url, noop);
      methods.add(method);
    }
  });
  return (path) => [...methods].filter((m) => {
    const match = router.find(m as FindMyWay.HTTPMethod, path);
    return match !== null && namesValid(match.params);
  }).sort();
}
