import type { Route } from './route.js';

/** The path sent upstream: the route's prefix removed when it asks for that, the target's base path prepended. */
export function upstreamPath(route: Route, url: string): string {
  let path = url;
  if (route.stripPrefix && route.path !== '/') {
    path = path.slice(route.path.length);
    if (path === '' || path.charCodeAt(0) === 63 /* ? */) path = `/${path}`;
  }
  return route.target.basePath === '' ? path : route.target.basePath + path;
}
