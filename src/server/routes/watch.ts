import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { formatMicros, toMicros } from '../../engine/time.js';
import type { ChangeEvent, ChangeType, SubscriptionFilter } from '../../events/types.js';
import type { RouteContext } from '../context.js';
import { filterParam } from '../filter-param.js';
import { HttpError } from '../http-errors.js';
import { errors } from '../schemas.js';

interface WatchQuery {
  namespace?: string;
  key?: string;
  changeTypes?: string;
  since?: string;
  filter?: string;
}

function parseSince(text: string, what: string): SubscriptionFilter['since'] {
  if (/^\d+$/.test(text.trim())) return Number(text);
  if (what === 'Last-Event-ID') throw new HttpError('INVALID_REQUEST', `Invalid Last-Event-ID ${JSON.stringify(text)}: expected a sequence number`);
  return formatMicros(toMicros(text));
}

/** The subscription filter of a watch request; Last-Event-ID (a reconnecting client) wins over `since`. */
export function watchFilter(query: WatchQuery, lastEventId: string | undefined): SubscriptionFilter {
  const filter: SubscriptionFilter = {};
  if (query.namespace) filter.namespace = query.namespace;
  // A key without a namespace is that key in every namespace, as for the library.
  if (query.key) filter.key = query.key;
  // The library checks the list: an unknown type, or none (given empty), is its INVALID_QUERY.
  if (query.changeTypes !== undefined) filter.changeTypes = query.changeTypes.split(',').map((t) => t.trim()).filter(Boolean) as ChangeType[];
  if (query.filter) filter.filter = filterParam(query.filter, 'filter');
  if (lastEventId !== undefined && lastEventId !== '') filter.since = parseSince(lastEventId, 'Last-Event-ID');
  else if (query.since !== undefined && query.since !== '') filter.since = parseSince(query.since, 'since');
  return filter;
}

function frame(event: ChangeEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Unsent bytes past which a change feed waits for its client to read (see the subscription's room). */
const SSE_BACKLOG_BYTES = 8 * 1024 * 1024;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** `GET /api/v1/watch`: the change feed as Server-Sent Events, resumable with Last-Event-ID. */
export async function watchRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { db, metrics, requests, sse, heartbeatMs } = ctx;

  app.get('/api/v1/watch', {
    config: { responseType: 'text/event-stream' },
    schema: {
      summary: 'Stream change events (Server-Sent Events)',
      description: 'Each event is `id: <seq>` and `data: <ChangeEvent JSON>`. Reconnect with the Last-Event-ID header (or ?since=<seq|time>) to resume without gaps. Comment lines are heartbeats.',
      querystring: {
        type: 'object',
        properties: {
          namespace: { type: 'string' }, key: { type: 'string' },
          changeTypes: { type: 'string', description: 'Comma-separated: insert,update,delete' },
          since: { type: 'string', description: 'A change sequence number (delivery starts after it; a bare integer is always one), or a time: ISO-8601 (any precision, Z or offset) or a duration ago such as "5m ago"' },
          filter: { type: 'string', description: 'A query filter on the new value: an expression string or filter JSON' },
        },
      },
      response: { 200: { description: 'text/event-stream', type: 'string' }, ...errors(400, 500) },
    },
  }, async (req: FastifyRequest<{ Querystring: WatchQuery }>, reply) => {
    const filter = watchFilter(req.query, req.headers['last-event-id'] as string | undefined);
    // HEAD: the stream's head, at once, and no stream (node:http holds a HEAD response's head until it ends).
    if (req.method === 'HEAD') return reply.headers(SSE_HEADERS).send();
    // A feed without a starting point starts at the current sequence number, stated in the first
    // message's id, so a client that reconnects before any event still resumes without a gap.
    if (filter.since === undefined) filter.since = (await db.stats()).lastSeq;
    const res = reply.raw;
    let open = false;
    const early: ChangeEvent[] = [];
    // Subscribing before the headers go out lets an invalid filter still get a JSON 400. Flow
    // control: while more than the bound waits unsent (a slow or stalled client), the subscription
    // delivers nothing and reads on from the change log once the socket drains, so the server holds
    // at most the bound and one event, and a client that reads gets everything, large changes too.
    const sub = db.subscribe(filter, (event) => {
      if (!open) {
        early.push(event);
        return;
      }
      // No promise back: the room above is the back-pressure (a listener's pending promises are
      // bounded, and a slow client would overflow them).
      if (!res.destroyed) res.write(frame(event));
    }, { room: () => (res.writableLength > SSE_BACKLOG_BYTES ? 0 : Infinity) });
    res.on('drain', () => sub.resume());
    reply.hijack();
    // Recorded once, in finish() below: Fastify's own hook sees only the ends it closes itself.
    requests.recordsItself(req);
    // The headers set on the reply so far (CORS, a worker's id) go out too: the reply is hijacked.
    res.writeHead(200, { ...(reply.getHeaders() as OutgoingHttpHeaders), ...SSE_HEADERS, 'x-request-id': req.id });
    res.write(`: connected\nretry: 1000\n${typeof filter.since === 'number' ? `id: ${filter.since}\n` : ''}\n`);
    open = true;
    for (const e of early.splice(0)) res.write(frame(e));

    const started = performance.now();
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    metrics.subscriberOpened();
    let finished = false;
    const finish = (reason?: string) => {
      if (finished) return;
      // Why the server (not the client) ended a feed: the client will reconnect, and this says why.
      if (reason !== undefined && !res.destroyed) req.log.info({ reason }, 'change feed ended by the server');
      finished = true;
      clearInterval(heartbeat);
      sub.unsubscribe();
      forget();
      metrics.subscriberClosed();
      if (!res.writableEnded) res.end();
      requests.recordRouted(req, 200, performance.now() - started);
    };
    const forget = sse.add({ res, end: () => finish('shutdown') });
    res.on('close', () => finish());
    // A subscription ends with its database, or fails (a replay that could not read the log);
    // ending the response makes the client reconnect from its last id, so nothing is lost.
    sub.ended.then(() => finish('subscription ended'), (err: unknown) => {
      req.log.warn({ err: (err as Error)?.message }, 'change feed ended');
      finish('subscription failed');
    });
  });
}
