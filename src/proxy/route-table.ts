import type { Route } from '../config/types.js';

/**
 * An immutable lookup from (host, path) to a route, built once per config and
 * swapped whole on reload, so a request always sees one consistent table.
 * An exact host beats a wildcard; within a host the longest path prefix wins.
 */
export class RouteTable {
  readonly routes: readonly Route[];
  private readonly exact = new Map<string, Route[]>();
  /** Wildcard routes grouped by suffix (`.preview.localhost`), longest suffix first. */
  private readonly wildcards: { suffix: string; routes: Route[] }[] = [];

  constructor(routes: readonly Route[]) {
    this.routes = routes;
    const bySuffix = new Map<string, Route[]>();
    for (const route of routes) {
      if (route.wildcard) pushTo(bySuffix, route.host.slice(1), route);
      else pushTo(this.exact, route.host, route);
    }
    for (const list of this.exact.values()) list.sort(longestPathFirst);
    for (const [suffix, list] of bySuffix) this.wildcards.push({ suffix, routes: list.sort(longestPathFirst) });
    this.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  }

  /** The route for a request, or undefined. `host` is lower-case without port; `path` may carry a query. */
  match(host: string, path: string): Route | undefined {
    const exact = this.exact.get(host);
    if (exact !== undefined) {
      const route = firstPathMatch(exact, path);
      if (route !== undefined) return route;
    }
    for (const group of this.wildcards) {
      if (host.length > group.suffix.length && host.endsWith(group.suffix)) {
        const route = firstPathMatch(group.routes, path);
        if (route !== undefined) return route;
      }
    }
    return undefined;
  }

  /** The configured host pattern that covers `host` (itself, or a wildcard such as `*.preview.localhost`). */
  hostPatternFor(host: string): string | undefined {
    if (this.exact.has(host)) return host;
    for (const group of this.wildcards) {
      if (host.length > group.suffix.length && host.endsWith(group.suffix)) return `*${group.suffix}`;
    }
    return undefined;
  }

  /** Distinct host patterns in config order, for messages and certificate warm-up. */
  hostPatterns(): string[] {
    return [...new Set(this.routes.map((route) => route.host))];
  }
}

function pushTo(map: Map<string, Route[]>, key: string, route: Route): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [route]);
  else list.push(route);
}

function longestPathFirst(a: Route, b: Route): number {
  return b.path.length - a.path.length;
}

function firstPathMatch(routes: readonly Route[], path: string): Route | undefined {
  for (const route of routes) {
    if (pathHasPrefix(path, route.path)) return route;
  }
  return undefined;
}

/** `/api` covers `/api`, `/api/x` and `/api?q`, but not `/apix`. */
export function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}
