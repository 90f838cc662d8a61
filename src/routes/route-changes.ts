import type { Route } from './route.js';
import { routeLabel, targetLabel } from './labels.js';

export interface RouteChanges {
  added: Route[];
  removed: Route[];
  changed: Route[];
  /** One line a person reads: `+ api.app.localhost → :8090, - old.localhost`. */
  summary: string;
}

/** What a reload changed, by host+path. */
export function describeRouteChanges(before: readonly Route[], after: readonly Route[]): RouteChanges {
  const key = (route: Route): string => `${route.host}${route.path}`;
  const old = new Map(before.map((route) => [key(route), route]));
  const added: Route[] = [];
  const changed: Route[] = [];
  for (const route of after) {
    const previous = old.get(key(route));
    old.delete(key(route));
    if (previous === undefined) added.push(route);
    else if (!sameRoute(previous, route)) changed.push(route);
  }
  const removed = [...old.values()];
  const parts = [
    ...added.map((route) => `+ ${routeLabel(route)} → ${targetLabel(route)}`),
    ...changed.map((route) => `~ ${routeLabel(route)} → ${targetLabel(route)}`),
    ...removed.map((route) => `- ${routeLabel(route)}`),
  ];
  return { added, removed, changed, summary: parts.length === 0 ? 'no route changed' : parts.join(', ') };
}

function sameRoute(a: Route, b: Route): boolean {
  return (
    a.target.origin === b.target.origin &&
    a.target.basePath === b.target.basePath &&
    a.changeOrigin === b.changeOrigin &&
    a.stripPrefix === b.stripPrefix &&
    a.rewriteRedirects === b.rewriteRedirects &&
    JSON.stringify(a.headers) === JSON.stringify(b.headers)
  );
}

/**
 * Whether `after` is `before` with only its target's address changed (same host, path and
 * source; same base path, flags and headers): a request prepared for `before` may be sent to
 * `after`'s target as it is.
 */
export function onlyTargetMoved(before: Route, after: Route): boolean {
  return (
    before.host === after.host &&
    before.path === after.path &&
    before.source === after.source &&
    before.target.origin !== after.target.origin &&
    sameRoute(before, { ...after, target: { ...after.target, origin: before.target.origin } })
  );
}
