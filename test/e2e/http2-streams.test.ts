// HTTP/2 requests to a route are forwarded on their stream, without Node's compatibility
// layer (src/proxy/http2-stream-exchange.ts). These are the answers that layer used to shape:
// HEAD and bodiless statuses, repeated headers (also against HTTP/1.1), informational
// responses, error pages, host checks, trailers only where asked for, and uploads, whole or
// reset by the browser.
import test from 'ava';
import { once } from 'node:events';
import { bodySeen, deadPort, startBackend, type BodySeen, type TestBackend } from '../helpers/backends.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { http2Request, http2Session } from '../helpers/http2-client.js';
import { httpsRequest } from '../helpers/https-client.js';
import { eventually, within } from '../helpers/eventually.js';
import { Flag, FrameType, RawH2Connection, frame, headersFrame, requestFields, type Frame } from '../helpers/h2-frames.js';

let shapes: TestBackend;
/** What the backend saw of each upload: its bytes, and whether the body ended whole. */
const uploads: Promise<BodySeen>[] = [];
let devtls: TestDevtls;

test.before(async () => {
  shapes = await startBackend('shapes', (req, res) => {
    const path = req.url ?? '/';
    if (path === '/upload') {
      const body = bodySeen(req);
      uploads.push(body);
      void body.then(({ bytes, complete }) => complete && res.end(String(bytes)));
    } else if (path === '/no-content') {
      res.writeHead(204, { 'x-kind': 'no-content' });
      res.end();
    } else if (path === '/not-modified') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
    } else if (path === '/cookies') {
      res.writeHead(200, [
        ['content-type', 'text/plain'],
        ['set-cookie', 'a=1; Path=/'],
        ['set-cookie', 'b=2; Path=/'],
        ['content-length', '2'],
      ].flat());
      res.end('ok');
    } else if (path === '/early-hints') {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
      res.end('final');
    } else if (path === '/host-check') {
      // Vite's answer to a Host it does not allow.
      const body = 'Blocked request. This host ("app.localhost") is not allowed.\nTo allow this host, add "app.localhost" to `server.allowedHosts` in vite.config.js.';
      res.writeHead(403, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '11' });
      res.end('hello there');
    }
  });
  devtls = await startTestDevtls({
    routes: [
      { host: 'app.localhost', target: shapes.port },
      { host: 'dead.localhost', target: await deadPort() },
    ],
    timeouts: { connect: 300 },
  });
});

test.after.always(async () => {
  await devtls?.stop();
  await shapes?.close();
});

async function h2(host: string, path: string, method = 'GET'): Promise<Awaited<ReturnType<typeof http2Request>>> {
  const session = await http2Session(devtls.httpsPort, host, devtls.ca.certPem);
  try {
    return await http2Request(session, { ':method': method, ':path': path });
  } finally {
    session.close();
  }
}

test('HEAD gets the headers of GET and no body', async (t) => {
  const head = await h2('app.localhost', '/', 'HEAD');
  t.is(head.status, 200);
  t.is(head.headers['content-length'], '11');
  t.is(head.body.length, 0);
  t.is((await h2('app.localhost', '/')).body.toString(), 'hello there');
});

test('204 and 304 end with their headers', async (t) => {
  const none = await h2('app.localhost', '/no-content');
  t.is(none.status, 204);
  t.is(none.headers['x-kind'], 'no-content');
  t.is(none.body.length, 0);
  const same = await h2('app.localhost', '/not-modified');
  t.is(same.status, 304);
  t.is(same.headers['etag'], '"v1"');
});

test('repeated Set-Cookie headers stay separate cookies, as over HTTP/1.1', async (t) => {
  const viaH2 = await h2('app.localhost', '/cookies');
  t.deepEqual(viaH2.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
  t.is(viaH2.body.toString(), 'ok');
  const viaH1 = await httpsRequest({ port: devtls.httpsPort, host: 'app.localhost', ca: devtls.ca.certPem, path: '/cookies' });
  t.deepEqual(viaH1.headers['set-cookie'], viaH2.headers['set-cookie']);
});

test('a 103 Early Hints answer is followed by the final response', async (t) => {
  const reply = await h2('app.localhost', '/early-hints');
  t.is(reply.status, 200);
  t.is(reply.body.toString(), 'final');
});

test('a dead dev server gets devtls 502 page, and a host check its own page, over HTTP/2', async (t) => {
  const dead = await h2('dead.localhost', '/');
  t.is(dead.status, 502);
  t.regex(dead.body.toString(), /dead\.localhost/);
  const blocked = await h2('app.localhost', '/host-check');
  t.is(blocked.status, 403);
  t.regex(blocked.body.toString(), /allowedHosts/);
  t.regex(String(blocked.headers['content-type']), /text\/html/);
});

test('a response of known length carries no trailers frame; a stream reset while it waits leaves devtls serving', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  t.teardown(() => session.destroy());
  const stream = session.request({ ':path': '/' });
  let trailers = false;
  stream.on('trailers', () => (trailers = true));
  stream.resume();
  await once(stream, 'end');
  t.false(trailers);
  // On the wire: the body's last DATA frame ends the stream, with no empty frame or trailers
  // round after it (what waiting for trailers on every response would send).
  const raw = await RawH2Connection.open(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  t.teardown(() => raw.destroy());
  raw.send(headersFrame(1, requestFields('GET', `app.localhost:${devtls.httpsPort}`, '/'), true));
  const ends = (): Frame | undefined => raw.frames.find((f) => f.streamId === 1 && (f.flags & Flag.END_STREAM) !== 0 && (f.type === FrameType.DATA || f.type === FrameType.HEADERS));
  t.true(await raw.waitFor(() => ends() !== undefined), 'the stream ended');
  t.is(ends()?.type, FrameType.DATA);
  t.is(ends()?.payload.toString(), 'hello there');
  // Many streams reset at once, before, during and after their answers.
  for (let i = 0; i < 50; i++) {
    const reset = session.request({ ':path': '/' });
    reset.on('error', () => undefined);
    if (i % 2 === 0) reset.close(0x8);
    else reset.once('response', () => reset.close(0x8));
  }
  t.is((await h2('app.localhost', '/')).body.toString(), 'hello there');
});

test('an upload streams through; one the browser resets half-way never reaches the dev server as a whole body', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  t.teardown(() => session.destroy());
  const whole = await http2Request(session, { ':method': 'POST', ':path': '/upload' }, Array.from({ length: 8 }, () => Buffer.alloc(128 * 1024, 1)));
  t.is(whole.body.toString(), String(1024 * 1024));
  t.deepEqual(await uploads[0], { bytes: 1024 * 1024, complete: true });

  // A browser's reset: RST_STREAM with no END_STREAM before it (Node's own client always
  // ends the stream first, so raw frames), with an error code and with NO_ERROR.
  for (const code of [0x8 /* CANCEL */, 0x0 /* NO_ERROR */]) {
    const raw = await RawH2Connection.open(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
    t.teardown(() => raw.destroy());
    const seen = uploads.length;
    raw.send(headersFrame(1, requestFields('POST', `app.localhost:${devtls.httpsPort}`, '/upload'), false), frame(FrameType.DATA, 0, 1, Buffer.alloc(16 * 1024, 2)));
    t.true(await eventually(() => uploads.length > seen, 10_000), 'the upload reached the dev server');
    const reset = Buffer.alloc(4);
    reset.writeUInt32BE(code);
    raw.send(frame(FrameType.RST_STREAM, 0, 1, reset));
    const cut = await within(uploads[seen] as Promise<BodySeen>, `the dev server seeing the upload reset with code ${code} end`);
    t.false(cut.complete, `reset with code ${code}: the dev server saw ${cut.bytes} bytes as a whole body`);
  }
  t.is((await h2('app.localhost', '/')).body.toString(), 'hello there');
});
