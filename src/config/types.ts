import type { Route, UpstreamTimeouts } from '../routes/route.js';

/** A validated proxy.config.json: its routes, and the settings that belong to the listeners. */
export interface ProxyConfig {
  /** Absolute path of the file. */
  file: string;
  routes: Route[];
  /** Listen port for HTTPS (command-line --https-port wins). */
  httpsPort: number | undefined;
  /** Listen port for the http→https redirect; false turns it off (0 is read as false). */
  httpPort: number | false | undefined;
  /** Offer HTTP/2 to browsers (ALPN h2, with HTTP/1.1 fallback). */
  http2: boolean;
  /** Also copied into each route, which is where forwarding reads them. */
  timeouts: UpstreamTimeouts;
}
