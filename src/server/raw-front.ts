import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { isClientRequestId } from './request-id.js';

/**
 * A complete request read on the raw path, kept alive: a GET without a body, or a PUT whose
 * `content-length` body arrived in the same read as its head.
 */
export interface RawRequest {
  method: 'GET' | 'PUT';
  /** The request target exactly as sent (what node:http calls `req.url`). */
  target: string;
  /** A PUT's body (a view of the read; use it before answering) and its `content-type`, if sent once. */
  body?: Buffer;
  contentType?: string;
  /** The `x-request-id` header, if sent once. */
  requestId: string | undefined;
  socket: Socket;
}

/**
 * Answers a request on the raw path with the whole HTTP response (head and body), or undefined to
 * leave it, and the rest of its connection, to node:http; or a promise of either when the answer
 * needs a read first (the connection waits for it, in order).
 */
export type RawAnswer = (req: RawRequest) => Buffer | Promise<Buffer | undefined> | undefined;

export interface RawFrontOptions {
  answer: RawAnswer;
  /** How long an idle connection stays open (node:http's `keepAliveTimeout`). */
  keepAliveTimeout: number;
}

export interface RawFront {
  /**
   * Closes every idle connection still on the raw path, for shutdown, and the others once their
   * answer is written. Partial requests are node:http's, so a connection is idle unless it waits
   * for an answer. node:http's `closeIdleConnections()` does the same to its own connections.
   */
  closeIdle(): void;
}

const CRLF2 = Buffer.from('\r\n\r\n');
/** node:http's default limit on a request head; longer heads go to node:http, which answers 431. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Bytes a request head may hold: visible ASCII, space, tab and obs-text, lines ending in CRLF. */
const HEAD_BYTES = /^[\t\r\n\x20-\x7e\x80-\xff]*$/;
/** A request target llhttp takes: visible ASCII (it refuses bytes over 0x7f there, unlike in header values). */
const TARGET = /^[\x21-\x7e]+$/;
const OWS = /^[ \t]+|[ \t]+$/g;
/** A CR or LF that is not part of a CRLF. */
const BARE_CR_LF = /\r(?!\n)|(?<!\r)\n/;

/**
 * The connection-level hot path in front of node:http. node:http builds a request and a response
 * object, runs its parser through several JS layers and formats headers for every request; for a
 * repeated GET whose answer is already serialized that overhead is most of the cost (on a 2-core
 * machine a bare node:http server answers about 17k requests/s, a socket answering the same bytes
 * about 40k). So each new connection starts on a raw path: each complete request head in a chunk is
 * read here, and a request `answer` takes is answered with one write. An answer that needs a read
 * or a write first holds the connection (it is paused, later requests wait) so responses stay in
 * order.
 *
 * Anything else moves the connection to node:http for good, with the bytes not yet answered:
 * a method other than GET and PUT, a GET with a body, a PUT whose body is not all in the read that
 * holds its head (or has no `content-length`), `transfer-encoding`, `connection` other than
 * keep-alive, `upgrade`, `expect`, HTTP/1.0, a head split across reads or too long, bytes llhttp
 * would refuse, a missing `host`, or an answer's refusal. node:http then sees an ordinary
 * connection whose next request is the first one not answered here, so every behaviour (errors,
 * limits, timeouts, closing) is node:http's own. Only the shapes above are parsed here, and only to decide that.
 */
export function installRawFront(server: Server, options: RawFrontOptions): RawFront {
  // node:http accepts connections through its own 'connection' listener; take it over and call it
  // on hand-off. Listeners added later (the connection guard) still see every connection.
  const handlers = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const raw = new Set<Socket>();
  /** Raw connections waiting for an asynchronous answer: not idle. */
  const busy = new Set<Socket>();
  let closing = false;

  const handOff = (socket: Socket, rest?: Buffer): void => {
    if (!raw.delete(socket)) return;
    socket.removeAllListeners('data');
    socket.removeAllListeners('timeout');
    socket.removeListener('error', onError);
    socket.removeListener('end', onEnd);
    socket.setTimeout(0);
    for (const h of handlers) h.call(server, socket);
    // node:http reads further bytes straight from the socket's handle, so the unread ones are fed
    // to its listener directly, before anything else can arrive.
    if (rest && rest.length > 0) socket.emit('data', rest);
  };

  /** Answers the complete requests of `chunk` from `at` on, then hands off what is left. */
  const serve = (socket: Socket, chunk: Buffer, at: number): void => {
    // The answers of this chunk, written together (a chunk rarely holds more than one request).
    let out: Buffer | undefined;
    while (at < chunk.length) {
      const headEnd = chunk.indexOf(CRLF2, at);
      if (headEnd < 0 || headEnd - at > MAX_HEAD_BYTES) break;
      const parsed = parseHead(chunk.toString('latin1', at, headEnd), socket);
      if (parsed === undefined) break;
      const { req, bodyBytes } = parsed;
      const end = headEnd + 4 + bodyBytes;
      if (end > chunk.length) break;
      if (req.method === 'PUT') req.body = chunk.subarray(headEnd + 4, end);
      const response = options.answer(req);
      if (response === undefined) break;
      if (response instanceof Promise) {
        // The answer needs a read or a write first: hold the connection (later bytes wait in the
        // socket) and go on where this request ends once it settles.
        if (out !== undefined) socket.write(out);
        busy.add(socket);
        socket.pause();
        const from = at;
        void response.then((answer) => {
          busy.delete(socket);
          if (socket.destroyed || !raw.has(socket)) return;
          if (answer === undefined) {
            handOff(socket, chunk.subarray(from));
          } else {
            socket.write(answer);
            if (end < chunk.length) serve(socket, chunk, end);
            // Shutting down: the connection ends once its answer is out. The socket is paused, so
            // it would never read the client's FIN; it is closed outright instead of being left
            // to its idle timeout (which would hold the shutdown up).
            else if (closing) return void socket.end(() => socket.destroy());
          }
          if (!busy.has(socket)) socket.resume();
        });
        return;
      }
      out = out === undefined ? response : Buffer.concat([out, response]);
      at = end;
    }
    if (out !== undefined) socket.write(out);
    if (at < chunk.length) handOff(socket, chunk.subarray(at));
  };

  server.on('connection', (socket: Socket) => {
    raw.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(options.keepAliveTimeout, () => socket.destroy());
    socket.on('error', onError);
    // node:http's sockets are half-open capable; a client that is done ends its side, so end ours.
    socket.on('end', onEnd);
    socket.once('close', () => {
      raw.delete(socket);
      busy.delete(socket);
    });
    socket.on('data', (chunk: Buffer) => serve(socket, chunk, 0));
  });
  return {
    closeIdle() {
      closing = true;
      for (const socket of raw) {
        if (busy.has(socket)) continue;
        socket.destroy();
        raw.delete(socket);
      }
    },
  };
}

function onEnd(this: Socket): void {
  this.end();
}

/** Raw-path sockets only end on errors (a reset peer); node:http logs nothing for those either. */
function onError(this: Socket): void {
  this.destroy();
}

/**
 * The request `head` starts, with the length of its body, if it is a keep-alive GET without a body
 * or a PUT with a `content-length` body that node:http would accept.
 */
function parseHead(head: string, socket: Socket): { req: RawRequest; bodyBytes: number } | undefined {
  const method = head.startsWith('GET /') ? 'GET' : head.startsWith('PUT /') ? 'PUT' : undefined;
  if (method === undefined || !HEAD_BYTES.test(head) || BARE_CR_LF.test(head)) return undefined;
  const lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  const line = head.slice(0, lineEnd);
  const space = line.indexOf(' ', 4);
  if (space < 0 || line.slice(space) !== ' HTTP/1.1') return undefined;
  const target = line.slice(4, space);
  if (!TARGET.test(target)) return undefined;
  const req: RawRequest = { method, target, requestId: undefined, socket };
  let bodyBytes: number | undefined;
  let contentType: string | undefined | null;
  let host = false;
  let from = lineEnd + 2;
  while (from < head.length) {
    let to = head.indexOf('\r\n', from);
    if (to < 0) to = head.length;
    const colon = head.indexOf(':', from);
    if (colon <= from || colon > to) return undefined;
    const name = head.slice(from, colon).toLowerCase();
    // Optional whitespace around a value is spaces and tabs only (String#trim would take more).
    const value = head.slice(colon + 1, to).replace(OWS, '');
    from = to + 2;
    switch (name) {
      case 'host':
        if (host) return undefined;
        host = true;
        break;
      case 'x-request-id':
        // Echoed in the response head, which is written byte for byte as ASCII (raw-response.ts).
        if (req.requestId !== undefined || !isClientRequestId(value)) return undefined;
        req.requestId = value;
        break;
      case 'connection':
        if (value.toLowerCase() !== 'keep-alive') return undefined;
        break;
      case 'content-length':
        // Digits only and sent once: anything else is node:http's to refuse or reconcile.
        if (method !== 'PUT' || bodyBytes !== undefined || !/^\d{1,9}$/.test(value)) return undefined;
        bodyBytes = Number(value);
        break;
      case 'content-type':
        // Sent twice, it is left to node:http and the router, which take one of them.
        contentType = contentType === undefined ? value : null;
        break;
      case 'transfer-encoding':
      case 'content-encoding':
      case 'upgrade':
      case 'expect':
        return undefined;
      default:
        // A name with spaces or a folded line is malformed: node:http refuses those itself.
        if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) return undefined;
    }
  }
  if (!host || (method === 'PUT' && bodyBytes === undefined)) return undefined;
  if (method === 'PUT' && contentType !== undefined) {
    if (contentType === null) return undefined;
    req.contentType = contentType;
  }
  return { req, bodyBytes: bodyBytes ?? 0 };
}
