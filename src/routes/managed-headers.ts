/**
 * The one list of request headers devtls manages itself, with the reason a route's
 * `headers` may not set them. Forwarding drops them from what the browser sent (and sets
 * its own where it has one); config validation refuses them in a route.
 */

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1); never forwarded as sent. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
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

/**
 * Headers that say who the client is and how it connected. devtls is the edge: it drops
 * whatever the browser sent under these names and sets X-Forwarded-* from what it saw
 * itself, so a page cannot make the dev server believe another address or scheme.
 */
export const FORWARDING_HEADERS: ReadonlySet<string> = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'forwarded',
  'x-real-ip',
]);

const HOP_REASON = 'it is a hop-by-hop header the proxy manages per connection';

/** Lower-case names a route may not set, with the reason shown to the user. */
export const MANAGED_HEADERS: ReadonlyMap<string, string> = new Map([
  ...[...HOP_BY_HOP].map((name) => [name, HOP_REASON] as const),
  ['transfer-encoding', 'it is a hop-by-hop header; the body framing is set by the proxy'],
  ['upgrade', 'it is a hop-by-hop header; WebSocket upgrades are forwarded automatically'],
  ['proxy-authenticate', 'it is a hop-by-hop header meant for the proxy, not the target'],
  ['proxy-authorization', 'it is a hop-by-hop header meant for the proxy, not the target'],
  ['host', 'the Host header is chosen by the proxy: set "changeOrigin": true to send the target\'s host'],
  ['content-length', 'the body length is set by the proxy'],
  ...[...FORWARDING_HEADERS].map(
    (name) => [name, 'devtls sets the forwarding headers itself (X-Forwarded-For/Proto/Host/Port) from the connection it saw, and drops Forwarded and X-Real-IP'] as const,
  ),
]);
