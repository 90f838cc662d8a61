import type { Route } from './route.js';
import { onlyTargetMoved } from './route-changes.js';

/**
 * An immutable lookup from (host, path) to a route, built once per set of routes and
 * swapped whole on reload, so a request always sees one consistent table.
 * An exact host beats a wildcard; a wildcard `*.preview.localhost` matches names with
 * exactly one more label (`a.preview.localhost`, not `a.b.preview.localhost`), as browsers
 * and RFC 6125 match wildcard certificates; within a host the longest path prefix wins.
 */
export class RouteTable {
  readonly routes: readonly Route[];
  private readonly exact = new Map<string, Route[]>();
  /** Wildcard routes by the suffix they cover (`.preview.localhost`). */
  private readonly wildcards = new Map<string, Route[]>();

  constructor(routes: readonly Route[]) {
    this.routes = routes;
    for (const route of routes) {
      if (route.wildcard) pushTo(this.wildcards, route.host.slice(1), route);
      else pushTo(this.exact, route.host, route);
    }
    for (const list of this.exact.values()) list.sort(longestPathFirst);
    for (const list of this.wildcards.values()) list.sort(longestPathFirst);
  }

  /** The route for a request, or undefined. `host` is lower-case without port; `path` may carry a query. */
  match(host: string, path: string): Route | undefined {
    const exact = this.exact.get(host);
    if (exact !== undefined) {
      const route = firstPathMatch(exact, path);
      if (route !== undefined) return route;
    }
    const wildcard = this.wildcardRoutesFor(host);
    return wildcard === undefined ? undefined : firstPathMatch(wildcard, path);
  }

  /** The host pattern that covers `host` (itself, or the wildcard such as `*.preview.localhost`). */
  hostPatternFor(host: string): string | undefined {
    if (this.exact.has(host)) return host;
    const wildcard = this.wildcardRoutesFor(host);
    return wildcard === undefined ? undefined : (wildcard[0] as Route).host;
  }

  /** Every route for the host pattern that covers `host`, longest path first (for a 404 listing its paths). */
  routesForHost(host: string): readonly Route[] {
    return this.exact.get(host) ?? this.wildcardRoutesFor(host) ?? [];
  }

  /**
   * `route` as this table has it when a reload moved only its target (an edited port, a dev
   * server `devtls run` found on another port); undefined when it is here unchanged, gone, or
   * changed otherwise. For requests still waiting for a dev server: never on the hot path.
   */
  movedVersionOf(route: Route): Route | undefined {
    if (this.routes.includes(route)) return undefined;
    return this.routes.find((candidate) => onlyTargetMoved(route, candidate));
  }

  /** Distinct host patterns in route order, for messages and certificate warm-up. */
  hostPatterns(): string[] {
    return [...new Set(this.routes.map((route) => route.host))];
  }

  /** A wildcard covers exactly one label in front of its suffix. */
  private wildcardRoutesFor(host: string): Route[] | undefined {
    if (this.wildcards.size === 0) return undefined;
    const dot = host.indexOf('.');
    return dot > 0 ? this.wildcards.get(host.slice(dot)) : undefined;
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
