// The naive reference a Node developer writes: an https server + http-proxy-3 (the
// maintained drop-in for http-proxy) with default options. Default options mean no
// keep-alive agent: every request opens a new upstream connection (Connection: close).
// With `keepalive` as the last argument it uses a keep-alive agent to the backend (the
// 1-connection large-body rows: without one, every response ends its connection).
// Usage: node naive-proxy.mjs PORT CERT KEY HTTP_TARGET WS_TARGET [keepalive]
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:https';
import { createProxyServer } from 'http-proxy-3';

const [port, cert, key, httpTarget, wsTarget, mode] = process.argv.slice(2);
const proxy = createProxyServer(mode === 'keepalive' ? { agent: new Agent({ keepAlive: true }) } : {});
proxy.on('error', (_error, _req, res) => {
  if (res && 'writeHead' in res && !res.headersSent) {
    res.writeHead(502);
    res.end('bad gateway');
  } else res?.destroy?.();
});
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => proxy.web(req, res, { target: httpTarget }));
server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head, { target: wsTarget }));
server.listen(Number(port), '127.0.0.1', () => console.log(`naive proxy on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
