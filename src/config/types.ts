/** One entry of `routes` in proxy.config.json, as written by the user. */
export interface RouteConfig {
  /** `app.localhost`, or a wildcard `*.preview.localhost`. */
  host: string;
  /** Path prefix, starting with `/`. Longest prefix wins. Default `/`. */
  path?: string;
  /** A port (meaning http://127.0.0.1:PORT) or an http:// URL. */
  target: number | string;
  /** Send the target's host:port as Host instead of the browser's. Default false. */
  changeOrigin?: boolean;
  /** Remove `path` from the URL before forwarding. Default false. */
  stripPrefix?: boolean;
  /** Extra request headers sent to the target. */
  headers?: Record<string, string>;
}

/** The whole of proxy.config.json, as written by the user. */
export interface ProxyConfigFile {
  $schema?: string;
  routes: RouteConfig[];
  /** Listen port for HTTPS (command-line --https-port wins). */
  httpsPort?: number;
  /** Listen port for the http→https redirect (command-line --http-port wins); false turns it off (0 is read as false). */
  httpPort?: number | false;
  /** Offer HTTP/2 to browsers (ALPN h2, with HTTP/1.1 fallback). Default true. */
  http2?: boolean;
  /** Milliseconds: connecting to a target, and waiting for its response headers. */
  timeouts?: { connect?: number; response?: number };
}

/** A route after validation: every default filled in, the target split into parts. */
export interface Route {
  host: string;
  /** True when `host` starts with `*.` (it then matches any name ending in `host.slice(1)`). */
  wildcard: boolean;
  path: string;
  target: RouteTarget;
  changeOrigin: boolean;
  stripPrefix: boolean;
  headers: Record<string, string>;
  /** Where the route came from, for messages: `proxy.config.json:4:5`. */
  source: string;
}

export interface RouteTarget {
  /** `http://127.0.0.1:8080` (no trailing slash, no path). */
  origin: string;
  hostname: string;
  port: number;
  /** Path prefix of the target URL, `` when none (never a lone `/`). */
  basePath: string;
}

/** A validated configuration. */
export interface ProxyConfig {
  file: string;
  routes: Route[];
  httpsPort: number | undefined;
  httpPort: number | false | undefined;
  http2: boolean;
  timeouts: { connect: number; response: number };
}
