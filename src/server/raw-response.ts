import type { Socket } from 'node:net';
import { allocCodec } from '../storage/buffer-codec.js';
import type { RequestRecorder } from './request-log.js';

// What the answers before routing (fast-get.ts, fast-put.ts) share: their options, the key route's
// URL shape and the head of a 200 response as node:http and Fastify would write it.

/** What every answer before routing needs to answer as the routed path would. */
export interface FastPathOptions {
  requests: RequestRecorder;
  /** The request id generator Fastify uses too, so ids stay unique across both paths. */
  genReqId: () => string;
  /** True for connections over the connection limit (Fastify answers their requests 503). */
  turnedAway: (socket: Socket) => boolean;
  /** True once the server is shutting down (Fastify answers those 503). */
  closing: () => boolean;
  /** The `x-koru-worker` header value of a worker of a multi-process server. */
  worker?: string;
  /** node:http's `keepAliveTimeout` (ms), announced in raw answers' `Keep-Alive` header. */
  keepAliveTimeout: number;
}

/** The route a raw-path answer stands for, in logs and metrics. */
export const KEY_ROUTE = '/api/v1/:ns/:key';
export const JSON_TYPE = 'application/json; charset=utf-8';

const KEY_PATH = /^\/api\/v1\/([^/?#;]+)\/([^/?#;]+)(?:\?|$)/;

/**
 * The namespace and key a `/api/v1/:ns/:key` URL names (its two path segments, percent-decoded as
 * the router does), or undefined for any other shape. Every static route with two segments there
 * (`views/:name`, `status/verify`) starts with a reserved namespace, which reads and writes refuse,
 * so a URL that names a key here is one the router sends to the key route.
 */
export function keyOf(target: string): { namespace: string; key: string } | undefined {
  const m = KEY_PATH.exec(target);
  if (m === null) return undefined;
  try {
    return { namespace: decodeURIComponent(m[1]), key: decodeURIComponent(m[2]) };
  } catch {
    return undefined;
  }
}

let dateSecond = -1;
let dateText = '';

/** The `Date` header value, formatted once per second as node:http does. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/**
 * A builder of whole `200 OK` JSON responses with the headers the routed path sends: `content-type`,
 * `content-length`, `x-request-id`, a worker's `x-koru-worker`, then node:http's `Date`,
 * `Connection` and `Keep-Alive`. `body` is the JSON as bytes (a cached GET body, copied as it is)
 * or as text (encoded here), `bytes` its size. The response is one buffer, so the socket writes it
 * without flattening and encoding a string per request.
 */
export function okResponses(settings: { worker?: string; keepAliveTimeout: number }): (reqId: string, body: Uint8Array | string, bytes: number) => Buffer {
  const keepAlive = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(settings.keepAliveTimeout / 1000)}\r\n\r\n`;
  const workerLine = settings.worker === undefined ? '' : `x-koru-worker: ${settings.worker}\r\n`;
  return (reqId, body, bytes) => {
    // ASCII only (request ids taken from a request are printable ASCII, see raw-front.ts), so the
    // head's length is its size in bytes.
    const head = `HTTP/1.1 200 OK\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${bytes}\r\nx-request-id: ${reqId}\r\n${workerLine}Date: ${httpDate()}\r\n${keepAlive}`;
    const out = allocCodec(head.length + bytes);
    out.latin1Write(head, 0, head.length);
    if (typeof body === 'string') out.utf8Write(body, head.length, bytes);
    else out.set(body, head.length);
    return out;
  };
}
