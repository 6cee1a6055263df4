/**
 * Filters: validated whole before anything runs (a bad filter is INVALID_QUERY naming its path, never
 * a silent empty result), then compiled once into a closure tree so each document costs only the
 * comparisons, with paths pre-split and operands pre-indexed.
 */
import type { JsonValue } from '../engine/types.js';
import { InvalidQueryError, fullKey } from '../errors.js';
import { parseExpression } from './expression.js';
import { deepEqual, describe, isPlainObject, jsonProblem, MAX_DEPTH } from './json.js';
import { buildRegExp, FILTER_OPS, isFilterOp, operandProblem } from './operand.js';
import { compareStrings } from './order.js';
import { parsePath, readPath, type Path } from './path.js';
import type { FieldFilter, Filter } from './types.js';

/** A compiled filter: true when the document matches. */
export type Predicate = (doc: JsonValue) => boolean;

/**
 * Checks a filter object or expression string and returns it as a `Filter` object. `where` names the
 * filter in error messages (e.g. `filter`, so a problem reads `filter.and[2].op`).
 */
export function validateFilter(input: unknown, where = 'filter'): Filter {
  if (typeof input === 'string') return parseExpression(input, where);
  return checkNode(input, where, 0);
}

/** Validates `filter` (see `validateFilter`) and compiles it into a predicate. */
export function compileFilter(filter: Filter | string, where = 'filter'): Predicate {
  return compileNode(validateFilter(filter, where));
}

/** Compiles a history filter; its INVALID_QUERY names the key besides where the filter went wrong. */
export function compileHistoryFilter(filter: Filter | string, namespace: string, key: string): Predicate {
  try {
    return compileFilter(filter, 'history.filter');
  } catch (err) {
    if (!(err instanceof InvalidQueryError)) throw err;
    // `Invalid query at history.filter, column 4: …` → `Invalid query at history.filter for ns/key, column 4: …`.
    const opening = `Invalid query at ${err.path}`;
    const message = err.message.startsWith(opening)
      ? `${opening} for ${fullKey(namespace, key)}${err.message.slice(opening.length)}`
      : `${err.message} (history of ${fullKey(namespace, key)})`;
    throw new InvalidQueryError(message, { namespace, key, path: err.path, cause: err });
  }
}

function fail(path: string, what: string): never {
  throw new InvalidQueryError(`Invalid query at ${path}: ${what}`, { path });
}

const SHAPES = 'a filter is {field, op, value}, {and: [...]}, {or: [...]} or {not: filter}';
const FIELD_KEYS = new Set(['field', 'op', 'value', 'flags']);

function checkNode(node: unknown, path: string, depth: number): Filter {
  if (depth > MAX_DEPTH) fail(path, `filter nested more than ${MAX_DEPTH} levels deep`);
  if (!isPlainObject(node)) fail(path, `expected a filter, got ${describe(node)} (${SHAPES})`);
  const keys = Object.keys(node);
  for (const combinator of ['and', 'or', 'not'] as const) {
    if (!Object.hasOwn(node, combinator)) continue;
    const extra = keys.find((k) => k !== combinator);
    if (extra !== undefined) fail(`${path}.${extra}`, `unexpected key beside "${combinator}" (${SHAPES})`);
    const inner = node[combinator];
    if (combinator === 'not') return { not: checkNode(inner, `${path}.not`, depth + 1) };
    if (!Array.isArray(inner)) fail(`${path}.${combinator}`, `expected an array of filters, got ${describe(inner)}`);
    const parts = inner.map((part, i) => checkNode(part, `${path}.${combinator}[${i}]`, depth + 1));
    return combinator === 'and' ? { and: parts } : { or: parts };
  }
  if (!Object.hasOwn(node, 'field') && !Object.hasOwn(node, 'op')) {
    fail(path, keys.length === 0 ? `empty filter object (${SHAPES})` : `unknown filter keys ${keys.join(', ')} (${SHAPES})`);
  }
  return checkFieldFilter(node, path);
}

function checkFieldFilter(node: Record<string, unknown>, path: string): FieldFilter {
  const extra = Object.keys(node).find((k) => !FIELD_KEYS.has(k));
  if (extra !== undefined) fail(`${path}.${extra}`, 'unexpected key in a field filter (expected field, op, value, flags)');
  if (!Object.hasOwn(node, 'field')) fail(`${path}.field`, 'missing field');
  const field = parsePath(node.field, `${path}.field`).source;
  const op = node.op;
  if (op === undefined) fail(`${path}.op`, `missing operator (one of ${FILTER_OPS.join(', ')})`);
  if (!isFilterOp(op)) fail(`${path}.op`, `unknown operator ${describe(op)} (expected one of ${FILTER_OPS.join(', ')})`);
  const value = node.value;
  if (value !== undefined) {
    const problem = jsonProblem(value, `${path}.value`);
    if (problem !== undefined) fail(problem.path, problem.message);
  }
  const json = value as JsonValue | undefined;
  const problem = operandProblem(op, json, node.flags);
  if (problem !== undefined) fail(`${path}.${problem.part}`, problem.message);
  const out: FieldFilter = { field, op };
  if (json !== undefined) out.value = json;
  if (node.flags !== undefined) out.flags = node.flags as string;
  return out;
}

function compileNode(filter: Filter): Predicate {
  if ('and' in filter) return compileAll(filter.and.map(compileNode));
  if ('or' in filter) return compileAny(filter.or.map(compileNode));
  if ('not' in filter) {
    const inner = compileNode(filter.not);
    return (doc) => !inner(doc);
  }
  return compileField(filter);
}

function compileAll(parts: Predicate[]): Predicate {
  if (parts.length === 0) return () => true;
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [a, b] = parts;
    return (doc) => a(doc) && b(doc);
  }
  return (doc) => parts.every((p) => p(doc));
}

function compileAny(parts: Predicate[]): Predicate {
  if (parts.length === 0) return () => false;
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [a, b] = parts;
    return (doc) => a(doc) || b(doc);
  }
  return (doc) => parts.some((p) => p(doc));
}

function compileField(filter: FieldFilter): Predicate {
  const path = parsePath(filter.field, 'field');
  const value = filter.value as JsonValue;
  switch (filter.op) {
    case 'eq':
      return equals(path, value);
    case 'ne': {
      const eq = equals(path, value);
      return (doc) => !eq(doc);
    }
    case 'gt':
      return ordered(path, value, (c) => c > 0);
    case 'gte':
      return ordered(path, value, (c) => c >= 0);
    case 'lt':
      return ordered(path, value, (c) => c < 0);
    case 'lte':
      return ordered(path, value, (c) => c <= 0);
    case 'in':
      return oneOf(path, value as JsonValue[]);
    case 'contains':
      return contains(path, value);
    case 'exists':
      return (doc) => readPath(doc, path) != null;
    case 'matches': {
      const re = buildRegExp(value as string, filter.flags);
      return (doc) => {
        const v = readPath(doc, path);
        return typeof v === 'string' && re.test(v);
      };
    }
  }
}

// A primitive operand compares with ===, which is deep equality for primitives (and 0 === -0).
function equals(path: Path, value: JsonValue): Predicate {
  if (value === null || typeof value !== 'object') return (doc) => readPath(doc, path) === value;
  return (doc) => {
    const v = readPath(doc, path);
    return v !== undefined && deepEqual(v, value);
  };
}

/** Same-type comparison only: a string never compares with a number, nor a missing field with anything. */
function ordered(path: Path, value: JsonValue, accept: (c: number) => boolean): Predicate {
  if (typeof value === 'string') {
    return (doc) => {
      const v = readPath(doc, path);
      return typeof v === 'string' && accept(compareStrings(v, value));
    };
  }
  const type = typeof value;
  const operand = Number(value);
  return (doc) => {
    const v = readPath(doc, path);
    return typeof v === type && accept(Number(v) - operand);
  };
}

function oneOf(path: Path, values: JsonValue[]): Predicate {
  const primitives = new Set(values.filter((v) => v === null || typeof v !== 'object'));
  const composites = values.filter((v) => v !== null && typeof v === 'object');
  return (doc) => {
    const v = readPath(doc, path);
    if (v === undefined) return false;
    if (v === null || typeof v !== 'object') return primitives.has(v);
    return composites.some((c) => deepEqual(v, c));
  };
}

function contains(path: Path, value: JsonValue): Predicate {
  const primitive = value === null || typeof value !== 'object';
  return (doc) => {
    const v = readPath(doc, path);
    if (typeof v === 'string') return typeof value === 'string' && v.includes(value);
    if (Array.isArray(v)) return primitive ? v.includes(value) : v.some((e) => deepEqual(e, value));
    if (v !== null && typeof v === 'object') return typeof value === 'string' && Object.hasOwn(v, value);
    return false;
  };
}
