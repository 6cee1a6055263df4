/**
 * The filter expression language of the CLI and HTTP (issue 3), parsed into the JSON `Filter` form so
 * both forms share one evaluator.
 *
 *   expr       := and ('or' and)*              precedence: not > and > or
 *   and        := unary ('and' unary)*         keywords are case-insensitive
 *   unary      := 'not' unary | '(' expr ')' | comparison
 *   comparison := field ('=' | '==' | '!=' | '>' | '>=' | '<' | '<=' | 'contains') value
 *               | field 'in' array | field 'exists' | field 'matches' (/re/flags | quoted source)
 *   value      := "json" | 'single' | number | true | false | null | array | object | bare word
 *
 * The parser reads by context (no separate tokenizer), so `/` starts a regex only after `matches`, a
 * bare word like `10:30` or `a@b.com` is one string, and quoted text never splits (`name = "a>=b"`).
 */
import type { JsonValue } from '../engine/types.js';
import { InvalidQueryError } from '../errors.js';
import { MAX_DEPTH } from './json.js';
import { operandProblem } from './operand.js';
import type { FieldFilter, Filter, FilterOp } from './types.js';

/** Parses `source`; throws INVALID_QUERY with the 1-based column (in code points) of the problem. */
export function parseExpression(source: string, where = 'filter'): Filter {
  if (typeof source !== 'string') {
    throw new InvalidQueryError(`Invalid query at ${where}: an expression must be a string`, { path: where });
  }
  return new ExpressionParser(source, where).parse();
}

// Characters that end a bare word: whitespace, brackets, separators, quotes and comparison operators.
const BARE_END = /[\s()[\]{},"'=<>]/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const SYMBOL_OPS: ReadonlyArray<[string, FilterOp]> = [
  ['==', 'eq'], ['=', 'eq'], ['!=', 'ne'], ['>=', 'gte'], ['>', 'gt'], ['<=', 'lte'], ['<', 'lt'],
];
const WORD_OPS: readonly FilterOp[] = ['in', 'contains', 'exists', 'matches'];
const CONNECTIVES = new Set(['and', 'or', 'not']);

class ExpressionParser {
  readonly #src: string;
  readonly #where: string;
  #pos = 0;
  #depth = 0;

  constructor(src: string, where: string) {
    this.#src = src;
    this.#where = where;
  }

  parse(): Filter {
    this.#skipSpace();
    if (this.#atEnd()) this.#fail('the expression is empty', this.#pos);
    const filter = this.#parseOr();
    this.#skipSpace();
    if (!this.#atEnd()) this.#fail(`unexpected ${this.#near()} (expected and, or, or the end)`, this.#pos);
    return filter;
  }

  #parseOr(): Filter {
    const parts = [this.#parseAnd()];
    while (this.#eatKeyword('or')) parts.push(this.#parseAnd());
    return parts.length === 1 ? parts[0] : { or: parts };
  }

  #parseAnd(): Filter {
    const parts = [this.#parseUnary()];
    while (this.#eatKeyword('and')) parts.push(this.#parseUnary());
    return parts.length === 1 ? parts[0] : { and: parts };
  }

  #parseUnary(): Filter {
    if (this.#eatKeyword('not')) return this.#nested(() => ({ not: this.#parseUnary() }));
    this.#skipSpace();
    if (this.#peek() !== '(') return this.#parseComparison();
    const open = this.#pos++;
    const inner = this.#nested(() => this.#parseOr());
    this.#skipSpace();
    if (this.#peek() !== ')') {
      this.#fail(`expected ")" to close the "(" at column ${this.#column(open)}, found ${this.#near()}`, this.#pos);
    }
    this.#pos++;
    return inner;
  }

  #parseComparison(): FieldFilter {
    const field = this.#readField();
    this.#skipSpace();
    const op = this.#readOperator(field);
    if (op === 'exists') return { field, op };
    this.#skipSpace();
    const at = this.#pos;
    if (op === 'matches') return { field, op, ...this.#readRegExp() };
    const value = this.#readValue(0);
    const problem = operandProblem(op, value, undefined);
    if (problem !== undefined) this.#fail(problem.message, at);
    return { field, op, value };
  }

  #readField(): string {
    const at = this.#pos;
    const quote = this.#peek();
    const field = quote === '"' || quote === "'" ? this.#readQuoted() : this.#readBare(false);
    if (field === '') this.#fail(`expected a field name, found ${this.#near()}`, at);
    if (quote !== '"' && quote !== "'" && CONNECTIVES.has(field.toLowerCase())) {
      this.#fail(`expected a field name, found the keyword "${field}" (quote it to use it as a field)`, at);
    }
    if (field.split('.').includes('')) this.#fail(`field path "${field}" has an empty segment`, at);
    return field;
  }

  #readOperator(field: string): FilterOp {
    for (const [symbol, op] of SYMBOL_OPS) {
      if (this.#src.startsWith(symbol, this.#pos)) {
        this.#pos += symbol.length;
        return op;
      }
    }
    for (const op of WORD_OPS) if (this.#eatKeyword(op)) return op;
    return this.#fail(
      `expected an operator after "${field}" (= == != > >= < <= in contains exists matches), found ${this.#near()}`,
      this.#pos,
    );
  }

  #readValue(depth: number): JsonValue {
    this.#skipSpace();
    const at = this.#pos;
    if (depth > MAX_DEPTH) this.#fail(`values nested more than ${MAX_DEPTH} levels deep`, at);
    const c = this.#peek();
    if (c === '"' || c === "'") return this.#readQuoted();
    if (c === '[') return this.#readArray(depth);
    if (c === '{') return this.#readObject(depth);
    const word = this.#readBare(false);
    if (word === '') this.#fail(`expected a value, found ${this.#near()}`, at);
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (NUMBER.test(word)) {
      const n = Number(word);
      if (!Number.isFinite(n)) this.#fail(`number ${word} is out of range`, at);
      return n;
    }
    if (CONNECTIVES.has(word.toLowerCase())) {
      this.#fail(`expected a value, found the keyword "${word}" (quote it to use it as a string)`, at);
    }
    return word;
  }

  #readArray(depth: number): JsonValue[] {
    const open = this.#pos++;
    const items: JsonValue[] = [];
    this.#skipSpace();
    if (this.#peek() === ']') {
      this.#pos++;
      return items;
    }
    for (;;) {
      items.push(this.#readValue(depth + 1));
      if (this.#eatSeparator(']', open)) return items;
    }
  }

  #readObject(depth: number): { [key: string]: JsonValue } {
    const open = this.#pos++;
    const obj: { [key: string]: JsonValue } = {};
    this.#skipSpace();
    if (this.#peek() === '}') {
      this.#pos++;
      return obj;
    }
    for (;;) {
      this.#skipSpace();
      const at = this.#pos;
      const q = this.#peek();
      const key = q === '"' || q === "'" ? this.#readQuoted() : this.#readBare(true);
      if (key === '' && q !== '"' && q !== "'") this.#fail(`expected an object key, found ${this.#near()}`, at);
      this.#skipSpace();
      if (this.#peek() !== ':') this.#fail(`expected ":" after the key "${key}", found ${this.#near()}`, this.#pos);
      this.#pos++;
      // defineProperty, so a key named __proto__ stays an ordinary key as in JSON.parse.
      Object.defineProperty(obj, key, { value: this.#readValue(depth + 1), enumerable: true, writable: true, configurable: true });
      if (this.#eatSeparator('}', open)) return obj;
    }
  }

  /** After an element: consumes `,` (returns false) or the closing bracket (returns true). */
  #eatSeparator(close: string, open: number): boolean {
    this.#skipSpace();
    const c = this.#peek();
    this.#pos++;
    if (c === ',') return false;
    if (c === close) return true;
    const opener = close === ']' ? '[' : '{';
    return this.#fail(
      `expected "," or "${close}" to close the "${opener}" at column ${this.#column(open)}, found ${this.#near(this.#pos - 1)}`,
      this.#pos - 1,
    );
  }

  /** A "double" or 'single' quoted string with JSON escapes (`\'` also allowed). */
  #readQuoted(): string {
    const start = this.#pos;
    const quote = this.#src[this.#pos++];
    let json = '"';
    for (;;) {
      if (this.#atEnd()) this.#fail(`unterminated string (missing closing ${quote})`, start);
      const ch = this.#src[this.#pos];
      if (ch === quote) break;
      if (ch === '\\') {
        const next = this.#src[this.#pos + 1] ?? '';
        json += next === "'" ? "'" : `\\${next}`;
        this.#pos += 2;
        continue;
      }
      json += ch === '"' ? '\\"' : ch < ' ' ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
      this.#pos++;
    }
    this.#pos++;
    try {
      return JSON.parse(`${json}"`) as string;
    } catch {
      return this.#fail('invalid escape sequence in string', start);
    }
  }

  /** A run of non-special characters; `!` ends it only as part of `!=`, `:` only in object keys. */
  #readBare(objectKey: boolean): string {
    const start = this.#pos;
    while (!this.#atEnd()) {
      const ch = this.#src[this.#pos];
      if (BARE_END.test(ch) || (ch === '!' && this.#src[this.#pos + 1] === '=') || (objectKey && ch === ':')) break;
      this.#pos++;
    }
    return this.#src.slice(start, this.#pos);
  }

  /** `/source/flags` (a slash inside [...] or after \ does not end it) or a quoted source string. */
  #readRegExp(): { value: string; flags?: string } {
    const at = this.#pos;
    const c = this.#peek();
    let value: string;
    let flags = '';
    if (c === '"' || c === "'") {
      value = this.#readQuoted();
    } else if (c === '/') {
      value = this.#readRegExpBody();
      while (/[a-z]/i.test(this.#peek())) flags += this.#src[this.#pos++];
    } else {
      return this.#fail(`expected a regular expression like /abc/i after matches, found ${this.#near()}`, at);
    }
    if (!this.#atEnd() && !/[\s()]/.test(this.#peek())) {
      this.#fail(`unexpected ${this.#near()} after the regular expression`, this.#pos);
    }
    const problem = operandProblem('matches', value, flags === '' ? undefined : flags);
    if (problem !== undefined) this.#fail(problem.message, at);
    return flags === '' ? { value } : { value, flags };
  }

  #readRegExpBody(): string {
    const start = this.#pos++;
    let inClass = false;
    for (;;) {
      if (this.#atEnd()) this.#fail('unterminated regular expression (missing closing /)', start);
      const ch = this.#src[this.#pos];
      if (ch === '\\') {
        this.#pos += 2;
        continue;
      }
      if (ch === '/' && !inClass) break;
      if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      this.#pos++;
    }
    return this.#src.slice(start + 1, this.#pos++);
  }

  /** Consumes `word` (case-insensitive) when it stands alone at the next non-space position. */
  #eatKeyword(word: string): boolean {
    this.#skipSpace();
    const end = this.#pos + word.length;
    if (this.#src.slice(this.#pos, end).toLowerCase() !== word) return false;
    const after = this.#src[end];
    if (after !== undefined && !BARE_END.test(after)) return false;
    this.#pos = end;
    return true;
  }

  #nested<T>(parse: () => T): T {
    if (++this.#depth > MAX_DEPTH) this.#fail(`expression nested more than ${MAX_DEPTH} levels deep`, this.#pos);
    const result = parse();
    this.#depth--;
    return result;
  }

  #skipSpace(): void {
    while (!this.#atEnd() && /\s/.test(this.#src[this.#pos])) this.#pos++;
  }

  #peek(): string {
    return this.#src[this.#pos] ?? '';
  }

  #atEnd(): boolean {
    return this.#pos >= this.#src.length;
  }

  #near(pos = this.#pos): string {
    if (pos >= this.#src.length) return 'the end of the expression';
    const rest = this.#src.slice(pos).match(/^\S{1,20}/)?.[0] ?? this.#src[pos];
    return JSON.stringify(rest);
  }

  #column(pos: number): number {
    return Array.from(this.#src.slice(0, pos)).length + 1;
  }

  #fail(what: string, pos: number): never {
    const column = this.#column(pos);
    throw new InvalidQueryError(`Invalid query at ${this.#where}, column ${column}: ${what}`, { path: this.#where });
  }
}
