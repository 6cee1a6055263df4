import { DamagedDatabaseError, isKoruDeltaError, publicError } from '../errors.js';
import type { KeyRef } from './args.js';
import { CliError } from './errors.js';
import { shellQuote } from './shell-quote.js';
import type { Style } from './style.js';

/** What a command works on: a key or namespace, or a view. Error hints name it. */
export type Subject = Partial<KeyRef> & { view?: string };

export interface ReportContext {
  json: boolean;
  style: Style;
  url?: string;
  subject?: Subject;
}

export interface Described {
  code: string;
  message: string;
  hint?: string;
  exitCode: 1 | 2;
}

/** The part of a query an INVALID_QUERY names (`filter`, `sort[0].field`…), from its path or, over HTTP, its message. */
function queryPart(err: { path?: string; message: string }): string | undefined {
  return err.path ?? /^Invalid query at ([^\s,:]+)/.exec(err.message)?.[1];
}

function hintFor(code: string, subject: Subject, where?: string): string | undefined {
  const { namespace, key, view } = subject;
  switch (code) {
    case 'INVALID_NAMESPACE':
      // `kdelta list users/alice`: a key where a namespace goes.
      return namespace?.includes('/') ? `A namespace has no "/": ${namespace} names a key. Try: kdelta get ${shellQuote(namespace)}` : undefined;
    case 'KEY_NOT_FOUND':
      return namespace === undefined ? undefined : `Try: kdelta list ${namespace}`;
    case 'NO_VALUE_AT_TIMESTAMP':
      return namespace === undefined || key === undefined ? undefined : `Try: kdelta log ${namespace}/${key} (to see when it was written)`;
    case 'VIEW_NOT_FOUND':
      return 'Try: kdelta view list';
    case 'VIEW_EXISTS':
      return `Pick another name, or remove the old view first with: kdelta view delete ${view === undefined ? '<name>' : shellQuote(view)}`;
    case 'INVALID_QUERY':
      // Only a filter problem gets the filter example: a bad sort field or limit is named by the message.
      return where !== undefined && /^filter(?:$|[.[])/.test(where)
        ? 'Filters look like: age >= 18 and (status = "active" or tags contains admin)'
        : undefined;
    case 'CORRUPTED':
      return 'Try: kdelta verify';
    case 'CONNECTION_FAILED':
    case 'UNREACHABLE':
      return 'Is `kdelta serve` running there?';
    default:
      return undefined;
  }
}

/** A failure as it will be reported: its code, message, hint and exit code. */
export function describeError(thrown: unknown, ctx: ReportContext): Described {
  const err = publicError(thrown);
  if (err instanceof CliError) return { code: err.code, message: err.message, hint: err.hint, exitCode: err.exitCode };
  // `kdelta verify` cannot help with a file that cannot be read at all: the message says what can.
  if (err instanceof DamagedDatabaseError) return { code: err.code, message: err.message, hint: undefined, exitCode: 1 };
  if (isKoruDeltaError(err)) {
    return { code: err.code, message: err.message, hint: hintFor(err.code, { ...ctx.subject, namespace: err.namespace ?? ctx.subject?.namespace }, queryPart(err)), exitCode: 1 };
  }
  const e = err as { code?: unknown; message?: unknown } | undefined;
  // fetch() reports an unreachable server as a bare TypeError; say which server.
  if (ctx.url !== undefined && err instanceof TypeError && /fetch failed/i.test(String(e?.message))) {
    return { code: 'UNREACHABLE', message: `cannot reach ${ctx.url}`, hint: hintFor('UNREACHABLE', {}), exitCode: 1 };
  }
  const code = typeof e?.code === 'string' ? e.code : 'ERROR';
  return { code, message: typeof e?.message === 'string' ? e.message : String(err), hint: hintFor(code, ctx.subject ?? {}), exitCode: 1 };
}

/**
 * Reports a failure on stderr and sets the exit code: `Error: <message>` and an optional hint, or
 * with `--json` one line `{"error":{"code","message","hint"?}}` (the HTTP API's error shape).
 * Stack traces only with KORU_LOG=debug (or trace).
 */
export function reportError(err: unknown, ctx: ReportContext): void {
  const d = describeError(err, ctx);
  if (ctx.json) {
    const error = d.hint === undefined ? { code: d.code, message: d.message } : { code: d.code, message: d.message, hint: d.hint };
    process.stderr.write(`${JSON.stringify({ error })}\n`);
  } else {
    process.stderr.write(`${ctx.style.red('Error:')} ${d.message}\n`);
    if (d.hint !== undefined) process.stderr.write(`${ctx.style.dim(d.hint)}\n`);
  }
  if (/^(debug|trace)$/i.test(process.env.KORU_LOG ?? '') && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.exitCode = d.exitCode;
}
