import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { refusalAtLine } from '../../client/import-refusal.js';
import { NdjsonLineTooLongError, ndjsonLines, toNdjson } from '../../client/ndjson.js';
import type { ExportRecord } from '../../engine/types.js';
import { isKoruDeltaError } from '../../errors.js';
import type { RouteContext } from '../context.js';
import { HttpError, mediaType, refusalOfInput, unsupportedType } from '../http-errors.js';
import { discardRest } from '../request-body.js';
import { errors, exportRecord, timeString } from '../schemas.js';

const NDJSON = 'application/x-ndjson';

/**
 * What an import line may hold besides a value of `--max-body` bytes: the record's names, ids,
 * hash and time (a key of 512 bytes, escaped, stays well within). So an export of any value the
 * server took can be imported back through it.
 */
const RECORD_ALLOWANCE_BYTES = 64 * 1024;

/** Parses an import body line by line, so an import of any size streams through in bounded memory. */
async function* importRecords(body: AsyncIterable<Uint8Array>, maxLineBytes: number, at: { line: number }): AsyncGenerator<ExportRecord> {
  let line = 0;
  try {
    for await (const text of ndjsonLines(body, maxLineBytes)) {
      line++;
      at.line = line;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch {
        throw new HttpError('INVALID_REQUEST', `Invalid import: line ${line} is not valid JSON`);
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw new HttpError('INVALID_REQUEST', `Invalid import: line ${line} is not an export record object`);
      }
      yield record as ExportRecord;
    }
  } catch (err) {
    if (err instanceof NdjsonLineTooLongError) throw new HttpError('BODY_TOO_LARGE', `Invalid import: line ${line + 1} exceeds ${maxLineBytes} bytes`);
    throw err;
  }
}

/**
 * A record the database refused, as the import's answer: the same error, saying on which line (the
 * library checks each record as it is read, so the refused one is the last line read), and a 400:
 * it is the upload's fault. The server's state (full, closing) is answered as it is.
 */
function refusedAt(err: unknown, line: number): unknown {
  if (!isKoruDeltaError(err) || err.code === 'STORAGE_FULL' || err.code === 'DATABASE_CLOSED') return err;
  const refusal = refusalAtLine(err, line);
  return refusal === err ? err : refusalOfInput(refusal as object);
}

/** NDJSON export and import: every version with its metadata, for backups and the remote CLI. */
export async function transferRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { db, metrics, maxBodyBytes } = ctx;

  // Every body reaches the import route unread, whatever its type: the route checks the type first
  // (a 415 naming NDJSON), where Fastify's JSON parser would read an NDJSON body sent as
  // application/json and refuse it as bad JSON or as too large. The body is then consumed as a
  // stream: the size limit applies per record line, not per import.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.get('/api/v1/export', {
    config: { responseType: NDJSON },
    schema: {
      summary: 'Export every version as NDJSON (commit order), or a snapshot as of ?at',
      querystring: { type: 'object', properties: { at: timeString } },
      response: { 200: { description: `${NDJSON}: one ExportRecord per line`, ...exportRecord }, ...errors(400, 500) },
    },
  }, async (req: FastifyRequest<{ Querystring: { at?: string } }>, reply) => {
    metrics.countRead();
    const at = req.query.at;
    const source = db.exportVersions(at === undefined ? {} : { at })[Symbol.asyncIterator]();
    // The first record is pulled before the headers go out, so a bad `at` still gets a JSON 400.
    const first = await source.next();
    async function* rest(): AsyncGenerator<ExportRecord> {
      if (first.done) return;
      yield first.value;
      for (let r = await source.next(); !r.done; r = await source.next()) yield r.value;
    }
    return reply.type(NDJSON).send(Readable.from(toNdjson(rest())));
  });

  app.post('/api/v1/import', {
    config: { bodyType: NDJSON },
    schema: {
      summary: 'Import NDJSON export records (same versionIds, timestamps and chains; repeated imports add nothing)',
      description: `Body: ${NDJSON}, one ExportRecord per line; each line may be up to the server's body limit.`,
      body: { description: NDJSON },
      response: {
        200: { type: 'object', properties: { imported: { type: 'integer' }, skipped: { type: 'integer' } } },
        ...errors(400, 413, 415, 500, 507),
      },
    },
  }, async (req: FastifyRequest<{ Body: Readable | undefined }>, reply) => {
    const at = { line: 0 };
    try {
      if (req.body === undefined || mediaType(req.headers['content-type']) !== NDJSON) {
        throw new HttpError('UNSUPPORTED_MEDIA_TYPE', unsupportedType(NDJSON));
      }
      // Left open when the import stops early, so the error can still be answered (discardRest).
      return await db.importVersions(importRecords(req.body.iterator({ destroyOnReturn: false }), maxBodyBytes + RECORD_ALLOWANCE_BYTES, at));
    } catch (err) {
      if (!(await discardRest(req.raw, maxBodyBytes))) reply.header('connection', 'close');
      throw refusedAt(err, at.line);
    }
  });
}
