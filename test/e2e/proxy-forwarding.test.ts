import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { Readable } from 'node:stream';
import WebSocket from 'ws';
import { bodySeen, deadPort, startBackend, type BodySeen, type EchoReply, type TestBackend } from '../helpers/backends.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { httpsRequest } from '../helpers/https-client.js';
import { eventually, within } from '../helpers/eventually.js';

let echo: TestBackend;
let keepAlive: TestBackend;
let slow: TestBackend;
let streaming: TestBackend;
let devtls: TestDevtls;
let downPort: number;
let refusing: NetServer;
let ipv6Only: import('node:http').Server;
let servesHttps: import('node:https').Server;
let dropping: NetServer;
let removeCaFolder: () => Promise<void> = async () => undefined;
let releaseStream: () => void = () => undefined;
const slowRequestClosed: Promise<void>[] = [];

test.before(async () => {
  echo = await startBackend('echo');
  keepAlive = await startBackend('keep-alive');
  // Never answers: for the response timeout and for the client-abort check.
  slow = await startBackend('slow', (req) => {
    slowRequestClosed.push(once(req.socket, 'close').then(() => undefined));
  });
  // Sends one chunk, then waits for the test to release the rest: proves nothing is buffered.
  streaming = await startBackend('streaming', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first chunk\n');
    releaseStream = () => res.end('last chunk\n');
  });
  downPort = await deadPort();
  // A dev server on ::1 only, as Vite is when Node resolves localhost to ::1 first.
  // Its port must be free on 127.0.0.1, where devtls tries first: the kernel may hand the
  // same number to servers on different addresses (once, it was the keep-alive backend's).
  for (;;) {
    ipv6Only = createHttpServer((_req, res) => res.end('from ::1'));
    await new Promise<void>((resolve) => ipv6Only.listen(0, '::1', resolve));
    if (await freeOnIpv4((ipv6Only.address() as AddressInfo).port)) break;
    ipv6Only.close();
  }
  // Like Next.js for an origin it does not allow: raw text, not even an HTTP response.
  refusing = createNetServer((socket) => socket.once('data', () => socket.end('Unauthorized')));
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  // A dev server still set to serve HTTPS itself, and one that drops every connection unanswered.
  const caFolder = await makeTempDir('devtls-https-dev-');
  removeCaFolder = caFolder.remove;
  const leaf = await (await CertificateAuthority.open({ dir: caFolder.dir })).ca.issueLeafCertificate(['localhost']);
  servesHttps = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('over https'));
  await new Promise<void>((resolve) => servesHttps.listen(0, '127.0.0.1', resolve));
  dropping = createNetServer((socket) => socket.once('data', () => socket.destroy()));
  await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
  devtls = await startTestDevtls({
    routes: [
      { host: 'echo.localhost', target: echo.port },
      { host: 'keep-alive.localhost', target: keepAlive.port },
      { host: 'slow.localhost', target: slow.port },
      { host: 'stream.localhost', target: streaming.port },
      { host: 'down.localhost', target: downPort },
      { host: 'refuse.localhost', target: (refusing.address() as AddressInfo).port },
      { host: 'six.localhost', target: (ipv6Only.address() as AddressInfo).port },
      { host: 'https-dev.localhost', target: (servesHttps.address() as AddressInfo).port },
      { host: 'drop.localhost', target: (dropping.address() as AddressInfo).port },
    ],
    timeouts: { connect: 1_000, response: 400 },
  });
});

/** Whether nothing listens on 127.0.0.1:port (a listener there is tried and closed again). */
function freeOnIpv4(port: number): Promise<boolean> {
  const probe = createNetServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

test.after.always(async () => {
  await devtls?.stop();
  refusing?.close();
  ipv6Only?.close();
  servesHttps?.close();
  dropping?.close();
  await removeCaFolder();
  await Promise.all([echo, keepAlive, slow, streaming].map((backend) => backend?.close()));
});

test('a 10 MiB POST arrives intact, streamed in chunks', async (t) => {
  const payload = randomBytes(10 * 1024 * 1024);
  const chunks = Array.from({ length: 40 }, (_, i) => payload.subarray(i * 262_144, (i + 1) * 262_144));
  const res = await httpsRequest({
    port: devtls.httpsPort,
    host: 'echo.localhost',
    method: 'POST',
    path: '/upload',
    ca: devtls.ca.certPem,
    body: Readable.from(chunks),
    headers: { 'content-type': 'application/octet-stream' },
  });
  t.is(res.status, 200);
  const reply = JSON.parse(res.text) as EchoReply;
  t.is(reply.method, 'POST');
  t.is(reply.bodyBytes, payload.length);
  t.is(reply.bodySha256, createHash('sha256').update(payload).digest('hex'));
  t.is(reply.headers['transfer-encoding'], 'chunked', 'a body of unknown length is streamed, not buffered to learn its length');
});

test('a response streams through before the backend has finished it', async (t) => {
  const req = request({
    host: '127.0.0.1',
    port: devtls.httpsPort,
    servername: 'stream.localhost',
    headers: { host: 'stream.localhost' },
    ca: devtls.ca.certPem,
    agent: false,
  });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const [first] = (await once(res, 'data')) as [Buffer];
  t.is(first.toString(), 'first chunk\n');
  releaseStream();
  let rest = '';
  for await (const chunk of res) rest += String(chunk);
  t.is(rest, 'last chunk\n');
});

test('sequential requests reuse one upstream keep-alive connection', async (t) => {
  for (let i = 0; i < 8; i++) {
    const res = await httpsRequest({ port: devtls.httpsPort, host: 'keep-alive.localhost', path: `/n${i}`, ca: devtls.ca.certPem });
    t.is(res.status, 200);
  }
  t.is(keepAlive.requests.length, 8);
  t.is(keepAlive.connections.size, 1, `the backend saw ${keepAlive.connections.size} connections for 8 requests`);
});

test('a WebSocket upgrades and echoes through devtls', async (t) => {
  const ws = new WebSocket(`wss://127.0.0.1:${devtls.httpsPort}/socket?room=1`, {
    servername: 'echo.localhost',
    headers: { host: `echo.localhost:${devtls.httpsPort}` },
    ca: devtls.ca.certPem,
  } as WebSocket.ClientOptions);
  await once(ws, 'open');
  ws.send('hello');
  const [message] = (await once(ws, 'message')) as [Buffer];
  t.is(message.toString(), 'echo:/socket?room=1:hello');
  ws.close();
  await once(ws, 'close');
});

test('a WebSocket handshake reaches the dev server without hop-by-hop or forged headers', async (t) => {
  const socket = connect({ host: '127.0.0.1', port: devtls.httpsPort, servername: 'echo.localhost', ca: devtls.ca.certPem });
  await once(socket, 'secureConnect');
  socket.write(
    [
      'GET /raw-socket HTTP/1.1',
      `Host: echo.localhost:${devtls.httpsPort}`,
      'Connection: keep-alive, Upgrade, X-Hop-Secret',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'X-Hop-Secret: only-for-devtls',
      'Keep-Alive: timeout=5',
      'Proxy-Authorization: Basic c2VjcmV0OnNlY3JldA==',
      'X-Forwarded-Proto: http',
      'X-Forwarded-For: 203.0.113.9',
      'Forwarded: for=203.0.113.9',
      'X-Kept: yes',
      '',
      '',
    ].join('\r\n'),
  );
  const [head] = (await once(socket, 'data')) as [Buffer];
  t.regex(head.toString('latin1'), /^HTTP\/1\.1 101 /);
  socket.destroy();
  const upgrade = echo.upgrades.find((req) => req.url === '/raw-socket');
  if (upgrade === undefined) return t.fail('the dev server saw no upgrade request');
  const headers = upgrade.headers;
  t.is(headers['x-kept'], 'yes');
  t.is(headers['upgrade'], 'websocket');
  t.regex(String(headers['connection']), /^upgrade$/i);
  t.is(headers['x-hop-secret'], undefined, 'a header named in Connection is not relayed');
  t.is(headers['keep-alive'], undefined);
  t.is(headers['proxy-authorization'], undefined);
  t.is(headers['x-forwarded-proto'], 'https', 'the client cannot forge X-Forwarded-Proto');
  t.is(headers['x-forwarded-for'], '127.0.0.1');
  t.is(headers['forwarded'], undefined);
  const names = upgrade.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
  for (const name of ['host', 'upgrade', 'connection', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']) {
    t.is(names.filter((received) => received === name).length, 1, `${name} reaches the dev server exactly once`);
  }
});

test('an upgrade the dev server refuses reaches the browser as the dev server sent it, and is logged', async (t) => {
  const before = devtls.logger.lines.length;
  const socket = connect({ host: '127.0.0.1', port: devtls.httpsPort, servername: 'refuse.localhost', ca: devtls.ca.certPem });
  await once(socket, 'secureConnect');
  socket.write(`GET /_next/webpack-hmr HTTP/1.1\r\nHost: refuse.localhost:${devtls.httpsPort}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'end');
  t.is(Buffer.concat(chunks).toString('latin1'), 'Unauthorized');
  const logged = devtls.logger.lines.slice(before).join('\n');
  t.regex(logged, /refuse\.localhost: the dev server at http:\/\/127\.0\.0\.1:\d+ refused the WebSocket upgrade with an answer that is not HTTP/);
  socket.destroy();
});

test('a dead backend gives a 502 page that names the host, target and port', async (t) => {
  const res = await httpsRequest({ port: devtls.httpsPort, host: 'down.localhost', path: '/page', ca: devtls.ca.certPem });
  t.is(res.status, 502);
  t.regex(res.headers['content-type'] ?? '', /text\/html/);
  t.true(res.text.includes('down.localhost'));
  t.true(res.text.includes(`http://127.0.0.1:${downPort}`));
  t.true(res.text.includes(`Is your dev server running on :${downPort}?`));
  t.true(res.text.includes('refused the connection on 127.0.0.1 and ::1'), 'a bare port tries both loopback addresses, and says so');
  t.true(devtls.logger.lines.some((line) => line.includes('refused the connection')));
  const json = await httpsRequest({ port: devtls.httpsPort, host: 'down.localhost', ca: devtls.ca.certPem, headers: { accept: 'application/json' } });
  t.is(json.status, 502);
  t.like(JSON.parse(json.text), { status: 502, error: 'Bad Gateway' });
  // devtls keeps serving everything else.
  t.is((await httpsRequest({ port: devtls.httpsPort, host: 'echo.localhost', ca: devtls.ca.certPem })).status, 200);
});

test('a dev server that serves HTTPS itself: the 502 says so and how to turn it off; one that just drops the connection is not taken for it', async (t) => {
  const port = (servesHttps.address() as AddressInfo).port;
  const res = await httpsRequest({ port: devtls.httpsPort, host: 'https-dev.localhost', ca: devtls.ca.certPem });
  t.is(res.status, 502);
  t.true(res.text.includes('the target serves HTTPS itself, so it dropped the plain HTTP request devtls sent'), res.text);
  t.true(res.text.includes(`turn off the dev server&#39;s own HTTPS on :${port}`), res.text);
  t.true(devtls.logger.lines.some((line) => line.includes(`502 https-dev.localhost → http://127.0.0.1:${port}: serves HTTPS itself`)), devtls.logger.lines.join('\n'));

  const dropped = await httpsRequest({ port: devtls.httpsPort, host: 'drop.localhost', ca: devtls.ca.certPem });
  t.is(dropped.status, 502);
  t.true(dropped.text.includes('closed the connection before answering'), dropped.text);
  t.false(dropped.text.includes('HTTPS itself'));
});

test('a bare-port target reaches a dev server listening on ::1 only', async (t) => {
  for (let i = 0; i < 3; i++) {
    const res = await httpsRequest({ port: devtls.httpsPort, host: 'six.localhost', ca: devtls.ca.certPem });
    t.is(res.status, 200);
    t.is(res.text, 'from ::1');
  }
});

test('a backend that never answers gives a 504 after the response timeout', async (t) => {
  const res = await httpsRequest({ port: devtls.httpsPort, host: 'slow.localhost', ca: devtls.ca.certPem });
  t.is(res.status, 504);
  t.true(res.text.includes('did not answer in time'));
});

test('a WebSocket to a dead backend gets an HTTP error, not a hang', async (t) => {
  const ws = new WebSocket(`wss://127.0.0.1:${devtls.httpsPort}/`, {
    servername: 'down.localhost',
    headers: { host: `down.localhost:${devtls.httpsPort}` },
    ca: devtls.ca.certPem,
  } as WebSocket.ClientOptions);
  ws.on('error', () => undefined);
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
  t.is(res.statusCode, 502);
  ws.terminate();
});

test('when the browser gives up, the upstream request is aborted too', async (t) => {
  // Its own instance with the default (two-minute) response timeout, so only the abort can close the upstream.
  const patient = await startTestDevtls({ routes: [{ host: 'slow.localhost', target: slow.port }] });
  t.teardown(() => patient.stop());
  const countBefore = slowRequestClosed.length;
  const req = request({
    host: '127.0.0.1',
    port: patient.httpsPort,
    servername: 'slow.localhost',
    headers: { host: 'slow.localhost' },
    ca: patient.ca.certPem,
    agent: false,
  });
  req.on('error', () => undefined);
  req.end();
  t.true(await eventually(() => slowRequestClosed.length > countBefore, 10_000), 'the request reached the backend');
  req.destroy();
  await within(slowRequestClosed[slowRequestClosed.length - 1] as Promise<unknown>, 'the backend seeing its connection closed');
  t.pass('the backend saw its connection closed');
});

test('an HTTP/1.1 upload the browser abandons half-way never reaches the dev server as a whole body', async (t) => {
  const seen: Promise<BodySeen>[] = [];
  const sink = createHttpServer((req, res) => {
    seen.push(bodySeen(req));
    req.once('end', () => res.end('ok'));
  });
  sink.listen(0, '127.0.0.1');
  await once(sink, 'listening');
  t.teardown(() => new Promise<void>((resolve) => sink.close(() => resolve())));
  const proxy = await startTestDevtls({ routes: [{ host: 'sink.localhost', target: (sink.address() as AddressInfo).port }] });
  t.teardown(() => proxy.stop());
  for (const framing of [{ 'content-length': String(1024 * 1024) }, { 'transfer-encoding': 'chunked' }]) {
    const before = seen.length;
    const req = request({ host: '127.0.0.1', port: proxy.httpsPort, servername: 'sink.localhost', method: 'POST', headers: { host: 'sink.localhost', ...framing }, ca: proxy.ca.certPem, agent: false });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(64 * 1024, 1));
    t.true(await eventually(() => seen.length > before, 10_000), 'the upload reached the dev server');
    req.destroy();
    const cut = await within(seen[before] as Promise<BodySeen>, 'the dev server seeing the upload end');
    t.false(cut.complete, `${JSON.stringify(framing)}: the dev server saw ${cut.bytes} bytes as a whole body`);
  }
});
