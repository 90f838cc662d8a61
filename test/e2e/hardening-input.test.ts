// Bad and hostile input: slowloris and idle connections, oversized headers, request
// smuggling, Host/SNI mismatch (DNS rebinding), open-proxy attempts, odd TLS handshakes.
// Raw sockets over TLS, so nothing a client library would fix up gets fixed up.
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { constants as h2 } from 'node:http2';
import { deadPort, startBackend, type TestBackend } from '../helpers/backends.js';
import { eventually } from '../helpers/eventually.js';
import { httpsRequest } from '../helpers/https-client.js';
import { http2Request, http2Session } from '../helpers/http2-client.js';
import { rawTcpExchange, rawTlsExchange, startLimitedProxy, tlsSocket, type LimitedProxy } from '../helpers/hardening.js';

let backend: TestBackend;
let devtls: LimitedProxy;
const LIMITS = { handshakeMs: 600, headersMs: 600, requestMs: 5_000, keepAliveMs: 600, checkIntervalMs: 100, http2IdleMs: 600 };

test.before(async () => {
  backend = await startBackend('app');
  devtls = await startLimitedProxy(
    {
      routes: [
        { host: 'app.localhost', target: backend.port },
        { host: 'other.localhost', target: backend.port },
        { host: '*.preview.localhost', target: backend.port },
        { host: 'gone.localhost', target: await deadPort() },
      ],
      // A refused dev server is waited for up to the connect timeout (it may be starting): keep that short here.
      timeouts: { connect: 300 },
    },
    LIMITS,
  );
});

test.after.always(async () => {
  await devtls?.stop();
  await backend?.close();
});

const seen = (): number => backend.requests.length;
const head = (host: string, extra = ''): string => `GET / HTTP/1.1\r\nHost: ${host}:${devtls.httpsPort}\r\n${extra}\r\n`;

test.serial('slowloris (headers trickled) and silent connections are closed; a normal client meanwhile gets 200', async (t) => {
  const trickler = await tlsSocket(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  let closed = false;
  trickler.on('close', () => (closed = true));
  trickler.on('error', () => undefined);
  const text = `GET / HTTP/1.1\r\nHost: app.localhost\r\nX-Slow: ${'a'.repeat(200)}`;
  let i = 0;
  const timer = setInterval(() => {
    if (!closed) trickler.write(text[i++ % text.length] as string);
  }, 50);
  const silent = await tlsSocket(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  let silentClosed = false;
  silent.on('close', () => (silentClosed = true));
  silent.on('error', () => undefined);
  // Meanwhile, normal traffic.
  const res = await httpsRequest({ port: devtls.httpsPort, host: 'app.localhost', ca: devtls.ca.certPem });
  t.is(res.status, 200);
  t.true(await eventually(() => closed && silentClosed, 5_000), `trickling socket closed: ${closed}, silent socket closed: ${silentClosed}`);
  clearInterval(timer);
  t.true(i > 5, 'the trickler was still sending when it was cut');
  t.is((await httpsRequest({ port: devtls.httpsPort, host: 'app.localhost', ca: devtls.ca.certPem })).status, 200);
});

test.serial('an idle keep-alive connection, a TCP connection that never starts TLS, and an idle HTTP/2 session are closed', async (t) => {
  const keepAlive = await tlsSocket(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  keepAlive.on('error', () => undefined);
  const answered = new Promise<string>((resolve) => keepAlive.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
  keepAlive.write(head('app.localhost'));
  t.regex(await answered, /^HTTP\/1\.1 200/);
  const tcp = await rawTcpExchange(devtls.httpsPort, '', 5_000);
  t.true(tcp.closed, 'a connection that sends nothing is closed before TLS');
  t.true(await eventually(() => keepAlive.destroyed || keepAlive.readableEnded, 5_000), 'idle keep-alive connection closed');
  const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  t.is((await http2Request(session, { ':path': '/', ':authority': 'app.localhost' })).status, 200);
  t.true(await eventually(() => session.closed || session.destroyed, 5_000), 'idle HTTP/2 session got GOAWAY and closed');
});

test.serial('oversized request headers get 431 over HTTP/1.1 and never reach the dev server', async (t) => {
  const before = seen();
  const { text } = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, head('app.localhost', `X-Big: ${'a'.repeat(20_000)}\r\n`));
  t.regex(text, /^HTTP\/1\.1 431 /);
  t.is(seen(), before);
  // Just under the limit still works.
  const ok = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, head('app.localhost', `X-Big: ${'a'.repeat(15_000)}\r\nConnection: close\r\n`));
  t.regex(ok.text, /^HTTP\/1\.1 200 /);
});

const SMUGGLING: Record<string, string> = {
  'Content-Length with Transfer-Encoding': 'POST / HTTP/1.1\r\nHost: H\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: H\r\n\r\n',
  'duplicate Content-Length (different)': 'POST / HTTP/1.1\r\nHost: H\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd',
  'duplicate Content-Length (same)': 'POST / HTTP/1.1\r\nHost: H\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd',
  'obs-fold header continuation': 'GET / HTTP/1.1\r\nHost: H\r\nX-Folded: a\r\n b\r\n\r\n',
  'Transfer-Encoding not ending in chunked': 'POST / HTTP/1.1\r\nHost: H\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  'space before the colon': 'POST / HTTP/1.1\r\nHost: H\r\nContent-Length : 4\r\n\r\nabcd',
};

for (const [name, raw] of Object.entries(SMUGGLING)) {
  test.serial(`request smuggling (${name}): 400 and never forwarded`, async (t) => {
    const before = seen();
    const { text } = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, raw.replaceAll('Host: H', `Host: app.localhost:${devtls.httpsPort}`));
    t.regex(text, /^HTTP\/1\.1 400 /, text.slice(0, 200));
    t.false(text.includes('"server":"app"'), 'no backend answer');
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.is(seen(), before, 'the dev server saw nothing');
  });
}

const STRICT: [string, string, number][] = [
  ['Transfer-Encoding: xchunked', 'POST / HTTP/1.1\r\nHost: H\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n', 400],
  ['Transfer-Encoding: gzip, chunked', 'POST / HTTP/1.1\r\nHost: H\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 501],
  ['Transfer-Encoding: identity, chunked', 'POST / HTTP/1.1\r\nHost: H\r\nTransfer-Encoding: identity, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n', 501],
  ['HTTP/2.0 in an HTTP/1.1 request line', 'GET / HTTP/2.0\r\nHost: H\r\n\r\n', 505],
];

for (const [name, raw, status] of STRICT) {
  test.serial(`strict HTTP/1.1 (${name}): ${status} and never forwarded`, async (t) => {
    const before = seen();
    const { text } = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, raw.replaceAll('Host: H', `Host: app.localhost:${devtls.httpsPort}`));
    t.regex(text, new RegExp(`^HTTP/1\\.1 ${status} `), text.slice(0, 200));
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.is(seen(), before, 'the dev server saw nothing');
  });
}

test.serial('Transfer-Encoding: chunked alone is forwarded', async (t) => {
  const before = seen();
  const { text } = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, `POST / HTTP/1.1\r\nHost: app.localhost:${devtls.httpsPort}\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
  t.regex(text, /^HTTP\/1\.1 200 /);
  t.is(seen(), before + 1);
});

test.serial('unknown Host: 404, never forwarded; Host not covered by the SNI certificate: 421, never forwarded', async (t) => {
  const before = seen();
  const unknown = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, head('evil.example', 'Connection: close\r\n'));
  t.regex(unknown.text, /^HTTP\/1\.1 404 /);
  const rebinding = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, head('other.localhost', 'Connection: close\r\n'));
  t.regex(rebinding.text, /^HTTP\/1\.1 421 /);
  t.regex(rebinding.text, /DNS-rebinding/);
  // A wildcard certificate legitimately covers its siblings (HTTP/2 coalescing): allowed.
  const sibling = await rawTlsExchange(devtls.httpsPort, 'a.preview.localhost', devtls.ca.certPem, head('b.preview.localhost', 'Connection: close\r\n'));
  t.regex(sibling.text, /^HTTP\/1\.1 200 /);
  t.is(seen(), before + 1, 'only the covered sibling was forwarded');
  // Over HTTP/2 too, and on the WebSocket path.
  const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  t.is((await http2Request(session, { ':path': '/', ':authority': 'other.localhost' })).status, 421);
  t.is((await http2Request(session, { ':path': '/', ':authority': 'app.localhost' })).status, 200);
  session.close();
  const ws = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, head('other.localhost', 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'));
  t.regex(ws.text, /^HTTP\/1\.1 421 /);
  // A connection for an unrouted name (its certificate held in memory) cannot carry a routed Host either.
  const unrouted = await rawTlsExchange(devtls.httpsPort, 'typo.localhost', devtls.ca.certPem, head('app.localhost', 'Connection: close\r\n'));
  t.regex(unrouted.text, /^HTTP\/1\.1 421 /);
  t.is(seen(), before + 2);
});

test.serial('absolute-form targets and CONNECT are refused: devtls is not an open proxy', async (t) => {
  const before = seen();
  const absolute = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, `GET http://example.com/ HTTP/1.1\r\nHost: app.localhost\r\nConnection: close\r\n\r\n`);
  t.regex(absolute.text, /^HTTP\/1\.1 400 /);
  const connect = await rawTlsExchange(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`);
  t.regex(connect.text, /^HTTP\/1\.1 (405|400) /);
  const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  const stream = session.request({ ':method': 'CONNECT', ':authority': 'example.com:443' }, { endStream: false });
  const outcome = await new Promise<string>((resolve) => {
    stream.on('response', (headers) => resolve(`status ${String(headers[':status'])}`));
    stream.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? ''}`));
    stream.on('close', () => resolve(`closed ${stream.rstCode}`));
  });
  t.notRegex(outcome, /^status 2/, outcome);
  session.destroy();
  t.is(seen(), before, 'nothing forwarded');
});

test.serial('odd TLS handshakes: no SNI, unknown SNI, garbage bytes, plain HTTP; no certificate on disk for unknown names', async (t) => {
  const noSni = await tlsSocket(devtls.httpsPort, '', devtls.ca.certPem).catch((error: Error) => error);
  t.false(noSni instanceof Error, 'no SNI: the default certificate is served');
  if (!(noSni instanceof Error)) noSni.destroy();
  // An unrouted name the CA may sign gets a certificate held in memory (for the 404 page);
  // a name outside the CA gets the default certificate, which does not cover it.
  const unrouted = await tlsSocket(devtls.httpsPort, 'nobody.localhost', devtls.ca.certPem).catch((error: NodeJS.ErrnoException) => error);
  t.false(unrouted instanceof Error, String(unrouted));
  if (!(unrouted instanceof Error)) unrouted.destroy();
  const foreign = await tlsSocket(devtls.httpsPort, 'nobody.example.com', devtls.ca.certPem).catch((error: NodeJS.ErrnoException) => error.code);
  t.is(foreign, 'ERR_TLS_CERT_ALTNAME_INVALID');
  for (const garbage of [Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3]), Buffer.alloc(5000, 0x16), Buffer.from('\x00\x01\x02garbage\r\n\r\n'), Buffer.alloc(70_000, 0x41)]) {
    const { closed } = await rawTcpExchange(devtls.httpsPort, garbage, 5_000);
    t.true(closed, 'garbage: the connection is closed');
  }
  const plain = await rawTcpExchange(devtls.httpsPort, `GET /page?q=1 HTTP/1.1\r\nHost: app.localhost:${devtls.httpsPort}\r\n\r\n`, 5_000);
  t.regex(plain.text, /^HTTP\/1\.1 400 Bad Request/);
  t.true(plain.text.includes(`Use https://app.localhost:${devtls.httpsPort}/page?q=1`), plain.text);
  t.true(plain.closed);
  const files = await readdir(devtls.certsDir);
  t.false(files.some((name) => name.includes('nobody') || name.includes('example')), files.join(', '));
  t.is((await httpsRequest({ port: devtls.httpsPort, host: 'app.localhost', ca: devtls.ca.certPem })).status, 200, 'still serving');
});

test.serial('no private key appears in any log line', async (t) => {
  const keys = (await readdir(devtls.certsDir)).filter((name) => name.endsWith('-key.pem'));
  t.true(keys.length > 0);
  const log = devtls.logger.lines.join('\n');
  t.false(log.includes('PRIVATE KEY'));
  t.false(/MI[GH][A-Za-z0-9+/]{40}/.test(log), 'no base64 key body');
});

test.serial('HTTP/2 stream reset by the client on a refused route: the session survives', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'gone.localhost', devtls.ca.certPem);
  const res = await http2Request(session, { ':path': '/', ':authority': 'gone.localhost' });
  t.is(res.status, 502);
  const stream = session.request({ ':path': '/', ':authority': 'gone.localhost' });
  stream.on('error', () => undefined);
  stream.close(h2.NGHTTP2_CANCEL);
  t.is((await http2Request(session, { ':path': '/', ':authority': 'gone.localhost' })).status, 502);
  session.close();
});
