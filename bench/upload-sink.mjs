#!/usr/bin/env node
// The upload benchmark's backend: reads each request body to its end, counts its bytes and
// only then answers `{"bytes":N}`, so a proxy is timed on the whole body reaching the dev
// server (not on an early answer). Usage: node bench/upload-sink.mjs PORT   (127.0.0.1 only)
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ bytes }));
  });
}).listen(port, '127.0.0.1');
