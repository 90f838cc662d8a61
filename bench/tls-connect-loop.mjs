// A TLS client that opens new connections one after another (CONCURRENCY loops at once) for
// SECONDS, each with SNI and Host HOST and one HTTP/1.1 request, closed by the server.
// MODE `new`: a full handshake every time; `reuse`: each loop resumes the session (TLS 1.3
// ticket) its previous connection received. GROUP: the key-exchange group offered.
// Prints one JSON line: {"connections", "resumed", "failed"}.
// Usage: node bench/tls-connect-loop.mjs PORT HOST MODE SECONDS [CONCURRENCY=16] [GROUP=X25519]
import { connect } from 'node:tls';

const [port, host, mode, seconds, concurrency = '16', group = 'X25519'] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
let connections = 0;
let resumed = 0;
let failed = 0;

function once(session) {
  return new Promise((resolve) => {
    let ticket;
    const socket = connect({ host: '127.0.0.1', port: Number(port), servername: host, ALPNProtocols: ['http/1.1'], rejectUnauthorized: false, ecdhCurve: group, ...(session === undefined ? {} : { session }) });
    socket.on('session', (s) => (ticket = s));
    socket.once('secureConnect', () => {
      if (socket.isSessionReused()) resumed += 1;
      socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', () => undefined);
    socket.once('error', () => (failed += 1));
    socket.once('close', () => {
      connections += 1;
      resolve(ticket);
    });
  });
}

async function loop() {
  let session;
  while (Date.now() < until) {
    const ticket = await once(mode === 'reuse' ? session : undefined);
    if (ticket !== undefined) session = ticket;
  }
}

await Promise.all(Array.from({ length: Number(concurrency) }, loop));
console.log(JSON.stringify({ connections, resumed, failed }));
