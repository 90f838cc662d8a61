import type { TLSSocket } from 'node:tls';
import type { Route } from '../routes/route.js';
import type { RouteTable } from '../routes/route-table.js';
import { hostWithPort } from '../routes/labels.js';
import type { ErrorPage } from './error-pages.js';
import { hostWithoutPort } from './host-header.js';
import type { ProxyRequest } from './http-compat.js';

/** What decides where a request may go: the routes, and which certificate covers a name. */
export interface AdmissionRules {
  readonly table: RouteTable;
  /** The certificate key for a name: the host, the wildcard that covers it, or undefined. */
  certificateKeyFor(name: string): string | undefined;
  /** The HTTPS port browsers use, for links on the 404 page. */
  readonly httpsPort: number;
}

/**
 * The one admission step for HTTP/1.1 requests, HTTP/2 streams and WebSocket upgrades:
 * the route a request goes to, or the page that refuses it (400 malformed target or Host,
 * 404 no route, 421 a Host the TLS connection was not opened for). Nothing is forwarded
 * for a refused request.
 */
export function admit(req: ProxyRequest, rules: AdmissionRules): Route | ErrorPage {
  const url = req.url ?? '';
  if (url.charCodeAt(0) !== 47 /* / */) {
    return badRequest('devtls only serves origin-form request targets (a path starting with /); it is not a forward proxy.');
  }
  if (!('stream' in req)) {
    const framing = http1Framing(req);
    if (framing !== undefined) return framing;
  }
  const headers = req.headers;
  const authority = headers.host ?? (headers[':authority'] as string | undefined);
  if (authority === undefined || authority === '') {
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 0) return noRoute(req, '', rules);
    return badRequest('The request has no Host header (HTTP/1.1 requires one), so devtls cannot tell which dev server it is for.');
  }
  if (!('stream' in req) && hasSecondHost(req.rawHeaders)) {
    return badRequest('The request has more than one Host header (RFC 9112 §3.2 forbids it); devtls does not guess which one is meant.');
  }
  const host = hostWithoutPort(authority);
  const route = rules.table.match(host, url);
  if (route === undefined) return noRoute(req, host, rules);
  const misdirectedFrom = misdirectedServerName(req, host, rules);
  return misdirectedFrom === undefined ? route : misdirected(host, misdirectedFrom);
}

export function isRefusal(result: Route | ErrorPage): result is ErrorPage {
  return 'status' in result;
}

/**
 * What RFC 9112 refuses in an HTTP/1.x request line or its framing, before any of it is
 * forwarded: another major version (505); a Transfer-Encoding whose last coding is not
 * chunked (400: the body's length cannot be known, §6.3); a coding before chunked
 * (501: devtls does not decode gzip or any other transfer coding, §6.1, and would otherwise
 * forward the body de-chunked with its coding dropped). Node's parser emits the request
 * before it rejects a non-chunked Transfer-Encoding, so this check is what keeps such a
 * request from reaching the dev server.
 */
function http1Framing(req: ProxyRequest): ErrorPage | undefined {
  if (req.httpVersionMajor !== 1) {
    return {
      status: 505,
      title: 'HTTP Version Not Supported',
      detail: `This connection speaks HTTP/1.1; the request said HTTP/${req.httpVersionMajor}.${req.httpVersionMinor}. (HTTP/2 is chosen by ALPN during the TLS handshake, not in the request line.)`,
    };
  }
  const transferEncoding = req.headers['transfer-encoding'];
  if (transferEncoding === undefined) return undefined;
  const codings = transferEncoding.split(',').map((coding) => coding.trim().toLowerCase());
  if (codings.length === 1 && codings[0] === 'chunked') return undefined;
  if (codings[codings.length - 1] !== 'chunked') {
    return badRequest(`Transfer-Encoding: ${transferEncoding} does not end in chunked, so the length of the body cannot be known (RFC 9112 §6.3).`);
  }
  return {
    status: 501,
    title: 'Not Implemented',
    detail: `devtls forwards only Transfer-Encoding: chunked; it does not decode ${codings.slice(0, -1).join(', ')} (RFC 9112 §6.1).`,
  };
}

function hasSecondHost(raw: readonly string[]): boolean {
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

/**
 * Whether a request's Host belongs on another TLS connection than the one it came on:
 * the certificate the SNI name got (its certificate key: the host, or the wildcard that
 * covers it) is not the one Host would get. This is the DNS-rebinding defence for routed
 * hosts: a page on evil.example whose name now resolves to 127.0.0.1 connects with SNI
 * evil.example and cannot present Host app.localhost. HTTP/2 connection coalescing stays
 * allowed where it is legitimate: siblings under one wildcard certificate share its key.
 * No SNI at all (a client that connected to an IP address) is allowed: browsers always
 * send SNI for names, so rebinding cannot produce it, and Host alone decides the route.
 * Returns the SNI name when the request is misdirected. The common case (Host equals SNI)
 * costs one comparison.
 */
function misdirectedServerName(req: ProxyRequest, host: string, rules: AdmissionRules): string | undefined {
  const serverName = (req.socket as TLSSocket).servername;
  if (typeof serverName !== 'string' || serverName === '' || serverName === host) return undefined;
  const sniKey = rules.certificateKeyFor(serverName);
  return sniKey === undefined || sniKey !== rules.certificateKeyFor(host) ? serverName : undefined;
}

function badRequest(detail: string): ErrorPage {
  return { status: 400, title: 'Bad Request', detail };
}

function misdirected(host: string, serverName: string): ErrorPage {
  return {
    status: 421,
    title: 'Misdirected Request',
    detail: `This connection was opened for ${serverName}, and its certificate does not cover ${host}; devtls does not forward it.`,
    hint: `Open https://${host}/ directly. (A page served under another name cannot reach a dev server through devtls: this is its DNS-rebinding defence.)`,
  };
}

/** The 404 page: what was asked, where routes come from, and links to every routed host. */
function noRoute(req: ProxyRequest, host: string, rules: AdmissionRules): ErrorPage {
  const table = rules.table;
  const patterns = table.hostPatterns();
  const links = patterns.filter((pattern) => !pattern.startsWith('*.')).map((pattern) => `https://${hostWithPort(pattern, rules.httpsPort, 443)}/`);
  const wildcards = patterns.filter((pattern) => pattern.startsWith('*.'));
  const sameHost = host === '' ? [] : table.routesForHost(host);
  const sources = [...new Set(table.routes.map((route) => route.source))];
  const where = sources.length === 0 ? 'a config file' : sources.join(' or ');
  if (sameHost.length > 0) {
    return {
      status: 404,
      title: 'No route',
      detail: `devtls serves ${host} only under ${sameHost.map((route) => route.path).join(', ')}; nothing routes ${req.url ?? ''}.`,
      hint: `Add a route with "path" for it to ${[...new Set(sameHost.map((route) => route.source))].join(' or ')}. Routed hosts:`,
      links,
    };
  }
  return {
    status: 404,
    title: 'No route',
    detail: host === '' ? 'The request had no Host header, so devtls cannot tell which dev server it is for.' : `devtls has no route for ${host}${req.url ?? ''}.`,
    hint: `Add a route for it to ${where}${wildcards.length > 0 ? ` (wildcard hosts: ${wildcards.join(', ')})` : ''}. Configured hosts:`,
    links,
  };
}
