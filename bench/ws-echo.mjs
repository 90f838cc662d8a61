// WebSocket echo backend for the bench: node ws, one process, 127.0.0.1 only.
// Usage: node ws-echo.mjs PORT
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => socket.terminate());
});
server.on('listening', () => console.log(`ws echo on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
