// WebSocket load client: CONNECTIONS sockets each keep WINDOW 64-byte messages in flight
// through the proxy to the echo backend, for SECONDS (the first second is warm-up).
// Prints one JSON line: {"messages", "seconds", "rate", "errors"}.
// Usage: node ws-load.mjs URL CONNECTIONS WINDOW SECONDS [HOST]
import WebSocket from 'ws';

const [url, connectionsArg, windowArg, secondsArg, host] = process.argv.slice(2);
const connections = Number(connectionsArg);
const window = Number(windowArg);
const seconds = Number(secondsArg);
const warmupMs = Math.min(1000, (seconds * 1000) / 4);
const payload = Buffer.alloc(64, 120);

let counting = false;
let counted = 0;
let errors = 0;
let stopped = false;
const sockets = [];

await Promise.all(
  Array.from({ length: connections }, () =>
    new Promise((resolve) => {
      const socket = new WebSocket(url, {
        rejectUnauthorized: false,
        servername: 'localhost',
        perMessageDeflate: false,
        ...(host ? { headers: { host } } : {}),
      });
      sockets.push(socket);
      socket.on('open', () => {
        for (let i = 0; i < window; i++) socket.send(payload);
        resolve();
      });
      socket.on('message', () => {
        if (counting) counted++;
        if (!stopped) socket.send(payload);
      });
      socket.on('error', () => {
        errors++;
        resolve();
      });
      socket.on('close', () => resolve());
    }),
  ),
);

const startedAt = Date.now();
await new Promise((resolve) => setTimeout(resolve, warmupMs));
counting = true;
const countFrom = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000 - warmupMs));
counting = false;
const elapsed = (performance.now() - countFrom) / 1000;
stopped = true;
for (const socket of sockets) socket.terminate();
const open = sockets.filter((s) => s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CLOSED).length;
console.log(JSON.stringify({ messages: counted, seconds: elapsed, rate: counted / elapsed, errors, connections: open, ranMs: Date.now() - startedAt }));
process.exit(0);
