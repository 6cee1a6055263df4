import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

/** Every method the API's routes take (preflight lists them all: browsers must be able to write). */
const API_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];

/**
 * CORS for `origin` (`*`, or comma-separated origins). A preflight is an OPTIONS request with
 * `Origin` and `Access-Control-Request-Method`; an OPTIONS request without them is refused here,
 * before the CORS plugin would answer it in plain text, so it gets the API's JSON error body.
 * Call before the routes are added.
 */
export function installCors(app: FastifyInstance, origin: string): void {
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.method !== 'OPTIONS' || (req.headers.origin && req.headers['access-control-request-method'])) return done();
    done(new HttpError('INVALID_REQUEST', 'Invalid CORS preflight request: OPTIONS needs the Origin and Access-Control-Request-Method headers'));
  });
  app.register(cors, {
    origin: origin === '*' ? '*' : origin.split(',').map((o) => o.trim()),
    methods: API_METHODS,
    // Browsers read only these of the response headers unless told: the id ties an answer to the log.
    exposedHeaders: ['x-request-id'],
  });
}
