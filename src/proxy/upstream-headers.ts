import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyRequest } from './http-compat.js';
import type { Route } from '../routes/route.js';
import { hostWithPort } from '../routes/labels.js';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1); never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'http2-settings',
]);

/** Headers devtls sets itself on the way upstream, so a client cannot forge them. */
const SET_BY_PROXY = new Set(['x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']);

const DROP = 0;
const XFF = 1;
const COOKIE = 2;
/**
 * Request headers not copied as they come: hop-by-hop ones and those devtls sets itself
 * are dropped (Host is re-added below); X-Forwarded-For is extended; Cookie fields, which
 * HTTP/2 browsers send one per cookie, are joined into the one header HTTP/1.1 allows
 * (RFC 9113 §8.2.3).
 */
const SPECIAL_REQUEST_HEADERS = new Map<string, typeof DROP | typeof XFF | typeof COOKIE>([
  ...[...HOP_BY_HOP, ...SET_BY_PROXY, 'host'].map((name) => [name, DROP] as const),
  ['x-forwarded-for', XFF],
  ['cookie', COOKIE],
]);

export interface ForwardContext {
  /** Host header as the browser sent it (with port). */
  host: string;
  clientAddress: string;
  /** The port the browser connected to. */
  port: number;
  proto: 'https' | 'http';
}

/**
 * The request headers for the target, as a flat [name, value, …] list (cheaper than an
 * object, and keeps repeated headers). Hop-by-hop headers and those named in Connection
 * are dropped; X-Forwarded-* are set; Host is kept unless the route rewrites it.
 */
export function upstreamRequestHeaders(req: ProxyRequest, route: Route, context: ForwardContext): string[] {
  const raw = req.rawHeaders;
  const connectionTokens = connectionHeaderTokens(req.headers);
  const overridden = overriddenHeaderNames(route);
  const checkOverridden = overridden.size > 0;
  const out: string[] = [];
  let forwardedFor = '';
  let cookie = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (name.charCodeAt(0) === 58 /* : */) continue; // HTTP/2 pseudo-headers; Host is set below
    const lower = name.toLowerCase();
    // One lookup decides every header devtls treats specially (hot path: once per header).
    const special = SPECIAL_REQUEST_HEADERS.get(lower);
    if (special !== undefined) {
      if (special === XFF) forwardedFor = forwardedFor === '' ? value : `${forwardedFor}, ${value}`;
      else if (special === COOKIE) cookie = cookie === '' ? value : `${cookie}; ${value}`;
      continue;
    }
    if (connectionTokens !== undefined && connectionTokens.has(lower)) continue;
    if (checkOverridden && overridden.has(lower)) continue;
    out.push(name, value);
  }
  if (cookie !== '' && !overridden.has('cookie')) out.push('cookie', cookie);
  out.push('host', route.changeOrigin ? targetHost(route) : context.host);
  out.push('x-forwarded-for', forwardedFor === '' ? context.clientAddress : `${forwardedFor}, ${context.clientAddress}`);
  out.push('x-forwarded-proto', context.proto, 'x-forwarded-host', context.host, 'x-forwarded-port', String(context.port));
  for (const name in route.headers) out.push(name, route.headers[name] as string);
  return out;
}

/**
 * Response headers for the browser from undici's raw [name, value, …] buffers, as a flat
 * list for writeHead (repeated headers such as Set-Cookie stay separate, no object is
 * built): hop-by-hop ones and those named in Connection are removed.
 */
export function downstreamResponseHeaders(raw: readonly Buffer[]): string[] {
  const out: string[] = [];
  let connectionTokens: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1');
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection' && !isPersistenceOnly(value)) connectionTokens = tokensOf(value, connectionTokens);
      continue;
    }
    out.push(lower, value);
  }
  return connectionTokens === undefined ? out : out.filter((_, i) => !connectionTokens.has(out[i - (i % 2)] as string));
}

/** Headers an Upgrade handshake needs even though they are hop-by-hop or named in Connection. */
const KEPT_FOR_UPGRADE = new Set(['connection', 'upgrade', 'host']);

/**
 * Clean an Upgrade (WebSocket) request's headers in place before they are relayed: the
 * same hop-by-hop headers and Connection-named headers as for plain requests are removed,
 * except what the handshake itself needs; Connection becomes just "Upgrade".
 */
export function stripHopByHopForUpgrade(headers: IncomingHttpHeaders): void {
  const named = connectionHeaderTokens(headers);
  for (const name of HOP_BY_HOP) if (!KEPT_FOR_UPGRADE.has(name)) delete headers[name];
  if (named !== undefined) for (const name of named) if (!KEPT_FOR_UPGRADE.has(name)) delete headers[name];
  headers['connection'] = 'Upgrade';
}

const overriddenNames = new WeakMap<Route, Set<string>>();

/** Lower-case names of the route's extra headers, computed once per route. */
function overriddenHeaderNames(route: Route): Set<string> {
  let names = overriddenNames.get(route);
  if (names === undefined) {
    names = new Set(Object.keys(route.headers).map((name) => name.toLowerCase()));
    overriddenNames.set(route, names);
  }
  return names;
}

function targetHost(route: Route): string {
  return hostWithPort(route.target.hostname, route.target.port, 80);
}

function connectionHeaderTokens(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers['connection'];
  if (value === undefined) return undefined;
  // Nearly every client and server sends just "keep-alive" or "close": nothing to drop.
  if (typeof value === 'string' && isPersistenceOnly(value)) return undefined;
  const tokens = tokensOf(Array.isArray(value) ? value.join(',') : value, undefined);
  return tokens.size === 0 ? undefined : tokens;
}

/** Header names listed in a Connection value (not counting keep-alive/close). */
function tokensOf(value: string, into: Set<string> | undefined): Set<string> {
  const tokens = into ?? new Set<string>();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive') tokens.add(name);
  }
  return tokens;
}

function isPersistenceOnly(value: string): boolean {
  if (value.length === 10) return value === 'keep-alive' || value.toLowerCase() === 'keep-alive';
  if (value.length === 5) return value === 'close' || value.toLowerCase() === 'close';
  return false;
}
