import { maxHeaderSize, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { HTTP_ERROR_CODES, type ErrorBody, type HttpErrorCode } from './http-errors.js';

export interface ClientErrorOptions {
  logger: Logger;
  /** Told of every answer given here (its request id, status and the time the request had), for the request log and metrics. */
  answered?: (reqId: string, status: number, durationMs: number) => void;
  /** The request id generator of the routed paths: the answer carries a fresh id, as every answer. */
  genReqId: () => string;
  requestTimeoutMs: number;
  /** The `x-koru-worker` header value of a worker of a multi-process server. */
  worker?: string;
}

/** A parse error of node:http's (llhttp's): `code` HPE_*, `reason` in words. */
type ParseError = Error & { code?: string; reason?: string };

/** node:http's socket property holding the response being written on it (what node:http's own handler reads). */
type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

function describe(err: ParseError, requestTimeoutMs: number): { code: HttpErrorCode; message: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'REQUEST_HEADER_FIELDS_TOO_LARGE', message: `Request head too large: the request line and headers may take ${maxHeaderSize} bytes` };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT', message: `Request not received within ${requestTimeoutMs / 1000} s` };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 'BODY_TOO_LARGE', message: 'Request body chunk extensions too large' };
    default:
      return { code: 'INVALID_REQUEST', message: `Malformed HTTP request: ${err.reason ?? err.message}${err.code ? ` (${err.code})` : ''}` };
  }
}

/**
 * Fastify's `clientErrorHandler`: what a connection gets when node:http cannot read a request from
 * it (malformed bytes, a head over the size limit, a request not received in time). The answer has
 * the API's error body and a request id, and closes the connection (its next bytes cannot be trusted
 * to start a request). A request read whole before the bad bytes keeps its answer: when a response
 * is being written, the error waits for it to finish.
 */
export function clientErrorHandler(options: ClientErrorOptions): (err: Error, socket: Socket) => void {
  const { logger, genReqId, requestTimeoutMs, worker } = options;

  const answer = (socket: HttpSocket, err: ParseError): void => {
    if (socket.destroyed) return;
    const inFlight = socket._httpMessage;
    if (inFlight && !inFlight.writableFinished) {
      // Being answered: wait (a pipelined response may come next, so look again). A request whose
      // own body the bad bytes broke will not be answered: close without writing into its response.
      if (inFlight.req?.complete) {
        const next = (): void => {
          inFlight.off('finish', next).off('close', next);
          answer(socket, err);
        };
        inFlight.on('finish', next).on('close', next);
        return;
      }
      if (inFlight.headersSent) return void socket.destroy();
    }
    const { code, message } = describe(err, requestTimeoutMs);
    const id = genReqId();
    logger.debug({ reqId: id, code: err.code }, 'client error');
    if (!socket.writable) return void socket.destroy();
    const status = answerAndClose(socket, { code, message, id, worker });
    options.answered?.(id, status, code === 'REQUEST_TIMEOUT' ? requestTimeoutMs : 0);
  };

  return (err, socket) => {
    // A reset connection, or one its client ended in the middle of a request, has no one to answer.
    const code = (err as ParseError).code;
    if (code === 'ECONNRESET' || code === 'HPE_INVALID_EOF_STATE') return void socket.destroy();
    answer(socket, err);
  };
}

/**
 * Writes a whole error response (the API's JSON body, a request id) on a connection node:http is
 * not answering itself, and closes it once written. Returns the status sent.
 */
export function answerAndClose(socket: Socket, a: { code: HttpErrorCode; message: string; id: string; worker?: string }): number {
  const status = HTTP_ERROR_CODES[a.code];
  const body = errorText(a.code, a.message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n`
    + `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${a.id}\r\n${a.worker === undefined ? '' : `x-koru-worker: ${a.worker}\r\n`}`
    + `connection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
  return status;
}

/** The API's error body as JSON text. */
export function errorText(code: HttpErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } } satisfies ErrorBody);
}

/**
 * Answers a request node:http hands over outside routing (its `checkExpectation` and
 * `checkContinue` events) with the API's error body, closing the connection after it. Returns the
 * status sent.
 */
export function answerOutsideRoutes(res: ServerResponse, a: { code: HttpErrorCode; message: string; id: string; worker?: string }): number {
  const status = HTTP_ERROR_CODES[a.code];
  const body = errorText(a.code, a.message);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': a.id, connection: 'close',
    ...(a.worker === undefined ? {} : { 'x-koru-worker': a.worker }),
  });
  res.end(body);
  return status;
}

/**
 * The content coding of a request body the server cannot read, if any: bodies are taken as sent,
 * so a compressed one would be parsed as if it were plain (RFC 9110 §8.4: answer 415).
 */
export function unreadableEncoding(req: IncomingMessage): string | undefined {
  const coding = req.headers['content-encoding'];
  if (coding === undefined) return undefined;
  return /^\s*identity\s*$/i.test(coding) ? undefined : coding;
}

/** An HTTP/1.1 request without the Host header HTTP/1.1 requires (the request hook refuses it). */
export function missingHost(req: IncomingMessage): boolean {
  return req.httpVersion === '1.1' && req.headers.host === undefined;
}
