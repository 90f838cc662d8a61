/** How routes, targets and hosts are written in messages. */
import type { Route, RouteTarget } from './route.js';

/** `app.localhost`, or `app.localhost/api` for a path route. */
export function routeLabel(route: Route): string {
  return route.path === '/' ? route.host : `${route.host}${route.path}`;
}

/** `:8080` for a local target without a base path, else the whole URL. */
export function targetLabel(route: Route): string {
  const { hostname, port, basePath } = route.target;
  const local = hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '::1';
  return local && basePath === '' ? `:${port}` : `${route.target.origin}${basePath}`;
}

/** The target as a URL: `http://127.0.0.1:8080/base`. */
export function targetUrl(target: RouteTarget): string {
  return `${target.origin}${target.basePath}`;
}

/** An address or name as it appears before `:port`: IPv6 in brackets. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** `host:port`, the port left out when it is the scheme's default. */
export function hostWithPort(host: string, port: number, defaultPort: number): string {
  return port === defaultPort ? formatHost(host) : `${formatHost(host)}:${port}`;
}
