/**
 * What a route's `host` may be: a lower-case ASCII DNS name (`app.localhost`), or a wildcard
 * whose `*` is the whole first label (`*.preview.localhost`). Every rejection says what to
 * write instead. Pure functions.
 */
import { ipVersion } from '../ip-version.js';
import { domainToASCII } from 'node:url';
import { quoted } from './source-text.js';
import { RESERVED_HOST } from '../status/reserved-host.js';

export interface RuleProblem {
  what: string;
  expected: string;
  hint?: string;
}

const LABEL_CHARS = /^[a-z0-9-]+$/;
const MAX_LABEL = 63;
const MAX_NAME = 253;
const EXAMPLE = '"app.localhost" or "*.preview.localhost"';

/** undefined when `host` is acceptable as written. */
export function hostProblem(host: string): RuleProblem | undefined {
  if (host === '') return { what: '"host" is empty', expected: `a host name like ${EXAMPLE}` };
  if (host.trim() !== host || /\s/.test(host)) {
    return { what: '"host" contains spaces', expected: quoted(host.replace(/\s+/g, '')) };
  }

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host);
  if (scheme !== null) {
    const bare = bareHost(host.slice(scheme[0].length));
    return {
      what: `"host" is a name only, without "${scheme[1] ?? ''}://"`,
      expected: quoted(bare),
      hint: 'devtls always serves https; a URL to forward to belongs in "target"',
    };
  }

  if (/[/?#]/.test(host)) {
    const cut = host.search(/[/?#]/);
    const rest = host.slice(cut);
    return {
      what: '"host" cannot contain a path',
      expected: quoted(bareHost(host)),
      hint: rest.startsWith('/') ? `put the path in the route's "path": ${quoted(rest.replace(/[?#].*$/, ''))}` : 'a host matches whole names; query strings and fragments are not part of a route',
    };
  }

  if (host.startsWith('[') || ipVersion(host) !== 0 || ipVersion(host.replace(/\.$/, '')) !== 0) {
    return {
      what: '"host" must be a name, not an IP address',
      expected: `a name like ${EXAMPLE}`,
      hint: 'browsers only send a name in TLS (SNI); to reach a server on an IP, put it in "target"',
    };
  }

  const port = /^(.*):(\d*)$/.exec(host);
  if (port !== null) {
    return {
      what: '"host" cannot contain a port',
      expected: quoted(port[1] ?? ''),
      hint: `devtls listens on one HTTPS port for every route (top-level "httpsPort" or --https-port); if ${port[2] ?? ''} is your dev server's port, it goes in "target"`,
    };
  }
  if (host.includes(':')) return { what: '"host" cannot contain ":"', expected: `a name like ${EXAMPLE}` };
  if (host.includes('@')) return { what: '"host" cannot contain "@"', expected: quoted(host.slice(host.lastIndexOf('@') + 1)) };

  if (/[^\x00-\x7f]/.test(host)) {
    const ascii = host.startsWith('*.') ? `*.${domainToASCII(host.slice(2))}` : domainToASCII(host);
    return {
      what: '"host" must be written in ASCII',
      expected: ascii === '' || ascii === '*.' ? 'a name with letters a-z, digits and "-"' : `the punycode form ${quoted(ascii)}`,
      hint: 'internationalised names are matched in their xn-- (punycode) form, which is what browsers send',
    };
  }

  if (host !== host.toLowerCase()) {
    return {
      what: '"host" must be lowercase',
      expected: quoted(host.toLowerCase()),
      hint: 'browsers always send host names in lowercase, so an uppercase route would never match',
    };
  }

  if (host.endsWith('.')) return { what: '"host" cannot end with "."', expected: quoted(host.replace(/\.+$/, '')) };
  if (host.startsWith('.')) return { what: '"host" cannot start with "."', expected: quoted(host.replace(/^\.+/, '')), hint: 'for every subdomain, write "*." + the name' };

  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (host === '*') {
    return { what: 'a wildcard host needs a name after "*."', expected: '"*.preview.localhost"' };
  }
  if (name.includes('*')) {
    return {
      what: '"*" may only be the whole first label of "host"',
      expected: `a wildcard like "*.preview.localhost"`,
      hint: '"*.example.localhost" matches one extra label in front (a.example.localhost); "*" cannot appear elsewhere',
    };
  }
  if (name.length > MAX_NAME) return { what: `"host" is longer than ${MAX_NAME} characters`, expected: 'a shorter name' };

  const labels = name.split('.');
  for (const label of labels) {
    if (label === '') return { what: '"host" has an empty label ("..")', expected: quoted(host.replace(/\.{2,}/g, '.')) };
    if (label.length > MAX_LABEL) {
      return { what: `a label of "host" is longer than ${MAX_LABEL} characters`, expected: `labels (the parts between dots) of at most ${MAX_LABEL} characters` };
    }
    if (!LABEL_CHARS.test(label)) {
      const bad = [...label].find((ch) => !/[a-z0-9-]/.test(ch)) ?? '';
      return {
        what: `"host" contains ${quoted(bad)}, which is not allowed in a host name`,
        expected: 'letters a-z, digits and "-" between the dots',
        ...(bad === '_' ? { hint: `use "-" instead of "_": ${quoted(host.replaceAll('_', '-'))}` } : {}),
      };
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return { what: 'a label of "host" cannot start or end with "-"', expected: 'labels like "my-app"' };
    }
  }
  const last = labels.at(-1) ?? '';
  if (/^[0-9]+$/.test(last)) {
    return { what: 'the last label of "host" cannot be all digits', expected: `a name like ${EXAMPLE}`, hint: 'browsers read such a name as an IPv4 address' };
  }
  if (host === RESERVED_HOST) {
    return { what: `"${RESERVED_HOST}" is reserved: devtls serves its status page there`, expected: 'another host name', hint: `open https://${RESERVED_HOST}/ to see what devtls serves` };
  }
  return undefined;
}

/** `http://App.localhost:3000/x` → `app.localhost` (best effort, for suggestions). */
function bareHost(text: string): string {
  let rest = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  rest = rest.replace(/[/?#].*$/, '');
  rest = rest.slice(rest.lastIndexOf('@') + 1);
  rest = rest.replace(/:\d*$/, '');
  return rest.toLowerCase();
}
