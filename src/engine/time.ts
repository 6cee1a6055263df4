import { InvalidTimeError, fullKey, type ErrorDetails } from '../errors.js';
import type { TimeInput } from './types.js';

/**
 * Times are integer microseconds since the epoch inside the engine; the API shows them as ISO-8601
 * UTC with exactly 6 fractional digits, which sort the same way as the numbers.
 */

/**
 * Times accepted are those a `Date` can hold: ±8.64e15 ms (±100,000,000 days) around the epoch,
 * -271821-04-20 to +275760-09-13. Past them `Date` cannot read or write a time (and from about
 * 1.8e16 ms the µs count outgrows the versions keys' u64). That u64 holds only times from the
 * epoch on: earlier ones are valid bounds of a read, before every version, but no version can
 * have one (an import dated earlier is refused).
 */
export const MAX_TIME_MICROS = 8.64e18;
const MAX_TIME_MS = 8.64e15;

/** Years beyond 0-9999 carry a sign and six digits, as `toISOString` writes them. */
const ISO = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const AGO = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)\s+ago$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

function unitMs(unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'ms') return UNIT_MS.ms;
  if (u.startsWith('mi') || u === 'm') return UNIT_MS.m;
  return UNIT_MS[u[0]];
}

/** The number `n` digits of `text` from `at` write, or -1 if one of them is not a digit. */
function digitsAt(text: string, at: number, n: number): number {
  let value = 0;
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * `2026-11-25T20:05:05.123456Z` exactly as `formatMicros` writes it, the text that comes back most
 * (`getAt(v.timestamp)`, `since`): read digit by digit, with no regular expression or Date.
 */
function parseCanonical(text: string): number | undefined {
  if (text.length !== 27 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' ||
    text[19] !== '.' || text[26] !== 'Z') return undefined;
  const fraction = digitsAt(text, 20, 6);
  const year = digitsAt(text, 0, 4);
  if (year < 0) return undefined;
  const ms = utcMs(year, digitsAt(text, 5, 2), digitsAt(text, 8, 2), digitsAt(text, 11, 2), digitsAt(text, 14, 2), digitsAt(text, 17, 2));
  return ms === undefined || fraction < 0 ? undefined : ms * 1000 + fraction;
}

/** Any ISO-8601 form: epoch µs, undefined if not one, Infinity for one out of range. */
function parseGeneral(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  // ISO 8601 has no year minus zero.
  if (y === '-000000') return undefined;
  const ms = utcMs(+y, +mo, +d, +h, +mi, +s);
  if (ms === undefined) return undefined;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits[0] === '-' ? -1 : 1;
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5) || 0);
    // An offset of +99:99 does not exist; read as arithmetic it would silently move the time by days.
    if (hours > 23 || minutes > 59) return undefined;
    offsetMin = sign * (hours * 60 + minutes);
  }
  // Only microseconds are kept: further digits are truncated, as the clock has no finer grain.
  const micros = Number((frac + '000000').slice(0, 6));
  const utc = ms - offsetMin * 60_000;
  // Near the end of the range a double has no µs digits left: decide on the exact milliseconds.
  if (utc > MAX_TIME_MS || (utc === MAX_TIME_MS && micros > 0) || utc < -MAX_TIME_MS) return Infinity;
  return utc * 1000 + micros;
}

/**
 * Epoch milliseconds of a UTC date and time, or undefined for one that does not exist (a 30th of
 * February, hour 24, a digit that was not one: -1 here). Years 0-99 are those years, not
 * 1900-1999 as `Date.UTC` would take them.
 */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 ||
    minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date: `dateText`'s conversion run backwards. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

/** Epoch microseconds of a time input, or undefined if it is not one (range not checked). */
function parseTime(input: TimeInput, now: () => number): number | undefined {
  if (input instanceof Date) {
    const ms = input.getTime();
    return Number.isNaN(ms) ? undefined : ms * 1000;
  }
  if (typeof input === 'number') return Number.isFinite(input) ? Math.round(input * 1000) : undefined;
  if (typeof input !== 'string') return undefined;
  const canonical = parseCanonical(input);
  if (canonical !== undefined) return canonical;
  const text = input.trim();
  if (/^-?\d+$/.test(text)) return Number(text) * 1000;
  const iso = parseGeneral(text);
  if (iso !== undefined) return iso;
  const ago = AGO.exec(text);
  if (ago) return Math.round((now() - Number(ago[1]) * unitMs(ago[2])) * 1000);
  if (/^now$/i.test(text)) return now() * 1000;
  return undefined;
}

/** What the caller passed, as an error message quotes it. */
function quote(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (input instanceof Date) return Number.isNaN(input.getTime()) ? 'an invalid Date' : input.toISOString();
  if (typeof input === 'bigint') return `a BigInt (${input}n)`;
  if (Array.isArray(input)) return 'an array';
  if (input === null || typeof input !== 'object') return typeof input === 'symbol' ? 'a symbol' : String(input);
  return 'an object';
}

const TIME_FORMS = 'ISO-8601 like 2026-02-04T12:00:00Z, epoch milliseconds, or a duration like "5m ago"';

function expected(input: unknown): string {
  if (input instanceof Date) return 'a valid Date';
  if (typeof input === 'number') return 'epoch milliseconds';
  if (typeof input === 'string') return TIME_FORMS;
  return `a Date, ${TIME_FORMS}`;
}

/** Whether `input` is of a type a time is given as; its value is for `toMicros` to judge. */
function isTimeType(input: unknown): input is TimeInput {
  return input instanceof Date || typeof input === 'string' || typeof input === 'number';
}

/**
 * Refuses, with the same INVALID_TIME every other time input gets, a time of the wrong type where
 * it is checked before it is read (a query's `at` is validated with the query, read by the engine).
 */
export function checkTimeType(input: unknown, what: string): asserts input is TimeInput {
  if (!isTimeType(input)) throw new InvalidTimeError(`${what}: ${quote(input)} (expected ${expected(input)})`);
}

/** `toMicros`, with `what` opening the error message and `details` on the error. */
function readTime(input: TimeInput, now: () => number, what: string, details?: ErrorDetails): number {
  const micros = parseTime(input, now);
  if (micros === undefined) throw new InvalidTimeError(`${what}: ${quote(input)} (expected ${expected(input)})`, details);
  if (!(micros >= -MAX_TIME_MICROS && micros <= MAX_TIME_MICROS)) {
    throw new InvalidTimeError(
      `${what}: ${quote(input)} is out of range (times run from -271821-04-20T00:00:00Z to +275760-09-13T00:00:00Z, epoch milliseconds ±8.64e15)`,
      details,
    );
  }
  // -0 (from "-0" or a tiny negative) would format and compare like 0 anyway; keep one zero.
  return micros + 0;
}

/**
 * Accepts a `Date`, epoch milliseconds (a number or a string of digits), an ISO-8601 string with or
 * without fractions and with `Z` or an offset (no zone means UTC), or a duration ago (`30s ago`,
 * `5m ago`, `2h ago`, `3d ago`). Returns epoch microseconds; anything else, or a time outside
 * what a `Date` can hold (`MAX_TIME_MICROS`), → INVALID_TIME quoting the input.
 */
export function toMicros(input: TimeInput, now: () => number = Date.now): number {
  return readTime(input, now, 'Invalid time');
}

/**
 * `toMicros` for a time given for one key (`getAt`, `history`'s `from`/`to`): the error names the
 * key, in its message and its `namespace`/`key`, and `option` when the time is one (`history.from`).
 */
export function keyTimeMicros(input: TimeInput, namespace: string, key: string, option = 'time'): number {
  return readTime(input, Date.now, `Invalid ${option} for ${fullKey(namespace, key)}`, { namespace, key });
}

let cachedSecond = NaN;
/** The formatted second of `cachedSecond`, with the decimal point. */
let cachedPrefix = '';
/** "000" to "999": the fraction is written from two table lookups, not a number-to-string conversion. */
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** "00" to "99", for the date and the time of day. */
const DIGITS2 = DIGITS3.slice(0, 100).map((d) => d.slice(1));

/**
 * `2026-11-25T20:05:05.123456Z` for epoch microseconds (an integer of at most 2^64 either way),
 * written as `toISOString` writes the second: years beyond 0-9999 as `+275760` or `-271821`.
 */
export function formatMicros(micros: number): string {
  let second: number;
  let fraction: number;
  if (Number.isSafeInteger(micros)) {
    second = Math.floor(micros / 1e6);
    fraction = micros - second * 1e6;
  } else {
    // Beyond 2^53 (before 1685, after 2255) the division can round up to the next second and
    // the product lose digits; `%` is exact, and the quotient of the exact multiple is then whole.
    fraction = micros % 1e6;
    if (fraction < 0) fraction += 1e6;
    second = Math.round((micros - fraction) / 1e6);
  }
  // Versions read together mostly share their second; the others are written by arithmetic,
  // since formatting a Date costs about a microsecond (a history or export of versions written
  // over time would pay that for each).
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = `${secondText(second)}.`;
  }
  return `${cachedPrefix}${sixDigits(fraction)}Z`;
}

/** "00:00:" to "23:59:", by minute of the day. */
const MINUTES = Array.from({ length: 1440 }, (_, i) => `${DIGITS2[Math.floor(i / 60)]}:${DIGITS2[i % 60]}:`);
let cachedDay = NaN;
/** `2026-11-25T` of `cachedDay`: versions read together mostly share their day. */
let cachedDate = '';

/** `2026-11-25T20:05:05` for seconds since the epoch. */
function secondText(second: number): string {
  const day = Math.floor(second / 86_400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = dateText(day);
  }
  const s = second - day * 86_400;
  const minute = Math.floor(s / 60);
  return cachedDate + MINUTES[minute] + DIGITS2[s - minute * 60];
}

/**
 * `2026-11-25T` for days since 1970-01-01 in the proleptic Gregorian calendar, as `toISOString`
 * writes it. The conversion is the well-known days-to-civil one: shift the epoch to 0000-03-01 so
 * leap days end each 4-, 100- and 400-year cycle, then read year, month and day off the position
 * in the cycle.
 */
function dateText(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${yearText(year)}-${DIGITS2[month]}-${DIGITS2[day]}T`;
}

/** `2026`; outside years 0-9999 a sign and six digits (`-000001`, `+010000`), as `toISOString` writes them. */
function yearText(year: number): string {
  if (year < 0 || year > 9999) return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  const century = Math.floor(year / 100);
  return DIGITS2[century] + DIGITS2[year - century * 100];
}

/** An integer below 1,000,000 as six digits, zero-padded. */
function sixDigits(n: number): string {
  const thousands = Math.floor(n / 1000);
  return DIGITS3[thousands] + DIGITS3[n - thousands * 1000];
}

let decimalSecond = NaN;
let decimalPrefix = '';

/**
 * `String(micros)`, the same text, about seven times faster for timestamps: the seconds' digits are
 * kept from the previous call (writes made together share their second) and the last six come from
 * the digit table. Anything but a safe integer of at least one second goes to `String`.
 */
export function microsText(micros: number): string {
  if (!(micros >= 1e6 && micros <= Number.MAX_SAFE_INTEGER) || !Number.isInteger(micros)) return String(micros);
  const second = Math.floor(micros / 1e6);
  if (second !== decimalSecond) {
    decimalSecond = second;
    decimalPrefix = String(second);
  }
  return decimalPrefix + sixDigits(micros - second * 1e6);
}
