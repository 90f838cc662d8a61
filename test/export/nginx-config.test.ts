/** The nginx.conf text: version-aware syntax, one-label wildcards, paths, headers, redirects. */
import test from 'ava';
import { nginxServerName, nginxValue, renderNginxConfig } from '../../dist/export/nginx-config.js';
import { compareVersions, parseNginxVersion } from '../../dist/export/nginx-version.js';
import { FULL_ROUTES, settings } from './export-fixtures.js';

function render(version: [number, number, number], overrides = {}) {
  return renderNginxConfig(FULL_ROUTES, { ...settings(overrides), version, versionSource: 'test' });
}

test('nginx versions are read from `nginx -v` output or a plain version, and compared', (t) => {
  t.deepEqual(parseNginxVersion('nginx version: nginx/1.22.1'), [1, 22, 1]);
  t.deepEqual(parseNginxVersion('1.25'), [1, 25, 0]);
  t.is(parseNginxVersion('openresty'), undefined);
  t.true(compareVersions([1, 25, 1], [1, 25, 0]) > 0);
  t.is(compareVersions([1, 19, 4], [1, 19, 4]), 0);
});

test('HTTP/2 is `http2 on;` from nginx 1.25.1 and a listen parameter before', (t) => {
  const modern = render([1, 25, 1]).text;
  t.regex(modern, /^\s+http2 on;$/m);
  t.notRegex(modern, /ssl http2/);
  const older = render([1, 22, 1]).text;
  t.regex(older, /listen 443 ssl http2;/);
  t.notRegex(older, /http2 on;/);
  const off = render([1, 25, 1], { http2: false }).text;
  t.notRegex(off, /http2/);
});

test('unknown TLS names are refused from 1.19.4; older nginx answers with the first certificate; unknown hosts always 404', (t) => {
  const modern = render([1, 22, 1]).text;
  t.regex(modern, /listen 443 ssl http2 default_server;\n\s+ssl_reject_handshake on;\n\s+return 404;/);
  const old = render([1, 18, 0]).text;
  t.notRegex(old, /ssl_reject_handshake on;/);
  t.regex(old, /default_server;\n\s+ssl_certificate certs\/app\.localhost\.pem;/);
});

test('a wildcard matches exactly one more label, as in devtls', (t) => {
  t.is(nginxServerName({ host: '*.preview.localhost', wildcard: true }), '~^[^.]+\\.preview\\.localhost$');
  const pattern = new RegExp(nginxServerName({ host: '*.preview.localhost', wildcard: true }).slice(1));
  t.true(pattern.test('a.preview.localhost'));
  t.false(pattern.test('a.b.preview.localhost'));
  t.false(pattern.test('.preview.localhost'));
});

test('a path route is an exact and a /-prefix location; stripPrefix and base paths become the proxy_pass URI', (t) => {
  const text = render([1, 22, 1]).text;
  t.regex(text, /location = \/api \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:8090\/;/);
  t.regex(text, /location \/api\/ \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:8090\/;/);
  t.regex(text, /location = \/legacy \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:8092\/base\/legacy;/);
  t.regex(text, /location \/legacy\/ \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:8092\/base\/legacy\/;/);
  // No rewrite: proxy_pass without a URI passes the request's bytes unchanged.
  t.regex(text, /location \/ \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:8080;/);
  t.regex(text, /proxy_set_header Host 127\.0\.0\.1:8092;/);
  // docs.localhost has no `/` route: other paths 404.
  t.regex(text, /server_name docs\.localhost;[\s\S]*?location \/ \{\n\s+return 404;/);
});

test('header values are quoted and a "$" is never read as a variable', (t) => {
  t.is(nginxValue('a {host} "c" $d'), '"a {host} \\"c\\" ${devtls_dollar}d"');
  t.regex(render([1, 22, 1]).text, /geo \$devtls_dollar \{\n\s+default "\$";/);
});

test('timeouts, X-Forwarded-* and the redirect are written; runtime paths stay inside the folder', (t) => {
  const { text, notes } = render([1, 22, 1], { httpsPort: 8443, httpPort: 8080, bind: ['127.0.0.1', '::1'] });
  t.regex(text, /proxy_connect_timeout 3000ms;/);
  t.regex(text, /proxy_read_timeout 30000ms;/);
  t.regex(text, /proxy_set_header X-Forwarded-For \$remote_addr;/);
  t.regex(text, /proxy_set_header X-Real-IP "";/);
  t.regex(text, /listen \[::1\]:8443 ssl http2;/);
  t.regex(text, /return 308 https:\/\/\$host:8443\$request_uri;/);
  for (const line of ['pid logs/nginx.pid;', 'error_log logs/error.log warn;', 'client_body_temp_path temp/client_body;']) t.true(text.includes(line));
  t.true(notes.some((note) => note.includes('proxy_read_timeout')));
  t.true(text.includes('# Not carried over exactly'));
  t.notRegex(render([1, 22, 1], { httpPort: false }).text, /return 308/);
});

test('--tls acme writes no devtls certificate paths, only places to fill in', (t) => {
  const text = render([1, 22, 1], { tls: 'acme' }).text;
  t.notRegex(text, /certs\//);
  t.regex(text, /ssl_certificate \/etc\/ssl\/app\.localhost\/fullchain\.pem;\s+# fill in/);
});
