/**
 * Routes → a complete nginx.conf that `nginx -p DIR -c DIR/nginx.conf` runs as it is: pid,
 * logs and temp folders inside DIR, every path relative to it. Version-aware where nginx's
 * syntax changed (`http2 on;` from 1.25.1, `ssl_reject_handshake` from 1.19.4).
 */
import type { Route } from '../routes/route.js';
import {
  certificateFileNames,
  commentBlock,
  commonNotes,
  decodedPath,
  describeRoute,
  extraHeaders,
  formatMs,
  httpsPortSuffix,
  pathRewriteOf,
  rewritesPath,
  sitesOf,
  upstreamHostOverride,
  type ExportSettings,
  type RenderedConfig,
  type Site,
} from './route-analysis.js';
import { compareVersions, formatVersion, type NginxVersion } from './nginx-version.js';

export interface NginxSettings extends ExportSettings {
  /** The nginx the file is written for. */
  version: NginxVersion;
  /** Where the version came from, for the header: `nginx -v`, `--nginx-version`, or an assumption. */
  versionSource: string;
}

/** Folders the running nginx writes into (relative to DIR); the export creates them. */
export const NGINX_RUNTIME_FOLDERS = ['logs', 'temp'] as const;

const HTTP2_DIRECTIVE_FROM: NginxVersion = [1, 25, 1];
const REJECT_HANDSHAKE_FROM: NginxVersion = [1, 19, 4];
const INDENT = '    ';

export function renderNginxConfig(routes: readonly Route[], settings: NginxSettings): RenderedConfig {
  const sites = sitesOf(routes);
  const notes = nginxNotes(routes, settings);
  const header = [
    `nginx.conf written by \`devtls export nginx\` from ${settings.source} (${routes.length} route${routes.length === 1 ? '' : 's'}),`,
    `for nginx ${formatVersion(settings.version)} (${settings.versionSource}).`,
    'Run it from anywhere, as it is:  nginx -p "$PWD" -c "$PWD/nginx.conf"   (in this folder)',
    'Every path below is relative to this folder: pid and logs in logs/, temp files in temp/.',
    ...(settings.tls === 'devtls'
      ? ['Certificates: certs/, issued by the devtls CA (certs/devtls-ca.pem); keys are mode 0600.']
      : ['Certificates: none written (--tls acme): fill in the ssl_certificate paths marked "fill in".']),
    '',
    'Routes:',
    ...routes.map((route) => `  https://${describeRoute(route)}`),
  ];
  const out: string[] = [commentBlock('# ', header, notes), ''];
  out.push(
    'worker_processes 1;',
    'pid logs/nginx.pid;',
    'error_log logs/error.log warn;',
    '',
    'events {',
    `${INDENT}worker_connections 1024;`,
    '}',
    '',
    'http {',
  );
  const http = [
    'access_log logs/access.log;',
    'client_body_temp_path temp/client_body;',
    'proxy_temp_path temp/proxy;',
    'fastcgi_temp_path temp/fastcgi;',
    'uwsgi_temp_path temp/uwsgi;',
    'scgi_temp_path temp/scgi;',
    '',
    '# As devtls: TLS 1.2 and 1.3, no body size limit, streamed both ways, headers passed as they come.',
    'ssl_protocols TLSv1.2 TLSv1.3;',
    'client_max_body_size 0;',
    'underscores_in_headers on;',
    'merge_slashes off;',
    'proxy_http_version 1.1;',
    'proxy_buffering off;',
    'proxy_request_buffering off;',
    'proxy_redirect off;',
    '',
    '# WebSockets (and any Upgrade) pass through; other requests close the upstream connection.',
    'map $http_upgrade $devtls_connection {',
    `${INDENT}default upgrade;`,
    `${INDENT}'' close;`,
    '}',
    '# nginx has no escape for "$" in a string: ${devtls_dollar} writes one.',
    'geo $devtls_dollar {',
    `${INDENT}default "$";`,
    '}',
    '',
    ...unknownHttpsHostServer(sites, settings),
    ...sites.flatMap((site) => ['', ...httpsServer(site, settings)]),
    ...(settings.httpPort === false ? [] : ['', ...redirectServers(sites, settings, settings.httpPort)]),
  ];
  out.push(...indent(http, 1), '}', '');
  return { fileName: 'nginx.conf', text: out.join('\n'), notes };
}

function nginxNotes(routes: readonly Route[], settings: NginxSettings): string[] {
  const notes: string[] = commonNotes(routes, 'nginx');
  const readTimeouts = [...new Set(routes.map((route) => route.timeouts.response))];
  notes.push(
    `response timeout: nginx's proxy_read_timeout (${readTimeouts.map(formatMs).join(', ')}) also closes a response or WebSocket that stays silent that long; devtls only times the wait for response headers.`,
  );
  if (routes.some((route) => route.timeouts.connect > 75_000)) {
    notes.push('connect timeout: nginx cannot wait longer than about 75 s to connect, whatever proxy_connect_timeout says.');
  }
  if (routes.some(rewritesPath)) {
    notes.push('stripPrefix / target base path: nginx rewrites the path after decoding it (%XX and dot segments), where devtls forwards the bytes the browser sent.');
  }
  notes.push('paths are matched after nginx decodes %XX and resolves dot segments; devtls matches the path as sent.');
  if (compareVersions(settings.version, REJECT_HANDSHAKE_FROM) < 0) {
    notes.push(`an unknown TLS name is answered with the first site's certificate (nginx ${formatVersion(settings.version)} lacks ssl_reject_handshake); unknown hosts still get 404.`);
  } else {
    notes.push('a TLS handshake for a name no route serves is refused (ssl_reject_handshake), where devtls completes it and answers 404.');
  }
  if (routes.some((route) => /\$/.test(route.path) || /\$/.test(route.target.basePath))) {
    notes.push('a "$" in a path or base path is read by nginx as a variable: check those locations by hand.');
  }
  return notes;
}

function listen(settings: ExportSettings, port: number, parameters: string): string[] {
  const addresses = settings.bind.length === 0 ? [''] : settings.bind.map((address) => `${address.includes(':') ? `[${address}]` : address}:`);
  return addresses.map((address) => `listen ${address}${port}${parameters};`);
}

function http2Parameters(settings: NginxSettings): { listen: string; directive: string[] } {
  if (!settings.http2) return { listen: '', directive: [] };
  if (compareVersions(settings.version, HTTP2_DIRECTIVE_FROM) >= 0) return { listen: '', directive: ['http2 on;'] };
  return { listen: ' http2', directive: [] };
}

function certificateLines(host: string, settings: NginxSettings): string[] {
  if (settings.tls === 'devtls') {
    const files = certificateFileNames(host);
    return [`ssl_certificate ${files.cert};`, `ssl_certificate_key ${files.key};`];
  }
  return [
    `ssl_certificate /etc/ssl/${host.replace('*', '_wildcard')}/fullchain.pem;  # fill in: the certificate for ${host} (e.g. from certbot)`,
    `ssl_certificate_key /etc/ssl/${host.replace('*', '_wildcard')}/privkey.pem;  # fill in: its private key`,
  ];
}

function unknownHttpsHostServer(sites: readonly Site[], settings: NginxSettings): string[] {
  const h2 = http2Parameters(settings);
  const lines = ['# Unknown hosts get 404 and are never forwarded (no default backend).', 'server {'];
  const body = [...listen(settings, settings.httpsPort, ` ssl${h2.listen} default_server`), ...h2.directive];
  if (compareVersions(settings.version, REJECT_HANDSHAKE_FROM) >= 0) body.push('ssl_reject_handshake on;');
  else if (sites[0] !== undefined) body.push(...certificateLines(sites[0].host, settings));
  body.push('return 404;');
  lines.push(...indent(body, 1), '}');
  return lines;
}

/** `app.localhost`, or a regex matching exactly one more label for `*.preview.localhost` (nginx's own `*.` matches several). */
export function nginxServerName(site: Pick<Site, 'host' | 'wildcard'>): string {
  if (!site.wildcard) return site.host;
  return `~^[^.]+${site.host.slice(1).replace(/\./g, '\\.')}$`;
}

function httpsServer(site: Site, settings: NginxSettings): string[] {
  const h2 = http2Parameters(settings);
  const body = [
    ...listen(settings, settings.httpsPort, ` ssl${h2.listen}`),
    ...h2.directive,
    `server_name ${nginxServerName(site)};`,
    ...certificateLines(site.host, settings),
  ];
  for (const route of site.routes) body.push('', ...routeLocations(route));
  if (!site.coversEveryPath) body.push('', '# No route for other paths: 404, as devtls.', 'location / {', `${INDENT}return 404;`, '}');
  return [`# ${site.host}`, 'server {', ...indent(body, 1), '}'];
}

/**
 * devtls's `/api` covers `/api`, `/api/…` and `/api?…`, never `/apix`: an exact location
 * plus a `/api/` prefix location (nginx picks the longest prefix, as devtls does).
 */
function routeLocations(route: Route): string[] {
  const path = decodedPath(route.path);
  const rewrite = pathRewriteOf(route);
  const origin = route.target.origin;
  if (path === '/') {
    const uri = rewrite.prepend === '' ? '' : `${rewrite.prepend}/`;
    return [`# ${describeRoute(route)}`, ...location('/', `${origin}${uri}`, route)];
  }
  // With a URI part, nginx replaces the matched location prefix with it.
  const kept = rewrite.strip === undefined ? path : '';
  const exactUri = rewrite.strip === undefined ? `${rewrite.prepend}${path}` : `${rewrite.prepend}/`;
  const prefixUri = `${rewrite.prepend}${kept}/`;
  const needsUri = rewrite.strip !== undefined || rewrite.prepend !== '';
  return [
    `# ${describeRoute(route)}`,
    ...location(`= ${nginxString(path)}`, needsUri ? `${origin}${exactUri}` : origin, route),
    ...location(nginxString(`${path}/`), needsUri ? `${origin}${prefixUri}` : origin, route),
  ];
}

function location(match: string, proxyPass: string, route: Route): string[] {
  const host = upstreamHostOverride(route);
  const body = [
    `proxy_pass ${nginxString(proxyPass)};`,
    `proxy_set_header Host ${host === undefined ? '$http_host' : nginxString(host)};`,
    'proxy_set_header Upgrade $http_upgrade;',
    'proxy_set_header Connection $devtls_connection;',
    '# As devtls, the edge: X-Forwarded-* from the connection, replacing what the client sent;',
    '# Forwarded and X-Real-IP are dropped (an empty value is not sent).',
    'proxy_set_header X-Forwarded-For $remote_addr;',
    'proxy_set_header X-Forwarded-Proto https;',
    'proxy_set_header X-Forwarded-Host $http_host;',
    'proxy_set_header X-Forwarded-Port $server_port;',
    'proxy_set_header Forwarded "";',
    'proxy_set_header X-Real-IP "";',
    ...extraHeaders(route).map(([name, value]) => `proxy_set_header ${nginxString(name)} ${nginxValue(value)};`),
    `proxy_connect_timeout ${formatMs(route.timeouts.connect)};`,
    `proxy_read_timeout ${formatMs(route.timeouts.response)};`,
  ];
  return [`location ${match} {`, ...indent(body, 1), '}'];
}

/** A literal nginx string argument: bare when safe, else double-quoted. */
export function nginxString(text: string): string {
  if (/^[A-Za-z0-9_\-.\/:@=+,~!*%[\]]+$/.test(text)) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A header value: quoted, with every `$` written as `${devtls_dollar}` so nginx reads no variable. */
export function nginxValue(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '${devtls_dollar}')}"`;
}

function redirectServers(sites: readonly Site[], settings: ExportSettings, httpPort: number): string[] {
  const names = sites.map((site) => nginxServerName(site)).join(' ');
  return [
    '# http: 308 to https for the hosts above (method and body kept), 404 for any other host.',
    'server {',
    ...indent([...listen(settings, httpPort, ' default_server'), 'return 404;'], 1),
    '}',
    'server {',
    ...indent([...listen(settings, httpPort, ''), `server_name ${names};`, `return 308 https://$host${httpsPortSuffix(settings)}$request_uri;`], 1),
    '}',
  ];
}

function indent(lines: readonly string[], depth: number): string[] {
  const pad = INDENT.repeat(depth);
  return lines.map((line) => (line === '' ? '' : `${pad}${line}`));
}
