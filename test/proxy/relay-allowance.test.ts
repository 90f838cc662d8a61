// The room a response may take beyond its own buffer before devtls pauses the dev server's
// answer: the bookkeeping alone, then real sockets (a Forwarder between a node:http front and
// a dev server sending a large body) with browsers that read, and browsers that do not.
import test from 'ava';
import { createHash } from 'node:crypto';
import { constants as h2, type ClientHttp2Stream } from 'node:http2';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Forwarder } from '../../dist/proxy/forwarder.js';
import { RELAY_ALLOWANCE_PER_RESPONSE, RelayAllowance } from '../../dist/proxy/relay-allowance.js';
import { UpstreamPools } from '../../dist/proxy/upstream-pools.js';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { startTestDevtls } from '../helpers/devtls-instance.js';
import { eventually } from '../helpers/eventually.js';
import { http2Request, http2Session } from '../helpers/http2-client.js';
import { route } from '../helpers/routes.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const BODY_MIB = 48;
/** The body the dev server sends: BODY_MIB MiB of a repeating pattern, in 64 KiB writes that respect backpressure. */
const PIECE = Buffer.from(Array.from({ length: 64 * KiB }, (_, i) => i % 251));
const BODY_SHA = (() => {
  const hash = createHash('sha256');
  for (let i = 0; i < BODY_MIB * 16; i++) hash.update(PIECE);
  return hash.digest('hex');
})();

test('a response borrows up to its share, all responses up to the total, and gives it back', (t) => {
  const allowance = new RelayAllowance(300 * KiB, 128 * KiB);
  t.true(allowance.lend(64 * KiB, 64 * KiB));
  t.true(allowance.lend(128 * KiB, 64 * KiB), 'queued up to the share: still lent');
  t.false(allowance.lend(128 * KiB + 1, 64 * KiB), 'queued beyond the share: the response pauses instead');
  t.true(allowance.lend(0, 128 * KiB));
  t.false(allowance.lend(0, 64 * KiB), 'beyond the total for all responses');
  t.is(allowance.lentBytes, 256 * KiB);
  allowance.giveBack(256 * KiB);
  t.is(allowance.lentBytes, 0);
  t.true(allowance.lend(0, 64 * KiB));
});

async function bigBackend(): Promise<TestBackend> {
  return startBackend('big', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BODY_MIB * MiB) });
    let sent = 0;
    const more = (): void => {
      while (sent < BODY_MIB * 16) {
        sent++;
        const last = sent === BODY_MIB * 16;
        if (last) res.end(PIECE);
        else if (!res.write(PIECE)) return void res.once('drain', more);
      }
    };
    more();
  });
}

/** A node:http front whose every request the Forwarder sends to `backend`. */
async function front(forwarder: Forwarder, backend: TestBackend): Promise<{ server: Server; port: number }> {
  const target = route({ host: 'big.localhost', target: backend.port });
  const server = createServer((req, res) => forwarder.forward(req, res, target));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function request(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path: '/', headers: { host: 'big.localhost' } }, resolve).on('error', reject));
}

function wholeBody(res: IncomingMessage): Promise<{ bytes: number; sha: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  res.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  return new Promise((resolve, reject) => {
    res.once('end', () => resolve({ bytes, sha: hash.digest('hex') }));
    res.once('error', reject);
  });
}

test('HTTP/1.1: a browser that stops reading holds at most its share; what it held comes back when it goes; one that reads gets every byte', async (t) => {
  const backend = await bigBackend();
  t.teardown(() => backend.close());
  const pools = new UpstreamPools();
  t.teardown(() => pools.close());
  const allowance = new RelayAllowance(32 * MiB, RELAY_ALLOWANCE_PER_RESPONSE);
  const forwarder = new Forwarder(pools, () => undefined, { allowance });
  const { server, port } = await front(forwarder, backend);
  t.teardown(() => server.close());

  const stalled = await request(port);
  stalled.pause(); // reads nothing more: the kernel's buffers fill, then the response's, then the allowance's share
  t.true(await eventually(() => allowance.lentBytes > 0, 10_000), 'the response borrowed once its own buffer was full');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const held = allowance.lentBytes;
  t.true(held <= RELAY_ALLOWANCE_PER_RESPONSE + 256 * KiB, `held ${held} bytes, its share is ${RELAY_ALLOWANCE_PER_RESPONSE} (+ the chunk that crossed it)`);
  stalled.destroy();
  t.true(await eventually(() => allowance.lentBytes === 0, 5_000), `given back when the browser went: ${allowance.lentBytes} still lent`);

  const body = await wholeBody(await request(port));
  t.deepEqual(body, { bytes: BODY_MIB * MiB, sha: BODY_SHA });
  t.true(await eventually(() => allowance.lentBytes === 0, 5_000), `given back once drained: ${allowance.lentBytes} still lent`);
});

test('HTTP/1.1: browsers that stop reading together hold at most the total, then each pauses its dev server as before', async (t) => {
  const backend = await bigBackend();
  t.teardown(() => backend.close());
  const pools = new UpstreamPools();
  t.teardown(() => pools.close());
  const total = 300 * KiB;
  const allowance = new RelayAllowance(total, RELAY_ALLOWANCE_PER_RESPONSE);
  const forwarder = new Forwarder(pools, () => undefined, { allowance });
  const { server, port } = await front(forwarder, backend);
  t.teardown(() => server.close());

  const stalled = await Promise.all(Array.from({ length: 4 }, () => request(port)));
  for (const res of stalled) res.pause();
  t.true(await eventually(() => allowance.lentBytes > 0, 10_000));
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.true(allowance.lentBytes <= total, `${allowance.lentBytes} lent, the total is ${total}`);
  for (const res of stalled) res.destroy();
  t.true(await eventually(() => allowance.lentBytes === 0, 5_000), `${allowance.lentBytes} still lent`);
});

test('HTTP/2 through devtls: a download cancelled while it borrowed gives its share back, and the next one arrives whole', async (t) => {
  const backend = await bigBackend();
  t.teardown(() => backend.close());
  const devtls = await startTestDevtls({ routes: [{ host: 'big.localhost', target: backend.port }] });
  t.teardown(() => devtls.stop());
  // The instance's own allowance (no public handle: the proxy's forwarder holds it).
  const allowance = (devtls.proxy as unknown as { forwarder: Forwarder }).forwarder.allowance;
  const session = await http2Session(devtls.httpsPort, 'big.localhost', devtls.ca.certPem);
  t.teardown(() => session.close());
  const headers = { ':path': '/', ':authority': `big.localhost:${devtls.httpsPort}` };

  // The client's 64 KiB window, unread, stops what devtls may send: its stream's buffer fills.
  const stream: ClientHttp2Stream = session.request(headers);
  stream.on('error', () => undefined);
  stream.pause();
  t.true(await eventually(() => allowance.lentBytes > 0, 10_000), 'the HTTP/2 response borrowed once its buffer was full');
  t.true(allowance.lentBytes <= RELAY_ALLOWANCE_PER_RESPONSE + 256 * KiB, `${allowance.lentBytes} lent`);
  stream.close(h2.NGHTTP2_CANCEL);
  t.true(await eventually(() => allowance.lentBytes === 0, 5_000), `${allowance.lentBytes} still lent after the cancel`);

  const whole = await http2Request(session, headers);
  t.is(whole.status, 200);
  t.is(whole.body.length, BODY_MIB * MiB);
  t.is(createHash('sha256').update(whole.body).digest('hex'), BODY_SHA);
  t.true(await eventually(() => allowance.lentBytes === 0, 5_000), `${allowance.lentBytes} still lent after a whole download`);
});
