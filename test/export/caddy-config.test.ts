/** The Caddyfile text: sites, case-sensitive segment paths, literal headers, redirects. */
import test from 'ava';
import { caddyLiteral, caddyPathRegexp, renderCaddyfile } from '../../dist/export/caddy-config.js';
import { FULL_ROUTES, settings } from './export-fixtures.js';

test('a path prefix matches whole segments, case-sensitively, with regex characters escaped', (t) => {
  const pattern = new RegExp(caddyPathRegexp('/api/v1.0'));
  t.true(pattern.test('/api/v1.0'));
  t.true(pattern.test('/api/v1.0/x'));
  t.false(pattern.test('/api/v1x0'));
  t.false(pattern.test('/api/v1.00'));
  t.false(new RegExp(caddyPathRegexp('/api')).test('/API'));
});

test('header values are literal: braces escaped, backtick tokens unless the value has a backtick', (t) => {
  t.is(caddyLiteral('a {host} "c" $d'), '`a \\{host\\} "c" $d`');
  t.is(caddyLiteral('back`tick "q"'), '"back`tick \\"q\\""');
});

test('one site per host, longest path first, 404 for unknown hosts and unrouted paths, 308 redirects', (t) => {
  const { text } = renderCaddyfile(FULL_ROUTES, settings({ httpsPort: 8443, httpPort: 8080, bind: ['127.0.0.1'] }));
  t.regex(text, /^https:\/\/app\.localhost:8443 \{$/m);
  t.regex(text, /^https:\/\/\*\.preview\.localhost:8443 \{$/m);
  t.regex(text, /^https:\/\/:8443 \{\n\tbind 127\.0\.0\.1\n\trespond 404\n\}/m);
  t.true(text.includes('@route1 path_regexp ^/api/v1\\.0(/|$)'));
  t.true(text.includes('@route3 path_regexp ^/api(/|$)'), 'longest path first');
  t.regex(text, /uri strip_prefix \/api/);
  t.regex(text, /header_up Host 127\.0\.0\.1:8092/);
  t.regex(text, /rewrite \* \/base\{path\}/);
  t.regex(text, /header_up X-Forwarded-Port 8443\n\s+header_up -Forwarded\n\s+header_up -X-Real-IP/);
  t.regex(text, /dial_timeout 3000ms\n\s+response_header_timeout 30000ms/);
  t.regex(text, /^https:\/\/docs\.localhost:8443 \{[\s\S]*?handle \{\n\t\trespond 404\n\t\}/m);
  t.regex(text, /^http:\/\/app\.localhost:8080, http:\/\/\*\.preview\.localhost:8080, http:\/\/docs\.localhost:8080 \{\n\tbind 127\.0\.0\.1\n\tredir https:\/\/\{host\}:8443\{uri\} 308/m);
  t.regex(text, /^http:\/\/:8080 \{\n\tbind 127\.0\.0\.1\n\trespond 404/m);
  t.regex(text, /tls certs\/_wildcard\.preview\.localhost\.pem certs\/_wildcard\.preview\.localhost-key\.pem/);
});

test('HTTP/2 off, no redirect port, and ACME mode change only what they should', (t) => {
  t.regex(renderCaddyfile(FULL_ROUTES, settings({ http2: false })).text, /protocols h1\n/);
  const noRedirect = renderCaddyfile(FULL_ROUTES, settings({ httpPort: false })).text;
  t.notRegex(noRedirect, /redir /);
  t.notRegex(noRedirect, /http_port/);
  const acme = renderCaddyfile(FULL_ROUTES, settings({ tls: 'acme' }));
  t.notRegex(acme.text, /^\ttls /m);
  t.true(acme.notes.some((note) => note.includes('DNS challenge')));
  t.regex(renderCaddyfile(FULL_ROUTES, settings({ httpsPort: 443 })).text, /redir https:\/\/\{host\}\{uri\} 308/);
});

test('what devtls does since and no export reproduces is said: redirect rewriting, the ::1 fallback of a bare port', (t) => {
  const { notes, text } = renderCaddyfile(FULL_ROUTES, settings());
  t.true(notes.some((note) => note.includes('rewriteRedirects')));
  t.true(notes.some((note) => note.includes('::1')));
  for (const note of notes) t.true(text.includes(note));
});
