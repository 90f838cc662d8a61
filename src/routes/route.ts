/**
 * The route model every source produces (a config file today; a project joining a running
 * instance or a `devtls run` process too). It knows nothing of files, sockets or keys.
 */

/** Milliseconds: connecting to a target, and waiting for its response headers. */
export interface UpstreamTimeouts {
  connect: number;
  response: number;
}

export interface RouteTarget {
  /** `http://127.0.0.1:8080` (no trailing slash, no path). */
  origin: string;
  hostname: string;
  port: number;
  /** Path prefix of the target URL, `` when none (never a lone `/`). */
  basePath: string;
  /** A bare port: "this machine", so both 127.0.0.1 and ::1 are tried. */
  anyLoopback?: boolean;
}

/** One route with every default filled in. */
export interface Route {
  /** `app.localhost`, or a wildcard `*.preview.localhost`. */
  host: string;
  /** True when `host` starts with `*.` (it then matches names with exactly one more label). */
  wildcard: boolean;
  /** Path prefix, starting with `/`; `/` for the whole host. */
  path: string;
  target: RouteTarget;
  /** Send the target's host:port as Host instead of the browser's. */
  changeOrigin: boolean;
  /** Remove `path` from the URL before forwarding. */
  stripPrefix: boolean;
  /** Rewrite redirects that point at the target (or this host over http) to the public https URL. */
  rewriteRedirects: boolean;
  /** Extra request headers for the target (never the ones devtls manages). */
  headers: Readonly<Record<string, string>>;
  timeouts: UpstreamTimeouts;
  /** What registered the route, named in every message about it: `proxy.config.json`. */
  source: string;
  /** Where the source defines it, when it can say: `proxy.config.json:4:5`. */
  definedAt: string;
}
