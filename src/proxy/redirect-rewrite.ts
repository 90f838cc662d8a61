/**
 * Redirects that would send the browser off devtls: a dev server answering
 * `Location: http://127.0.0.1:3000/dashboard` (it only knows its own address) or
 * `http://app.localhost/…` (the right name on the wrong scheme). Those point at the
 * route's target, or at the public host over http; they become the public
 * `https://host[:port]` URL with path and query kept (what nginx's `proxy_redirect
 * default` does for the first). Every other URL is left alone. Pure functions.
 */
import type { Route } from '../routes/route.js';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The rewritten value of a Location or Content-Location header, or undefined when it stays.
 * @param authority the browser's Host (`app.localhost:8443`)
 */
export function rewriteRedirectUrl(value: string, route: Route, authority: string): string | undefined {
  const scheme = value.slice(0, 5).toLowerCase();
  if (scheme !== 'http:') return undefined; // relative, https, or another scheme: already right
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const port = url.port === '' ? 80 : Number(url.port);
  const host = url.hostname;
  const publicHost = authority.replace(/:\d+$/, '').toLowerCase();
  let path = `${url.pathname}${url.search}${url.hash}`;
  const target = route.target;
  const atTarget = port === target.port && (LOOPBACK_NAMES.has(host) || host === target.hostname || host === `[${target.hostname}]`);
  if (atTarget) {
    // The target's view of the path: its base path is devtls's route path.
    if (target.basePath !== '' && (url.pathname === target.basePath || url.pathname.startsWith(`${target.basePath}/`))) {
      path = path.slice(target.basePath.length) || '/';
      if (!path.startsWith('/')) path = `/${path}`;
    }
    if (route.stripPrefix && route.path !== '/') path = path === '/' ? route.path : `${route.path}${path}`;
  } else if (host !== publicHost) {
    return undefined;
  }
  return `https://${authority}${path}`;
}

const REFRESH = /^(\s*\d+(?:\.\d*)?\s*[;,]\s*url\s*=\s*)(['"]?)([^'"]*)\2(\s*)$/i;

/** The rewritten value of a `Refresh: 5; url=…` header, or undefined when it stays. */
export function rewriteRefresh(value: string, route: Route, authority: string): string | undefined {
  const match = REFRESH.exec(value);
  if (match === null) return undefined;
  const rewritten = rewriteRedirectUrl(match[3] as string, route, authority);
  return rewritten === undefined ? undefined : `${match[1] as string}${match[2] as string}${rewritten}${match[2] as string}${match[4] as string}`;
}
