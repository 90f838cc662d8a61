/**
 * Extra request headers (`headers` in a route): names must be HTTP tokens, values one line of
 * text Node can send, and headers the proxy itself manages are refused.
 */
import type { RuleProblem } from './host-name-rules.js';
import { MANAGED_HEADERS } from '../routes/managed-headers.js';

/** RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node's http module accepts in a value: tab, visible ASCII, space and Latin-1. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function headerNameProblem(name: string): RuleProblem | undefined {
  if (name === '') return { what: 'a header name is empty', expected: 'a name like "x-forwarded-user"' };
  if (name.startsWith(':')) return { what: 'HTTP/2 pseudo-headers cannot be set', expected: 'an ordinary header name like "x-forwarded-user"' };
  if (!TOKEN.test(name)) {
    return { what: 'invalid header name', expected: 'letters, digits and - only (no spaces, ":" or quotes), like "x-forwarded-user"' };
  }
  const managed = MANAGED_HEADERS.get(name.toLowerCase());
  if (managed !== undefined) {
    return { what: `header "${name}" cannot be set in "headers"`, expected: 'an end-to-end header like "authorization" or "x-forwarded-user"', hint: `"${name.toLowerCase()}" is refused because ${managed}` };
  }
  return undefined;
}

export function headerValueProblem(value: string): RuleProblem | undefined {
  if (/[\r\n]/.test(value)) {
    return { what: 'a header value cannot contain a line break', expected: 'one line of text', hint: 'a CR or LF in a header value would let it start a new header' };
  }
  if (!VALUE.test(value)) {
    return { what: 'a header value contains a character HTTP cannot send', expected: 'visible ASCII text, spaces and tabs (percent-encode anything else)' };
  }
  return undefined;
}
