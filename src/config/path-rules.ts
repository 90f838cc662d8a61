/**
 * A route's `path`: a prefix starting with `/`, compared against the request path as the
 * browser sends it (already percent-encoded, never with `.`/`..` segments).
 *
 * Normalisation: a trailing `/` is dropped (`/api/` → `/api`; `/` stays `/`).
 * Everything else that would silently never match is an error rather than a fix:
 * `//` (an empty segment), `.` and `..` segments, `?`, `#`, spaces and non-ASCII text.
 */
import type { RuleProblem } from './host-name-rules.js';
import { quoted } from './source-text.js';

/** Allowed as-is in a URL path (RFC 3986 pchar plus "/"); "%" is checked separately. */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

export function pathProblem(path: string): RuleProblem | undefined {
  if (path === '') return { what: '"path" is empty', expected: '"/" (the whole site) or a prefix like "/api"' };
  if (!path.startsWith('/')) {
    return { what: '"path" must start with "/"', expected: quoted(`/${path.replace(/^\.?\/*/, '')}`) };
  }
  const query = path.search(/[?#]/);
  if (query !== -1) {
    return {
      what: `"path" cannot contain "${path[query] ?? ''}"`,
      expected: quoted(path.slice(0, query) || '/'),
      hint: 'routes match on the path only; the query string and fragment are passed through unchanged',
    };
  }
  if (path.includes('//')) {
    return { what: '"path" contains an empty segment "//"', expected: quoted(path.replace(/\/{2,}/g, '/')), hint: 'browsers do not merge "//", so such a route would only match that literal URL' };
  }
  const segments = path.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return { what: '"path" cannot contain "." or ".." segments', expected: 'a plain prefix like "/api/v1"', hint: 'browsers resolve dots before sending a request, so this route could never match' };
  }
  if (!PATH_CHARS.test(path)) {
    const bad = [...path].find((ch) => !PATH_CHARS.test(ch)) ?? '';
    return {
      what: `"path" contains ${quoted(bad)}, which a browser would percent-encode`,
      expected: quoted(encodePath(path)),
      hint: 'write the path the way it appears in the address the browser sends, percent-encoded',
    };
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) {
    return { what: '"path" has a "%" that is not followed by two hex digits', expected: 'percent-encoding like "%20", or "%25" for a literal "%"' };
  }
  return undefined;
}

/** `/api/` → `/api`; `/` stays `/`. Call only on paths without problems. */
export function normalizePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function encodePath(path: string): string {
  try {
    return encodeURI(path).replace(/[\[\]^`{|}\\"<>]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return path.replace(/[^\x21-\x7e]/g, '');
  }
}
