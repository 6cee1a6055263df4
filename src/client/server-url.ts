/**
 * A server's base URL, checked and without a trailing slash; a TypeError saying what is wrong
 * otherwise (`localhost:8080` is taken by URL parsing as a scheme, so it gets its own hint).
 */
export function serverUrl(url: string): string {
  const hint = url.trim() === '' || /^[A-Za-z][\w+.-]*:\/\//.test(url) ? '' : `; did you mean http://${url}?`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Invalid server URL ${JSON.stringify(url)}: expected http://host:port${hint}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`Invalid server URL ${JSON.stringify(url)}: ${hint ? 'expected http://host:port' : 'only http and https are supported'}${hint}`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
