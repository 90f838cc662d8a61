import { parseConfig } from '../../dist/config/parse-config.js';
import type { ExportSettings } from '../../dist/export/route-analysis.js';
import type { Route } from '../../dist/routes/route.js';

/** Routes as `devtls up` would read them from a proxy.config.json. */
export function routesOf(config: unknown): Route[] {
  return parseConfig(JSON.stringify(config), 'proxy.config.json').config.routes;
}

/** Every route feature at once. */
export const FULL_ROUTES = routesOf({
  routes: [
    { host: 'app.localhost', target: 8080 },
    { host: 'app.localhost', path: '/api', target: 8090, stripPrefix: true, headers: { 'x-extra': 'a {host} "c" $d', 'x-tick': 'back`tick' } },
    { host: 'app.localhost', path: '/api/v1.0', target: 8091 },
    { host: 'app.localhost', path: '/legacy', target: 'http://127.0.0.1:8092/base', changeOrigin: true },
    { host: '*.preview.localhost', target: 8093 },
    { host: 'docs.localhost', path: '/docs', target: 8080 },
  ],
  timeouts: { connect: 3000, response: 30000 },
});

export function settings(overrides: Partial<ExportSettings> = {}): ExportSettings {
  return { source: 'proxy.config.json', httpsPort: 443, httpPort: 80, http2: true, tls: 'devtls', bind: [], ...overrides };
}
