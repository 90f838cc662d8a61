/**
 * Routes → a Caddyfile (Caddy 2.6 and later): one site block per host pattern, a catch-all
 * 404 for unknown hosts, and explicit http→https 308 redirects for the configured hosts only.
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
  targetAddress,
  upstreamHostOverride,
  type ExportSettings,
  type RenderedConfig,
  type Site,
} from './route-analysis.js';

const TAB = '\t';

export function renderCaddyfile(routes: readonly Route[], settings: ExportSettings): RenderedConfig {
  const sites = sitesOf(routes);
  const notes = caddyNotes(routes, settings);
  const header = [
    `Caddyfile written by \`devtls export caddy\` from ${settings.source} (${routes.length} route${routes.length === 1 ? '' : 's'}).`,
    'Run it in this folder (paths below are relative to it):  caddy run --config Caddyfile --adapter caddyfile',
    ...(settings.tls === 'devtls'
      ? ['Certificates: certs/, issued by the devtls CA (certs/devtls-ca.pem); keys are mode 0600.']
      : ["Certificates: Caddy's automatic HTTPS (--tls acme): public names get ACME certificates, local names Caddy's own CA."]),
    '',
    'Routes:',
    ...routes.map((route) => `  https://${describeRoute(route)}`),
  ];
  // No blank line between the comment and the options: what `caddy fmt` writes.
  const out: string[] = [commentBlock('# ', header, notes)];
  out.push(...globalOptions(settings));
  for (const site of sites) out.push('', ...siteBlock(site, settings));
  out.push('', '# Unknown hosts get 404 and are never forwarded (no default backend).', `https://:${settings.httpsPort} {`, ...bindLines(settings), `${TAB}respond 404`, '}');
  if (settings.httpPort !== false) out.push('', ...redirectBlocks(sites, settings, settings.httpPort));
  return { fileName: 'Caddyfile', text: `${out.join('\n')}\n`, notes };
}

function caddyNotes(routes: readonly Route[], settings: ExportSettings): string[] {
  const notes: string[] = commonNotes(routes, 'caddy');
  if (routes.some(rewritesPath)) {
    notes.push('stripPrefix / target base path: Caddy rewrites the decoded path (an encoded "%2F" becomes "/"), where devtls forwards the bytes the browser sent.');
  }
  notes.push('paths are matched after Caddy cleans them (dot segments, "//"); devtls matches the path as sent.');
  if (settings.tls === 'acme' && routes.some((route) => route.wildcard)) {
    notes.push('wildcard hosts need the ACME DNS challenge: add `tls { dns <provider> … }` to those sites (a Caddy build with that DNS module).');
  }
  if (routes.some((route) => Object.values(route.headers).some((value) => value.includes('`') && value.includes('\\"')))) {
    notes.push('a header value holding both "`" and "\\\"" cannot be written in a Caddyfile exactly: check it.');
  }
  return notes;
}

function globalOptions(settings: ExportSettings): string[] {
  return [
    '{',
    `${TAB}# No admin endpoint, so a second Caddy on the machine never clashes; remove to use \`caddy reload\`.`,
    `${TAB}admin off`,
    ...(settings.httpPort === false ? [] : [`${TAB}http_port ${settings.httpPort}`]),
    `${TAB}https_port ${settings.httpsPort}`,
    `${TAB}# The redirects are written below: 308, and only for the configured hosts.`,
    `${TAB}auto_https disable_redirects`,
    `${TAB}servers {`,
    `${TAB}${TAB}protocols ${settings.http2 ? 'h1 h2' : 'h1'}`,
    `${TAB}}`,
    '}',
  ];
}

function bindLines(settings: ExportSettings): string[] {
  return settings.bind.length === 0 ? [] : [`${TAB}bind ${settings.bind.join(' ')}`];
}

function siteBlock(site: Site, settings: ExportSettings): string[] {
  const body: string[] = [...bindLines(settings).map((line) => line.slice(1))];
  if (settings.tls === 'devtls') {
    const files = certificateFileNames(site.host);
    body.push(`tls ${files.cert} ${files.key}`);
  }
  site.routes.forEach((route, index) => body.push('', ...routeHandle(route, index + 1, settings)));
  if (!site.coversEveryPath) body.push('', '# No route for other paths: 404, as devtls.', 'handle {', `${TAB}respond 404`, '}');
  return [`https://${site.host}:${settings.httpsPort} {`, ...body.map((line) => (line === '' ? '' : `${TAB}${line}`)), '}'];
}

/** `/api` covers `/api`, `/api/…` (and any query), never `/apix`; case-sensitive like devtls (Caddy's `path` is not).
 * Caddy matches the decoded path, so `path` is given decoded. */
export function caddyPathRegexp(path: string): string {
  return `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/|$)`;
}

function routeHandle(route: Route, index: number, settings: ExportSettings): string[] {
  const lines = [`# ${describeRoute(route)}`];
  const body: string[] = [];
  const rewrite = pathRewriteOf(route);
  if (rewrite.strip !== undefined || rewrite.prepend !== '') {
    // `route` keeps the order as written (Caddy would otherwise run rewrite before uri).
    body.push('route {');
    if (rewrite.strip !== undefined) body.push(`${TAB}uri strip_prefix ${caddyToken(rewrite.strip)}`);
    if (rewrite.prepend !== '') {
      body.push(`${TAB}rewrite * ${caddyToken(`${rewrite.prepend}{path}`)}`);
      // devtls sends `/base/` for a request of exactly the stripped prefix.
      if (rewrite.strip !== undefined) body.push(`${TAB}rewrite ${caddyToken(rewrite.prepend)} ${caddyToken(`${rewrite.prepend}/`)}`);
    }
    body.push('}');
  }
  const host = upstreamHostOverride(route);
  body.push(
    `reverse_proxy ${targetAddress(route)} {`,
    ...[
      ...(host === undefined ? [] : [`header_up Host ${caddyToken(host)}`]),
      '# As devtls, the edge: X-Forwarded-For/-Proto/-Host are set by Caddy from the connection',
      '# (it trusts no client value by default); Port is set here; Forwarded and X-Real-IP are dropped.',
      `header_up X-Forwarded-Port ${settings.httpsPort}`,
      'header_up -Forwarded',
      'header_up -X-Real-IP',
      ...extraHeaders(route).map(([name, value]) => `header_up ${name} ${caddyLiteral(value)}`),
      'transport http {',
      `${TAB}dial_timeout ${formatMs(route.timeouts.connect)}`,
      `${TAB}response_header_timeout ${formatMs(route.timeouts.response)}`,
      '}',
    ].map((line) => `${TAB}${line}`),
    '}',
  );
  if (route.path === '/') {
    lines.push('handle {');
  } else {
    lines.push(`@route${index} path_regexp ${caddyToken(caddyPathRegexp(decodedPath(route.path)))}`, `handle @route${index} {`);
  }
  lines.push(...body.map((line) => `${TAB}${line}`), '}');
  return lines;
}

/** A Caddyfile token: bare when it has no space, quote or brace trouble, else double-quoted. */
function caddyToken(text: string): string {
  if (/^[^\s"`{}#]+$/.test(text) || /^[^\s"`#]*\{path\}$/.test(text)) return text;
  return `"${text.replace(/"/g, '\\"')}"`;
}

/**
 * A header value taken literally: braces escaped so Caddy expands no placeholder, in a
 * backtick token (raw: no escapes) unless the value itself holds a backtick.
 */
export function caddyLiteral(value: string): string {
  const escaped = value.replace(/[{}]/g, '\\$&');
  if (!escaped.includes('`')) return `\`${escaped}\``;
  return `"${escaped.replace(/"/g, '\\"')}"`;
}

function redirectBlocks(sites: readonly Site[], settings: ExportSettings, httpPort: number): string[] {
  const addresses = sites.map((site) => `http://${site.host}:${httpPort}`).join(', ');
  return [
    '# http: 308 to https for the hosts above (method and body kept), 404 for any other host.',
    `${addresses} {`,
    ...bindLines(settings),
    `${TAB}redir https://{host}${httpsPortSuffix(settings)}{uri} 308`,
    '}',
    `http://:${httpPort} {`,
    ...bindLines(settings),
    `${TAB}respond 404`,
    '}',
  ];
}
