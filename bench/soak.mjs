#!/usr/bin/env node
// Soak: devtls (`node dist/cli.js serve` with one project joined by `up`, child processes) for SECONDS (default 60) under normal
// traffic mixed with every fault and hostile input the hardening tests cover; prints its RSS and open fds at
// the start (after a warm-up) and the end, and whether it ever stopped.
// Usage: npm run soak [-- --seconds 60]. Loopback only; the child is stopped by its PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect as h2connect } from 'node:http2';
import { Agent, request } from 'node:https';
import { createServer as createNetServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const argv = process.argv.slice(2);
const seconds = Number(argv[argv.indexOf('--seconds') + 1]) || 60;
const dir = mkdtempSync(join(tmpdir(), 'devtls-soak-'));
const counts = {};
const count = (name) => (counts[name] = (counts[name] ?? 0) + 1);

// --- dev servers, one per behaviour --------------------------------------------------------
const listen = (server) => new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));
const ports = {
  ok: await listen(createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); })),
  reset: await listen(createServer((_req, res) => { res.writeHead(200); res.write('x'.repeat(1000)); setImmediate(() => res.socket?.destroy()); })),
  hang: await listen(createServer(() => undefined)),
  early: await listen(createServer((req, res) => { req.socket.n = (req.socket.n ?? 0) + 1; if (req.socket.n % 2 === 0) req.socket.destroy(); else { req.resume(); req.on('end', () => res.end('ok')); } })),
  endless: await listen(createServer((_req, res) => { const c = Buffer.alloc(16384); const pump = () => { while (!res.destroyed && res.write(c)); }; res.on('drain', pump); pump(); })),
  malformed: await listen(createNetServer((s) => { s.on('error', () => undefined); s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: zz\r\n\r\n')); })),
  refused: await (async () => { const s = createNetServer(); const p = await listen(s); await new Promise((ok) => s.close(ok)); return p; })(),
};
const routes = Object.entries(ports).map(([name, port]) => ({ host: `${name}.localhost`, target: port }));
writeFileSync(join(dir, 'proxy.config.json'), JSON.stringify({ routes, timeouts: { connect: 1000, response: 300 } }));

// --- devtls --------------------------------------------------------------------------------
const portServer = createNetServer();
const httpsPort = await listen(portServer);
await new Promise((ok) => portServer.close(ok));
// The instance (`devtls serve`, the process measured) and the project that joins it (`up`).
const listenFlags = ['--https-port', String(httpsPort), '--http-port', '0', '--host', '127.0.0.1', '--ca-dir', join(dir, 'ca')];
const env = { ...process.env, NO_COLOR: '1', DEVTLS_STATE_DIR: join(dir, 'state') };
const child = spawn(process.execPath, [join(root, 'dist/cli.js'), 'serve', ...listenFlags], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
let output = '';
child.stdout.on('data', (c) => (output += c));
child.stderr.on('data', (c) => (output += c));
let exited = null;
child.on('exit', (code, signal) => (exited = { code, signal }));
for (let i = 0; i < 200 && !/serving on/i.test(output); i++) await sleep(50);
const project = spawn(process.execPath, [join(root, 'dist/cli.js'), 'up', '--config', join(dir, 'proxy.config.json'), ...listenFlags, '--no-watch'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
project.stdout.on('data', (c) => (output += c));
project.stderr.on('data', (c) => (output += c));
const stop = () => {
  if (project.exitCode === null && project.pid !== undefined) process.kill(project.pid, 'SIGTERM');
  if (exited === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
};
process.on('exit', stop);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { stop(); process.exit(1); });
for (let i = 0; i < 200 && !/Press Ctrl-C/.test(output); i++) await sleep(50);
const ca = readFileSync(join(dir, 'ca', 'rootCA.pem'), 'utf8');

const stats = () => ({
  rssMiB: Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
  fds: readdirSync(`/proc/${child.pid}/fd`).length,
});

// --- traffic ---------------------------------------------------------------------------------
const agent = new Agent({ keepAlive: true, maxSockets: 8, ca });
const get = (host, { method = 'GET', path = '/', headers = {}, body } = {}) => new Promise((ok) => {
  const req = request({ host: '127.0.0.1', port: httpsPort, servername: host, ca, agent, method, path, headers: { host: `${host}:${httpsPort}`, ...headers } }, (res) => {
    res.resume(); res.on('end', () => ok(res.statusCode)); res.on('error', () => ok('cut'));
  });
  req.on('error', () => ok('error'));
  req.end(body);
});
const raw = (servername, bytes, waitMs = 1000) => new Promise((ok) => {
  const s = servername === null ? netConnect({ host: '127.0.0.1', port: httpsPort }) : tlsConnect({ host: '127.0.0.1', port: httpsPort, servername, ca, ALPNProtocols: ['http/1.1'] });
  let text = '';
  s.on('data', (c) => (text += c.toString('latin1')));
  s.on('error', () => undefined);
  s.once(servername === null ? 'connect' : 'secureConnect', () => s.write(bytes));
  const t = setTimeout(() => { s.destroy(); ok(text); }, waitMs);
  s.on('close', () => { clearTimeout(t); ok(text); });
});
// HTTP/2 frames by hand (ALPN h2): the hostile clients a library would not let us be.
const h2frame = (type, flags, stream, payload = Buffer.alloc(0)) => {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3); head[3] = type; head[4] = flags; head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
};
const h2literal = (fields) => Buffer.concat(fields.flatMap(([n, v]) => [Buffer.from([0, n.length]), Buffer.from(n), Buffer.from([v.length]), Buffer.from(v)]));
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), h2frame(4, 0, 0)]);
const rawH2 = (bytes, { endAfter = false, waitMs = 1000 } = {}) => new Promise((ok) => {
  const s = tlsConnect({ host: '127.0.0.1', port: httpsPort, servername: 'ok.localhost', ca, ALPNProtocols: ['h2'] });
  s.on('error', () => undefined);
  s.once('secureConnect', () => { s.write(bytes); if (endAfter) s.end(); });
  const t = setTimeout(() => { s.destroy(); ok('open'); }, waitMs);
  s.on('close', () => { clearTimeout(t); ok('closed'); });
});
const h2post = h2frame(1, 4, 1, h2literal([[':method', 'POST'], [':scheme', 'https'], [':authority', 'ok.localhost'], [':path', '/']]));
const h2flood = (type) => Buffer.concat(Array.from({ length: 5000 }, (_, i) => h2frame(type, 0, 0, type === 6 ? Buffer.alloc(8, i % 256) : Buffer.alloc(0))));
let session;
const h2cancel = () => new Promise((ok) => {
  if (session === undefined || session.destroyed || session.closed) { session = h2connect(`https://endless.localhost:${httpsPort}`, { ca, host: '127.0.0.1', port: httpsPort, servername: 'endless.localhost' }); session.on('error', () => undefined); }
  const st = session.request({ ':path': '/', ':authority': 'endless.localhost' });
  st.on('error', () => undefined);
  st.once('data', () => { st.close(8); ok('cancelled'); });
  st.once('close', () => ok('closed'));
});

const FAULTS = [
  ['normal', () => get('ok.localhost')],
  ['normal POST', () => get('ok.localhost', { method: 'POST', body: 'x'.repeat(10_000) })],
  ['refused', () => get('refused.localhost')],
  ['reset mid-response', () => get('reset.localhost')],
  ['hang (504)', () => get('hang.localhost')],
  ['early close + retry', () => get('early.localhost')],
  ['malformed (502)', () => get('malformed.localhost')],
  ['client cancels h2 download', h2cancel],
  ['oversized header', () => raw('ok.localhost', `GET / HTTP/1.1\r\nHost: ok.localhost\r\nX: ${'a'.repeat(20000)}\r\n\r\n`)],
  ['smuggling CL+TE', () => raw('ok.localhost', 'POST / HTTP/1.1\r\nHost: ok.localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')],
  ['Host ≠ SNI (421)', () => get('ok.localhost', { headers: { host: 'reset.localhost' } })],
  ['unknown host (404)', () => get('ok.localhost', { headers: { host: 'evil.example' } })],
  ['plain HTTP on HTTPS port', () => raw(null, 'GET / HTTP/1.1\r\nHost: ok.localhost\r\n\r\n')],
  ['garbage bytes', () => raw(null, Buffer.alloc(3000, 7))],
  ['slowloris (1 byte, then silence)', () => raw('ok.localhost', 'G', 300)],
  ['TE xchunked (400)', () => raw('ok.localhost', 'POST / HTTP/1.1\r\nHost: ok.localhost\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n')],
  ['TE gzip, chunked (501)', () => raw('ok.localhost', 'POST / HTTP/1.1\r\nHost: ok.localhost\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n')],
  ['HTTP/2.0 request line (505)', () => raw('ok.localhost', 'GET / HTTP/2.0\r\nHost: ok.localhost\r\n\r\n')],
  // Oversized DATA on an open POST: GOAWAY FRAME_SIZE_ERROR; the client then closes its side.
  ['h2 oversized DATA, then FIN', () => rawH2(Buffer.concat([H2_PREFACE, h2post, h2frame(0, 0, 1, Buffer.alloc(20000))]), { endAfter: true })],
  ['h2 PING flood (5,000, unread)', () => rawH2(Buffer.concat([H2_PREFACE, h2flood(6)]))],
  ['h2 SETTINGS flood (5,000, unread)', () => rawH2(Buffer.concat([H2_PREFACE, h2flood(4)]))],
  ['h2 bad preface', () => rawH2(Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n'))],
];

await Promise.all(FAULTS.map(([, run]) => run())); // warm-up
await sleep(500);
const start = stats();
console.log(`devtls PID ${child.pid} on :${httpsPort}; soak for ${seconds} s; start: RSS ${start.rssMiB.toFixed(1)} MiB, ${start.fds} fds`);
const deadline = Date.now() + seconds * 1000;
let peak = start;
const samples = [];
const sampler = setInterval(() => {
  if (exited !== null) return;
  const s = stats();
  if (s.rssMiB > peak.rssMiB) peak = { ...s };
  samples.push(s);
  if (samples.length % 10 === 0) console.log(`  ${samples.length} s: RSS ${s.rssMiB.toFixed(1)} MiB, ${s.fds} fds`);
}, 1000);
await Promise.all(Array.from({ length: 16 }, async (_, worker) => {
  for (let i = worker; Date.now() < deadline && exited === null; i++) {
    const [name, run] = FAULTS[i % FAULTS.length];
    await run();
    count(name);
  }
}));
clearInterval(sampler);
agent.destroy();
session?.destroy();
await sleep(16_000); // let timeouts (keep-alive 60 s aside) and pools settle; an HTTP/2 session nghttp2 ended goes at its unanswered PING (10 s + 5 s)
const crashed = exited !== null;
const end = crashed ? null : stats();
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`operations: ${total} (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')})`);
console.log(!crashed ? `end (16 s after the load): RSS ${end.rssMiB.toFixed(1)} MiB, ${end.fds} fds; peak RSS ${peak.rssMiB.toFixed(1)} MiB; crashes: 0` : `devtls EXITED: ${JSON.stringify(exited)}\n${output.slice(-2000)}`);
stop();
await sleep(300);
rmSync(dir, { recursive: true, force: true });
process.exit(crashed ? 1 : 0);
