import safeRegex from 'safe-regex2';

/** Longest `matches` pattern accepted, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 1000;

/** Most quantifiers in one pattern (safe-regex2's own default). */
const MAX_QUANTIFIERS = 25;

/** A pattern quoted in a message: whole when short, its start otherwise. */
function quote(source: string, flags: string | undefined): string {
  const shown = source.length > 60 ? `${source.slice(0, 60)}…` : source;
  return `/${shown}/${flags ?? ''}`;
}

/** Why a `matches` pattern is too long to compile, or undefined. */
export function patternLengthProblem(source: string, flags: string | undefined): string | undefined {
  if (source.length <= MAX_PATTERN_LENGTH) return undefined;
  return `regular expression ${quote(source, flags)} is ${source.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`;
}

/**
 * Why a (syntactically valid) `matches` pattern is refused before it ever runs, or undefined.
 *
 * Patterns run inside the server's process against every document a query, view or change feed
 * sees, on V8's backtracking engine, where a quantifier nested in another (`(a+)+`, `(\w*)*`) takes
 * exponential time on a near miss: `^(a+)+$` against 26 a's and a `!` blocks the process for
 * seconds. safe-regex2 (what Fastify checks its own route patterns with) measures that nesting
 * (the star height); a pattern with more than 25 quantifiers is refused too. It is a heuristic:
 * alternatives that overlap under one quantifier (`(a|a)*`) and polynomial patterns (`a*a*a*b`)
 * pass, so the length limit on patterns (`patternLengthProblem`) and on values still matter.
 */
export function patternRisk(source: string, flags: string | undefined): string | undefined {
  // safe-regex2's parser predates lookbehind and calls it invalid (hence unsafe); as a lookahead
  // it nests exactly the same. Done on the text: inside a class or after a backslash the change
  // alters no quantifier either.
  const checked = source.replaceAll('(?<=', '(?=').replaceAll('(?<!', '(?!');
  if (!safeRegex(checked, { limit: Number.POSITIVE_INFINITY })) {
    return `regular expression ${quote(source, flags)} is refused: a quantifier inside a repeated group (as in (a+)+ or (\\w*)*) can take exponential time; rewrite it without the nesting`;
  }
  if (!safeRegex(checked, { limit: MAX_QUANTIFIERS })) {
    return `regular expression ${quote(source, flags)} is refused: it has more than ${MAX_QUANTIFIERS} quantifiers`;
  }
  return undefined;
}
