// How an HTTP import words a record it refused, shared by both ends of the wire: the server adds
// the line of its request body, the client takes it off again to report the library's own words
// (a caller sending its records in several requests has its own numbering).
import { isKoruDeltaError, reworded } from '../errors.js';

const EARLIER = 'versions on earlier lines may already be imported (importing again skips them)';
const AT_LINE = new RegExp(`^Invalid import at line \\d+: ([\\s\\S]*); ${EARLIER.replace(/[()]/g, '\\$&')}$`);

/** `err` naming the request body's `line` (what the HTTP import answers). */
export function refusalAtLine(err: unknown, line: number): unknown {
  if (!isKoruDeltaError(err) || line === 0) return err;
  return reworded(err, `Invalid import at line ${line}: ${err.message}; ${EARLIER}`);
}

/** The library's own error behind an HTTP import's answer (`err` itself if it names no line). */
export function refusalWithoutLine(err: unknown): unknown {
  if (!isKoruDeltaError(err)) return err;
  const m = AT_LINE.exec(err.message);
  return m ? reworded(err, m[1]) : err;
}
