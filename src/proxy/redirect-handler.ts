import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteTable } from '../routes/route-table.js';
import { hostWithoutPort } from './host-header.js';

/**
 * Port 80: a configured host gets a 308 to the same URL on https (308, not 301, so a
 * POST stays a POST with its body), and so does devtls's own site (the status page). Anything
 * else gets 404: devtls redirects only the names it serves.
 */
export function createRedirectHandler(routes: () => RouteTable, httpsPort: () => number, builtInHost?: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const host = hostWithoutPort(req.headers.host);
    const url = req.url ?? '/';
    const table = routes();
    if (host === '' || url.charCodeAt(0) !== 47 /* / */ || (table.hostPatternFor(host) === undefined && host !== builtInHost)) {
      const body = `devtls: no route for "${host}". Configured hosts: ${table.hostPatterns().join(', ')}\n`;
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const port = httpsPort();
    const location = `https://${host}${port === 443 ? '' : `:${port}`}${url}`;
    res.writeHead(308, { location, 'content-length': 0, connection: 'close' });
    res.end();
  };
}
