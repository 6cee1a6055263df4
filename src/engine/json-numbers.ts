/**
 * Finds number literals in JSON text that a JavaScript number cannot hold exactly: JSON.parse
 * rounds `12345678901234567890` to `12345678901234567000` without a word. The text is scanned
 * token by token (so digits inside strings are never mistaken for numbers), keeping the JSON path
 * of each value; it must already be valid JSON.
 */

export interface InexactNumber {
  literal: string;
  path: string;
}

type Frame = { array: true; index: number } | { array: false; key: string; expectKey: boolean };

/** `$.a` for a plain name, `$["a b"]` otherwise. */
export function member(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * A cheap first look: false when `text` holds no number JSON.parse could round. Every such literal
 * has 16 or more digits (with its point, 16 or more characters of digits and dots) or a three-digit
 * exponent; 15 significant digits always survive the trip. True may still be a false alarm (digits
 * in a string, a long exact number): `findInexactNumber` then decides.
 */
export function mayHoldInexactNumber(text: string): boolean {
  return INEXACT_HINT.test(text);
}
const INEXACT_HINT = /[\d.]{16}|[eE][+-]?\d{3}/;

/** What a refusal of an inexact number says after naming it: why, and what to do instead. */
export const INEXACT_NUMBER_WHY = 'numbers are 64-bit floating point, which keep about 16 significant digits';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Digits without leading or trailing zeros and the power of ten of the last one: `1.50e3` → 15, 2. */
function decimal(text: string): { digits: string; exponent: number } {
  const m = /^-?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!m) return { digits: text, exponent: 0 };
  const fraction = m[2] ?? '';
  const all = `${m[1]}${fraction}`;
  const trimmed = all.replace(/0+$/, '');
  const exponent = Number(m[3] ?? 0) - fraction.length + (all.length - trimmed.length);
  const digits = trimmed.replace(/^0+/, '');
  return digits === '' ? { digits: '0', exponent: 0 } : { digits, exponent };
}

/**
 * Whether `literal` survives a round trip through a number: it must name the number JavaScript
 * prints back, digit for digit whatever the notation (`0.1`, `1e308`, `-0`, `100000000000000000000`
 * and `9007199254740992` do; `9007199254740993`, `1e400` and 20 significant digits do not). So a
 * client reads back the digits it sent, and JavaScript's own output is always taken.
 */
export function exactNumber(literal: string): boolean {
  const n = Number(literal);
  if (!Number.isFinite(n)) return false;
  const a = decimal(literal);
  const b = decimal(String(n));
  return a.digits === b.digits && a.exponent === b.exponent;
}

function pathOf(stack: readonly Frame[]): string {
  let path = '$';
  for (const f of stack) path = f.array ? `${path}[${f.index}]` : member(path, f.key);
  return path;
}

/** The end of the string literal that starts at `at` (the index after its closing quote). */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** The first number in the JSON `text` that would not be stored exactly, if any. */
export function findInexactNumber(text: string): InexactNumber | undefined {
  for (const found of inexactNumbers(text)) return found;
  return undefined;
}

/** Every number in the JSON `text` that would not be stored exactly, in text order. */
export function* inexactNumbers(text: string): Generator<InexactNumber> {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (top !== undefined && !top.array && top.expectKey) top.key = JSON.parse(text.slice(i, end)) as string;
      i = end;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)?.[0] ?? c;
      if (!exactNumber(literal)) yield { literal, path: pathOf(stack) };
      i += literal.length;
      continue;
    }
    if (c === '{') stack.push({ array: false, key: '', expectKey: true });
    else if (c === '[') stack.push({ array: true, index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ':' && top !== undefined && !top.array) top.expectKey = false;
    else if (c === ',' && top !== undefined) {
      if (top.array) top.index++;
      else top.expectKey = true;
    }
    i++;
  }
}
