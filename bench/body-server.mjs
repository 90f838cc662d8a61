// A plain Node HTTP/1.1 backend: GET /1m answers 1 MiB (Content-Length, one write),
// anything else answers `ok`. Usage: node body-server.mjs PORT
import { createServer } from 'node:http';

const big = Buffer.alloc(1024 * 1024, 97);
const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  const body = req.url === '/1m' ? big : 'ok';
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
