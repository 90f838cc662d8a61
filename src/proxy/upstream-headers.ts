import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyRequest } from './http-compat.js';
import type { Route } from '../routes/route.js';
import { hostWithPort } from '../routes/labels.js';
import { FORWARDING_HEADERS, HOP_BY_HOP } from '../routes/managed-headers.js';

const DROP = 0;
const COOKIE = 1;
/**
 * Request headers not copied as they come: hop-by-hop ones, the forwarding headers devtls
 * sets itself and Host are dropped (Host and X-Forwarded-* are added below); Cookie fields,
 * which HTTP/2 browsers send one per cookie, are joined into the one header HTTP/1.1
 * allows (RFC 9113 §8.2.3).
 */
const SPECIAL_REQUEST_HEADERS = new Map<string, typeof DROP | typeof COOKIE>([
  ...[...HOP_BY_HOP, ...FORWARDING_HEADERS, 'host'].map((name) => [name, DROP] as const),
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
 * object, and keeps repeated headers), for plain requests and Upgrade handshakes alike.
 * Hop-by-hop headers and those named in Connection are dropped (an upgrade keeps its
 * `Upgrade` and gets `Connection: Upgrade`); X-Forwarded-* are set from what devtls saw,
 * each exactly once; Host is kept unless the route rewrites it; the route's own headers
 * come last (validation keeps them off every name devtls manages).
 */
export function upstreamRequestHeaders(req: ProxyRequest, route: Route, context: ForwardContext, upgrade = false): string[] {
  const raw = req.rawHeaders;
  const connectionTokens = connectionHeaderTokens(req.headers);
  const overridden = overriddenHeaderNames(route);
  const checkOverridden = overridden.size > 0;
  const out: string[] = [];
  let cookie = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (name.charCodeAt(0) === 58 /* : */) continue; // HTTP/2 pseudo-headers; Host is set below
    const lower = name.toLowerCase();
    // One lookup decides every header devtls treats specially (hot path: once per header).
    const special = SPECIAL_REQUEST_HEADERS.get(lower);
    if (special !== undefined) {
      if (special === COOKIE) cookie = cookie === '' ? value : `${cookie}; ${value}`;
      continue;
    }
    if (connectionTokens !== undefined && connectionTokens.has(lower)) continue;
    if (checkOverridden && overridden.has(lower)) continue;
    out.push(name, value);
  }
  if (upgrade) {
    const protocol = req.headers.upgrade;
    if (protocol !== undefined) out.push('connection', 'Upgrade', 'upgrade', protocol);
  }
  if (cookie !== '' && !overridden.has('cookie')) out.push('cookie', cookie);
  out.push('host', route.changeOrigin ? hostWithPort(route.target.hostname, route.target.port, 80) : context.host);
  out.push(
    'x-forwarded-for',
    context.clientAddress,
    'x-forwarded-proto',
    context.proto,
    'x-forwarded-host',
    context.host,
    'x-forwarded-port',
    String(context.port),
  );
  for (const name in route.headers) out.push(name, route.headers[name] as string);
  return out;
}

/** A flat header list as the object an Upgrade relay sends (repeated names joined, as HTTP allows). */
export function headerObject(flat: readonly string[]): IncomingHttpHeaders {
  const headers: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    const value = flat[i + 1] as string;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return headers;
}

/**
 * Response headers for the browser from undici's parsed header object, as a flat list for
 * writeHead (repeated headers such as Set-Cookie stay separate): hop-by-hop ones and those
 * named in Connection are removed.
 */
export function downstreamResponseHeaders(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  const connection = headers['connection'];
  const named =
    connection === undefined || (typeof connection === 'string' && isPersistenceOnly(connection))
      ? undefined
      : tokensOf(Array.isArray(connection) ? connection.join(',') : connection, undefined);
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || (named !== undefined && named.has(name))) continue;
    const value = headers[name];
    if (typeof value === 'string') out.push(name, value);
    else if (value !== undefined) for (const item of value) out.push(name, item);
  }
  return out;
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

function connectionHeaderTokens(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers['connection'];
  if (value === undefined) return undefined;
  // Nearly every client and server sends just "keep-alive" or "close": nothing to drop.
  if (typeof value === 'string' && isPersistenceOnly(value)) return undefined;
  const tokens = tokensOf(Array.isArray(value) ? value.join(',') : value, undefined);
  return tokens.size === 0 ? undefined : tokens;
}

/** Header names listed in a Connection value (not counting keep-alive/close/upgrade). */
function tokensOf(value: string, into: Set<string> | undefined): Set<string> {
  const tokens = into ?? new Set<string>();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive' && name !== 'upgrade') tokens.add(name);
  }
  return tokens;
}

function isPersistenceOnly(value: string): boolean {
  if (value.length === 10) return value === 'keep-alive' || value.toLowerCase() === 'keep-alive';
  if (value.length === 5) return value === 'close' || value.toLowerCase() === 'close';
  return false;
}
