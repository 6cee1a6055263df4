import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after } from 'node:test';
import { pino } from 'pino';
import { KoruDelta } from '../../src/index.js';
import { createApp, type AppOptions } from '../../src/server/index.js';
import type { ServedDatabase } from '../../src/server/database.js';

/** Raw-socket HTTP clients for the raw connection path (exact bytes in, parsed responses out). */

/**
 * A listening app over a fresh in-memory database (or what `serve` makes of it), counting the
 * requests that reach node:http.
 */
export async function listening(options: AppOptions = {}, serve?: (db: KoruDelta) => ServedDatabase) {
  const db = await KoruDelta.start({});
  const app = createApp(serve ? serve(db) : db, { logger: pino({ level: 'silent' }), ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  let routed = 0;
  app.server.on('request', () => routed++);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await db.close();
  };
  after(close);
  const { port } = app.server.address() as { port: number };
  return { db, port, close, routed: () => routed };
}

/** `listening()` with key a/b = 1 read once, so its response is cached. */
export async function withKey() {
  const served = await listening();
  await served.db.put('a', 'b', 1);
  const warm = await client(served.port);
  warm.send(get('/api/v1/a/b'));
  await warm.next();
  return served;
}

export interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw client: writes exact bytes, parses the responses (content-length bodies) in order. */
export async function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  after(() => socket.destroy());
  let buffered = Buffer.alloc(0);
  let ended = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    wake();
  });
  socket.on('end', () => {
    ended = true;
    wake();
  });
  socket.on('error', () => undefined);
  const next = async (): Promise<Response> => {
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = buffered.toString('latin1', 0, end).split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
        const length = Number(headers['content-length'] ?? 0);
        if (buffered.length >= end + 4 + length) {
          const body = buffered.toString('utf8', end + 4, end + 4 + length);
          buffered = buffered.subarray(end + 4 + length);
          return { status: Number(lines[0].split(' ')[1]), headers, body };
        }
      }
      if (ended) throw new Error(`connection ended with ${buffered.length} unparsed bytes`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { socket, send: (s: string) => socket.write(s), next, ended: () => ended };
}

export const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;
/** A request with a body: `body` is sent as it is, `extra` header lines go before the body's. */
export const withBody = (method: string, path: string, body: string, extra = 'Content-Type: application/json\r\n') =>
  `${method} ${path} HTTP/1.1\r\nHost: test\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
export const put = (path: string, value: unknown, extra?: string) => withBody('PUT', path, JSON.stringify({ value }), extra);
export const post = (path: string, json: unknown) => withBody('POST', path, JSON.stringify(json));

