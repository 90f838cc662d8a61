// Faults: each dev-server or browser failure repeated 1000 times, after which devtls
// still serves and its open file descriptors and heap are back near where they started.
// devtls runs in this test process, so /proc/self/fd counts its sockets.
import test from 'ava';
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'node:https';
import { constants as h2 } from 'node:http2';
import { deadPort, startBackend, startTcpBackend } from '../helpers/backends.js';
import { eventually } from '../helpers/eventually.js';
import { httpsRequest } from '../helpers/https-client.js';
import { http2Request, http2Session } from '../helpers/http2-client.js';
import { heapAfterGc, inBatches, openFds, startLimitedProxy, tlsSocket, type LimitedProxy } from '../helpers/hardening.js';

const N = 1000;

type Backend = { port: number; open: Set<Socket>; close(): Promise<void> };

function httpBackend(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Backend> {
  return startBackend('fault', handler, { websocket: false });
}

const counters = { earlyCloseGets: 0, earlyClosePosts: 0, abortedUploads: 0, abortedDownloads: 0, hung: 0, slowBytes: 0 };
const MALFORMED = [
  'HELLO WORLD\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
  'HTTP/1.1 2000 Nope\r\n\r\n',
  'HTTP/1.1 200 OK\r\nBad Header Name: x\r\n\r\n',
  'HTTP/1.1 200 OK\r\nX: a\u0000b\r\n\r\n',
  '\u0000\u0001\u0002\u0003',
];

const startedUploads = new Set<string>();
let devtls: LimitedProxy;
let refusedPort: number;
const backends: Record<string, Backend> = {};

test.before(async () => {
  backends['reset'] = await httpBackend((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    // Reset only once the head and first bytes are on the wire: an answer has begun.
    res.write('x'.repeat(1000), () => setImmediate(() => res.socket?.destroy()));
  });
  backends['hang'] = await httpBackend(() => {
    counters.hung++; // never answers
  });
  // Closes a kept-alive connection under every second request on it, without answering.
  backends['early'] = await httpBackend((req, res) => {
    const socket = req.socket as Socket & { served?: number };
    socket.served = (socket.served ?? 0) + 1;
    if (req.method === 'POST') counters.earlyClosePosts++;
    else counters.earlyCloseGets++;
    if (socket.served % 2 === 0) {
      socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.end(`ok ${req.method}`));
  });
  backends['upload'] = await httpBackend((req, res) => {
    startedUploads.add(req.url ?? '');
    req.resume();
    req.on('end', () => res.end('complete'));
    res.on('close', () => {
      if (!req.complete) counters.abortedUploads++;
    });
  });
  backends['download'] = await httpBackend((req, res) => {
    if (req.url === '/short') {
      res.end('short');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(16 * 1024, 1);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', pump);
    res.on('close', () => {
      if (!res.writableFinished) counters.abortedDownloads++;
    });
    pump();
  });
  backends['big'] = await httpBackend((_req, res) => {
    // 64 MiB, written as fast as devtls takes it.
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 64 * 1024 * 1024 });
    const chunk = Buffer.alloc(64 * 1024, 2);
    let left = 1024;
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        left--;
        counters.slowBytes += chunk.length;
        if (!res.write(chunk)) return;
      }
      if (left === 0) res.end();
    };
    res.on('drain', pump);
    pump();
  });
  let malformed = 0;
  backends['malformed'] = await startTcpBackend((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(MALFORMED[malformed++ % MALFORMED.length] as string));
  });
  refusedPort = await deadPort();
  const host = (name: string, port: number) => ({ host: `${name}.localhost`, target: port });
  devtls = await startLimitedProxy({
    // Long enough that a loaded machine never turns a slow answer into a 504 by mistake.
    timeouts: { connect: 2_000, response: 1_000 },
    routes: [
      ...Object.entries(backends).map(([name, backend]) => host(name, backend.port)),
    ],
  });
});

test.after.always(async () => {
  await devtls?.stop();
  await Promise.all(Object.values(backends).map((backend) => backend.close()));
});

/** Baseline fds/heap after a warm-up, and a check that they come back near it. */
async function baseline(): Promise<{ fds: number; heap: number }> {
  return { fds: openFds(), heap: heapAfterGc() };
}

async function assertBackToBaseline(t: import('ava').ExecutionContext, before: { fds: number; heap: number }, slackFds: () => number = () => 12): Promise<void> {
  const settled = await eventually(() => openFds() <= before.fds + slackFds(), 10_000, 100);
  t.true(settled, `open fds ${before.fds} → ${openFds()}; backend sockets ${Object.entries(backends).map(([name, b]) => `${name}=${b.open.size}`).join(' ')}`);
  const heapGrowth = heapAfterGc() - before.heap;
  t.true(heapGrowth < 16 * 1024 * 1024, `heap grew ${(heapGrowth / 1048576).toFixed(1)} MiB`);
  // And devtls still serves.
  const ok = await httpsRequest({ port: devtls.httpsPort, host: 'upload.localhost', method: 'POST', body: 'x', ca: devtls.ca.certPem });
  t.is(ok.status, 200);
  t.is(ok.text, 'complete');
}

test.serial('backend refuses, 1000×: 502 each time, no fd or heap growth', async (t) => {
  // devtls retries a refused connection up to the connect timeout (a dev server starting):
  // a short one here, so 1000 requests finish quickly; each is still retried a few times.
  const quick = await startLimitedProxy({ timeouts: { connect: 100, response: 1_000 }, routes: [{ host: 'refused.localhost', target: refusedPort }] });
  t.teardown(() => quick.stop());
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: quick.ca.certPem });
  await httpsRequest({ port: quick.httpsPort, host: 'refused.localhost', ca: quick.ca.certPem, agent });
  const before = await baseline();
  const statuses = new Map<number, number>();
  await inBatches(N, 16, async () => {
    const res = await httpsRequest({ port: quick.httpsPort, host: 'refused.localhost', ca: quick.ca.certPem, agent });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  });
  agent.destroy();
  t.deepEqual([...statuses], [[502, N]]);
  t.true(quick.logger.lines.some((line) => line.includes('refused the connection')));
  await assertBackToBaseline(t, before);
});

test.serial('backend resets mid-response, 1000× over HTTP/2 and 100× over HTTP/1.1: the response is cut, never completed', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'reset.localhost', devtls.ca.certPem);
  const before = await baseline();
  let cut = 0;
  await inBatches(N, 50, async () => {
    try {
      await http2Request(session, { ':path': '/', ':authority': `reset.localhost:${devtls.httpsPort}` });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_HTTP2_STREAM_ERROR') cut++;
    }
  });
  t.is(cut, N, 'every HTTP/2 stream was reset, none ended as if complete');
  t.false(session.destroyed, 'the HTTP/2 connection itself survived');
  session.close();
  let h1cut = 0;
  await inBatches(100, 10, async () => {
    await httpsRequest({ port: devtls.httpsPort, host: 'reset.localhost', ca: devtls.ca.certPem }).catch(() => h1cut++);
  });
  t.is(h1cut, 100, 'every HTTP/1.1 response was cut (the browser sees an error, not a short page)');
  await assertBackToBaseline(t, before);
});

test.serial('backend hangs before answering, 1000×: 504 page after timeouts.response, backend sockets released', async (t) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 250, ca: devtls.ca.certPem });
  const before = await baseline();
  const statuses = new Map<number, number>();
  let page = '';
  await inBatches(N, 250, async () => {
    const res = await httpsRequest({ port: devtls.httpsPort, host: 'hang.localhost', ca: devtls.ca.certPem, agent, headers: { accept: 'application/json' } });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    page = res.text;
  });
  agent.destroy();
  t.deepEqual([...statuses], [[504, N]]);
  t.regex(page, /did not answer in time/);
  t.regex(page, /timeouts\.response/);
  t.is(counters.hung, N, 'each request reached the backend once');
  t.true(await eventually(() => backends['hang']?.open.size === 0, 5_000), 'devtls closed every connection to the hung backend');
  await assertBackToBaseline(t, before);
});

test.serial('backend closes a kept-alive connection early, 1000×: GET retried once on a fresh connection (200), POST never (502)', async (t) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: devtls.ca.certPem });
  const before = await baseline();
  counters.earlyCloseGets = 0;
  let ok = 0;
  for (let i = 0; i < N; i++) {
    const res = await httpsRequest({ port: devtls.httpsPort, host: 'early.localhost', path: `/get/${i}`, ca: devtls.ca.certPem, agent });
    if (res.status === 200 && res.text === 'ok GET') ok++;
  }
  t.is(ok, N, 'every GET answered 200 by the backend');
  t.true(counters.earlyCloseGets > N && counters.earlyCloseGets <= 2 * N, `backend saw ${counters.earlyCloseGets} GETs for ${N} sent: retried, but at most once each`);
  counters.earlyClosePosts = 0;
  const statuses = new Map<number, number>();
  for (let i = 0; i < 200; i++) {
    const res = await httpsRequest({ port: devtls.httpsPort, host: 'early.localhost', method: 'POST', path: '/post', body: `n=${i}`, ca: devtls.ca.certPem, agent });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  agent.destroy();
  t.is(counters.earlyClosePosts, 200, 'each POST reached the backend exactly once: never replayed');
  t.true((statuses.get(502) ?? 0) > 0, `some POSTs hit a closed connection: ${JSON.stringify([...statuses])}`);
  t.is((statuses.get(200) ?? 0) + (statuses.get(502) ?? 0), 200);
  await assertBackToBaseline(t, before);
});

test.serial('client aborts mid-request and mid-response, 1000× each: the upstream request is aborted too', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'upload.localhost', devtls.ca.certPem);
  const before = await baseline();
  counters.abortedUploads = 0;
  await inBatches(N, 50, async (i) => {
    const path = `/upload/${i}`;
    const stream = session.request({ ':method': 'POST', ':path': path, ':authority': `upload.localhost:${devtls.httpsPort}` }, { endStream: false });
    stream.on('error', () => undefined);
    stream.write(Buffer.alloc(1024, 3));
    // Cancel once the backend has the request, with its body still coming.
    t.true(await eventually(() => startedUploads.has(path), 5_000, 1), `upload ${i} reached the backend`);
    // RST_STREAM alone, as a browser cancels (close() would first end the body with END_STREAM).
    stream.destroy();
  });
  t.true(await eventually(() => counters.abortedUploads === N, 10_000), `backend saw ${counters.abortedUploads}/${N} uploads aborted`);
  session.close();

  // Ten connections, as a browser's tabs would cancel downloads (a thousand cancels a second on
  // one connection is the HTTP/2 rapid-reset pattern, which nghttp2 throttles by refusing streams).
  const downloads = await Promise.all(Array.from({ length: 10 }, () => http2Session(devtls.httpsPort, 'download.localhost', devtls.ca.certPem)));
  counters.abortedDownloads = 0;
  let cancelled = 0;
  await inBatches(N, 50, async (i) => {
    const stream = (downloads[i % 10] as (typeof downloads)[number]).request({ ':path': '/', ':authority': `download.localhost:${devtls.httpsPort}` });
    stream.on('error', () => undefined);
    const got = await new Promise<boolean>((resolve) => {
      stream.once('data', () => resolve(true));
      stream.once('close', () => resolve(false));
    });
    if (got) cancelled++;
    stream.close(h2.NGHTTP2_CANCEL);
    if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
  });
  t.is(cancelled, N, 'every download started, then was cancelled by the browser');
  t.true(await eventually(() => counters.abortedDownloads === N, 10_000), `backend saw ${counters.abortedDownloads}/${N} endless downloads aborted`);
  for (const session of downloads) session.close();
  // Over HTTP/1.1 too: the browser closes the connection mid-response.
  counters.abortedDownloads = 0;
  await inBatches(100, 10, async () => {
    const socket = await tlsSocket(devtls.httpsPort, 'download.localhost', devtls.ca.certPem);
    socket.write(`GET / HTTP/1.1\r\nHost: download.localhost:${devtls.httpsPort}\r\n\r\n`);
    await new Promise((resolve) => socket.once('data', resolve));
    socket.destroy();
  });
  t.true(await eventually(() => counters.abortedDownloads === 100, 10_000), `HTTP/1.1: backend saw ${counters.abortedDownloads}/100 aborted`);
  // A request cancelled while undici was still connecting for it leaves that new connection
  // idle in the pool (undici sets no idle timeout on a never-used socket; the dev server's own
  // timeout closes it). Bounded by the requests in flight at once (50 here), not by the 2,100
  // cancelled: each such socket holds two fds in this process (undici's and the backend's).
  const idle = (): number => backends['download']?.open.size ?? 0;
  await assertBackToBaseline(t, before, () => 12 + 2 * idle());
  t.true(idle() <= 60, `${idle()} upstream connections left idle (≤ the 50 requests in flight at once)`);
});

test.serial('backend sends malformed HTTP, 1000×: 502 each time, nothing crashes', async (t) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: devtls.ca.certPem });
  const before = await baseline();
  const statuses = new Map<number, number>();
  await inBatches(N, 16, async () => {
    const res = await httpsRequest({ port: devtls.httpsPort, host: 'malformed.localhost', ca: devtls.ca.certPem, agent });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  });
  agent.destroy();
  t.deepEqual([...statuses], [[502, N]]);
  t.true(devtls.logger.lines.some((line) => line.includes('malformed HTTP response')));
  await assertBackToBaseline(t, before);
});

test.serial('a client reading a 64 MiB response slowly: the backend is held back (bounded buffering), HTTP/1.1 and HTTP/2', async (t) => {
  // HTTP/1.1: read nothing for a while.
  counters.slowBytes = 0;
  const socket = await tlsSocket(devtls.httpsPort, 'big.localhost', devtls.ca.certPem);
  socket.pause();
  socket.write(`GET / HTTP/1.1\r\nHost: big.localhost:${devtls.httpsPort}\r\n\r\n`);
  await eventually(() => counters.slowBytes > 0, 2_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const heldH1 = counters.slowBytes;
  t.true(heldH1 < 16 * 1024 * 1024, `HTTP/1.1: backend wrote ${(heldH1 / 1048576).toFixed(1)} MiB of 64 while the browser read nothing`);
  // Then read it all: every byte arrives.
  let received = 0;
  socket.on('data', (chunk: Buffer) => (received += chunk.length));
  socket.resume();
  t.true(await eventually(() => received > 64 * 1024 * 1024, 20_000), `received ${received}`);
  socket.destroy();

  // HTTP/2: a stream not read from.
  counters.slowBytes = 0;
  const session = await http2Session(devtls.httpsPort, 'big.localhost', devtls.ca.certPem);
  const stream = session.request({ ':path': '/', ':authority': `big.localhost:${devtls.httpsPort}` });
  stream.pause();
  await eventually(() => counters.slowBytes > 0, 2_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const heldH2 = counters.slowBytes;
  t.true(heldH2 < 16 * 1024 * 1024, `HTTP/2: backend wrote ${(heldH2 / 1048576).toFixed(1)} MiB of 64 while the browser read nothing`);
  let h2received = 0;
  stream.on('data', (chunk: Buffer) => (h2received += chunk.length));
  stream.resume();
  t.true(await eventually(() => h2received === 64 * 1024 * 1024, 20_000), `received ${h2received}`);
  session.close();
});
