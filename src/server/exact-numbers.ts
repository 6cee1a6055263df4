import { INEXACT_NUMBER_WHY, inexactNumbers, mayHoldInexactNumber } from '../engine/json-numbers.js';
import { InvalidValueError, fullKey } from '../errors.js';

/**
 * The text of each JSON request body that may hold a number JSON.parse rounds (most hold none and
 * are not kept), for the routes that store values to check once the body is parsed.
 */
const suspectBodies = new WeakMap<object, string>();

/** Called by the JSON body parser with each body's text. */
export function noteBodyText(request: object, text: string): void {
  if (mayHoldInexactNumber(text)) suspectBodies.set(request, text);
}

/** `inexactNumberRefusal` of the body of `request`, if the parser kept its text. */
export function inexactNumberIn(request: object, valueOf: (path: string) => ValueAt | undefined): InvalidValueError | undefined {
  const text = suspectBodies.get(request);
  return text === undefined ? undefined : inexactNumberRefusal(text, valueOf);
}

/** Where a write's value sits in a request body, and whose it is. */
interface ValueAt {
  namespace: unknown;
  key: unknown;
  /** The body path of the value itself (`$.value`, `$.writes[2].value`). */
  path: string;
}

/**
 * INVALID_VALUE for a request body that holds a number JSON.parse rounds (`12345678901234567890`
 * arrives as 12345678901234567000): stored, it would be a value the client never sent, so it is
 * refused as the CLI refuses it, naming the write's key and the number's path inside its value.
 * `valueOf` says which value a body path falls in; a number outside every value is left to the
 * route's own checks. Undefined when the body has no such number.
 */
function inexactNumberRefusal(text: string, valueOf: (path: string) => ValueAt | undefined): InvalidValueError | undefined {
  if (!mayHoldInexactNumber(text)) return undefined;
  for (const found of inexactNumbers(text)) {
    const at = valueOf(found.path);
    if (at === undefined || typeof at.namespace !== 'string' || typeof at.key !== 'string') continue;
    const path = `$${found.path.slice(at.path.length)}`;
    return new InvalidValueError(
      `Invalid value for ${fullKey(at.namespace, at.key)}: the number ${found.literal} at ${path} cannot be stored exactly (${INEXACT_NUMBER_WHY}); send it as a string to keep every digit`,
      { namespace: at.namespace, key: at.key, path },
    );
  }
  return undefined;
}

/** The value of `PUT /api/v1/:ns/:key`: the body's `value`. */
export function putValue(namespace: unknown, key: unknown): (path: string) => ValueAt | undefined {
  return (path) => (within(path, '$.value') ? { namespace, key, path: '$.value' } : undefined);
}

/** The values of `POST /api/v1/batch`: `writes[i].value`, each with its write's names. */
export function batchValues(body: unknown): (path: string) => ValueAt | undefined {
  return (path) => {
    const m = /^\$\.writes\[(\d+)\]\.value/.exec(path);
    if (!m || !within(path, m[0])) return undefined;
    const write = (body as { writes?: Array<{ namespace?: unknown; key?: unknown } | null> } | null)?.writes?.[Number(m[1])];
    return { namespace: write?.namespace, key: write?.key, path: m[0] };
  };
}

/** Whether `path` is `prefix` or inside it. */
function within(path: string, prefix: string): boolean {
  return path === prefix || (path.startsWith(prefix) && (path[prefix.length] === '.' || path[prefix.length] === '['));
}
