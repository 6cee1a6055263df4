/**
 * What each filter operator accepts as its operand. The JSON validator and the expression parser both
 * ask here, so a filter is rejected for the same reason whichever way it was written.
 */
import type { JsonValue } from '../engine/types.js';
import type { FilterOp } from './types.js';
import { describe } from './json.js';
import { patternLengthProblem, patternRisk } from './pattern-risk.js';

export const FILTER_OPS: readonly FilterOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists', 'matches'];

export function isFilterOp(value: unknown): value is FilterOp {
  return typeof value === 'string' && (FILTER_OPS as readonly string[]).includes(value);
}

/** Which part of a field filter a problem is about, and what is wrong with it. */
export interface OperandProblem {
  part: 'value' | 'flags';
  message: string;
}

/** Returns what is wrong with `value`/`flags` as the operand of `op`, or undefined when they fit. */
export function operandProblem(op: FilterOp, value: JsonValue | undefined, flags: unknown): OperandProblem | undefined {
  if (flags !== undefined && op !== 'matches') {
    return { part: 'flags', message: `flags apply only to the matches operator, not ${op}` };
  }
  switch (op) {
    case 'exists':
      // Rejecting `value: false` keeps it from silently meaning "exists"; absence is `not`.
      return value === undefined || value === true
        ? undefined
        : { part: 'value', message: `exists takes no value (got ${describe(value)}); use not to test for absence` };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return undefined;
      return { part: 'value', message: `${op} compares a number, string or boolean, not ${describe(value)}` };
    case 'in':
      return Array.isArray(value) ? undefined : { part: 'value', message: `in needs an array of values, not ${describe(value)}` };
    case 'matches':
      return regExpProblem(value, flags);
    default:
      return value === undefined ? { part: 'value', message: `${op} needs a value` } : undefined;
  }
}

function regExpProblem(value: JsonValue | undefined, flags: unknown): OperandProblem | undefined {
  if (typeof value !== 'string') {
    return { part: 'value', message: `matches needs a regular-expression source string, not ${describe(value)}` };
  }
  if (flags !== undefined && typeof flags !== 'string') {
    return { part: 'flags', message: `flags must be a string such as "i", not ${describe(flags)}` };
  }
  // Too long a pattern is refused before V8 compiles it.
  const tooLong = patternLengthProblem(value, flags);
  if (tooLong !== undefined) return { part: 'value', message: tooLong };
  try {
    buildRegExp(value, flags);
  } catch (err) {
    // V8 repeats the pattern in its message ("Invalid regular expression: /(/: Unterminated group").
    const reason = (err instanceof Error ? err.message : String(err)).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return { part: 'value', message: `invalid regular expression /${value}/${flags ?? ''}: ${reason}` };
  }
  const risk = patternRisk(value, flags);
  return risk === undefined ? undefined : { part: 'value', message: risk };
}

/**
 * Builds the RegExp a `matches` filter tests with. `g` and `y` are accepted but dropped: they make
 * `test()` stateful (lastIndex), so one document's result would depend on the previous one.
 */
export function buildRegExp(source: string, flags: string | undefined): RegExp {
  const re = new RegExp(source, flags);
  return re.global || re.sticky ? new RegExp(source, (flags ?? '').replace(/[gy]/g, '')) : re;
}
