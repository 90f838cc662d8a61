import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { constants } from 'node:http2';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBackend, type EchoReply, type TestBackend } from '../helpers/backends.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { eventually } from '../helpers/eventually.js';
import { http2Request, http2Session } from '../helpers/http2-client.js';
import { httpsRequest } from '../helpers/https-client.js';

const run = promisify(execFile);
let echo: TestBackend;
let big: TestBackend;
let slow: TestBackend;
let devtls: TestDevtls;
let caFile: string;
/** Bytes the big backend managed to hand to its socket, and whether it is blocked. */
const bigProgress = { written: 0, blocked: false };
const slowClosed: Promise<unknown>[] = [];

test.before(async () => {
  echo = await startBackend('echo');
  big = await startBackend('big', (_req, res) => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    const total = 50 * 1024 * 1024;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
    const pump = (): void => {
      while (bigProgress.written < total) {
        bigProgress.written += chunk.length;
        if (!res.write(chunk)) {
          bigProgress.blocked = true;
          res.once('drain', () => {
            bigProgress.blocked = false;
            pump();
          });
          return;
        }
      }
      res.end();
    };
    pump();
  });
  slow = await startBackend('slow', (req, res) => {
    slowClosed.push(once(req.socket, 'close'));
    res.writeHead(200);
    res.write('started');
  });
  devtls = await startTestDevtls({
    routes: [
      { host: 'app.localhost', target: echo.port },
      { host: 'big.localhost', target: big.port },
      { host: 'slow.localhost', target: slow.port },
    ],
  });
  caFile = join(devtls.dir, 'ca.pem');
  await writeFile(caFile, devtls.ca.certPem);
});

test.after.always(async () => {
  await devtls?.stop();
  await Promise.all([echo, big, slow].map((backend) => backend?.close()));
});

test('curl --http2 negotiates HTTP/2 and gets the backend body; --http1.1 still works', async (t) => {
  const args = (version: string) => ['-sS', version, '--cacert', caFile, '--resolve', `app.localhost:${devtls.httpsPort}:127.0.0.1`, '-w', '\n%{http_version}', `https://app.localhost:${devtls.httpsPort}/h2?x=1`];
  const h2 = (await run('curl', args('--http2'))).stdout.split('\n');
  t.is(h2[1], '2');
  t.like(JSON.parse(h2[0] as string), { server: 'echo', url: '/h2?x=1' });
  const h1 = (await run('curl', args('--http1.1'))).stdout.split('\n');
  t.is(h1[1], '1.1');
  t.like(JSON.parse(h1[0] as string), { server: 'echo', url: '/h2?x=1' });
});

test('an HTTP/2 request reaches the HTTP/1.1 backend with Host, X-Forwarded-* and joined cookies', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  t.teardown(() => session.close());
  const res = await http2Request(session, { ':path': '/x', ':method': 'GET', 'x-forwarded-proto': 'forged' });
  t.is(res.status, 200);
  const reply = JSON.parse(res.body.toString()) as EchoReply;
  t.is(reply.headers['host'], `app.localhost:${devtls.httpsPort}`);
  t.is(reply.headers['x-forwarded-proto'], 'https');
  t.is(reply.headers['x-forwarded-host'], `app.localhost:${devtls.httpsPort}`);
  t.is(res.headers['x-backend'], 'echo');
  // Browsers send one cookie per field over HTTP/2; HTTP/1.1 allows one Cookie header.
  const stream = session.request({ ':method': 'GET', ':path': '/c', cookie: ['a=1', 'b=2'] });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(stream, 'end');
  t.is((JSON.parse(Buffer.concat(chunks).toString()) as EchoReply).headers['cookie'], 'a=1; b=2');
});

test('an HTTP/2 upload with no content-length streams intact to the backend', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  t.teardown(() => session.close());
  const chunks = Array.from({ length: 16 }, () => randomBytes(256 * 1024));
  const res = await http2Request(session, { ':path': '/upload', ':method': 'POST' }, chunks);
  const reply = JSON.parse(res.body.toString()) as EchoReply;
  t.is(reply.bodyBytes, 4 * 1024 * 1024);
  t.is(reply.bodySha256, createHash('sha256').update(Buffer.concat(chunks)).digest('hex'));
});

test('a slow HTTP/2 reader of a 50 MiB response holds the backend back: nothing piles up in devtls', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'big.localhost', devtls.ca.certPem);
  t.teardown(() => session.destroy());
  const stream = session.request({ ':path': '/big' });
  let received = 0;
  let stalled = false;
  stream.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (!stalled && received > 1024 * 1024) {
      stalled = true;
      stream.pause(); // the browser stops reading after 1 MiB
    }
  });
  t.true(await eventually(() => received > 1024 * 1024 && bigProgress.blocked, 10_000), `received ${received}, backend blocked: ${bigProgress.blocked}`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const held = bigProgress.written - received;
  t.true(bigProgress.blocked, 'the backend is still waiting for the reader');
  t.true(held < 16 * 1024 * 1024, `${(held / 1048576).toFixed(1)} MiB between backend and reader (of 50 MiB)`);
  stream.resume();
  await once(stream, 'end');
  t.is(received, 50 * 1024 * 1024);
});

test('a browser cancelling an HTTP/2 stream (RST_STREAM) aborts the upstream request', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'slow.localhost', devtls.ca.certPem);
  t.teardown(() => session.destroy());
  const before = slowClosed.length;
  const stream = session.request({ ':path': '/slow' });
  stream.on('error', () => undefined);
  await once(stream, 'data');
  t.is(slowClosed.length, before + 1);
  stream.close(constants.NGHTTP2_CANCEL);
  await slowClosed[before];
  t.pass('the backend saw its request end');
});

test('"http2": false offers only HTTP/1.1', async (t) => {
  const h1only = await startTestDevtls({ routes: [{ host: 'app.localhost', target: echo.port }], http2: false });
  t.teardown(() => h1only.stop());
  const file = join(h1only.dir, 'ca.pem');
  await writeFile(file, h1only.ca.certPem);
  const { stdout } = await run('curl', ['-sS', '--http2', '--cacert', file, '--resolve', `app.localhost:${h1only.httpsPort}:127.0.0.1`, '-o', '/dev/null', '-w', '%{http_version}', `https://app.localhost:${h1only.httpsPort}/`]);
  t.is(stdout, '1.1');
});

test('shutdown sends GOAWAY and lets the open stream finish', async (t) => {
  let release: () => void = () => undefined;
  const held = await startBackend('held', (_req, res) => {
    res.writeHead(200);
    res.write('a');
    release = () => res.end('b');
  });
  t.teardown(() => held.close());
  const own = await startTestDevtls({ routes: [{ host: 'app.localhost', target: held.port }] });
  const session = await http2Session(own.httpsPort, 'app.localhost', own.ca.certPem);
  const response = http2Request(session, { ':path': '/' });
  await eventually(() => held.requests.length === 1);
  const goaway = once(session, 'goaway');
  const closing = own.stop();
  await goaway;
  release();
  const res = await response;
  t.is(res.body.toString(), 'ab');
  await closing;
  session.destroy();
});

test('response trailers reach the browser over HTTP/2 and chunked HTTP/1.1', async (t) => {
  const trailing = await startBackend('trailing', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
    res.write('body');
    res.addTrailers({ 'x-checksum': 'abc123' });
    res.end();
  });
  t.teardown(() => trailing.close());
  const own = await startTestDevtls({ routes: [{ host: 'app.localhost', target: trailing.port }] });
  t.teardown(() => own.stop());
  const session = await http2Session(own.httpsPort, 'app.localhost', own.ca.certPem);
  t.teardown(() => session.close());
  const stream = session.request({ ':path': '/' });
  const [trailers] = (await once(stream, 'trailers')) as [Record<string, string>];
  t.is(trailers['x-checksum'], 'abc123');
  stream.resume();
  const file = join(own.dir, 'ca.pem');
  await writeFile(file, own.ca.certPem);
  const { stdout } = await run('curl', ['-sS', '--http1.1', '--raw', '--cacert', file, '--resolve', `app.localhost:${own.httpsPort}:127.0.0.1`, `https://app.localhost:${own.httpsPort}/`]);
  t.regex(stdout, /x-checksum: abc123/i);
});
