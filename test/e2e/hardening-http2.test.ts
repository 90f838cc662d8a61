// HTTP/2 frames written by hand over TLS: sessions that nghttp2 ends by itself, clients that
// flood control frames and read nothing, broken prefaces and windows. devtls runs in this test
// process, so /proc/self/fd counts its sockets.
import test from 'ava';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { eventually } from '../helpers/eventually.js';
import { http2Request, http2Session } from '../helpers/http2-client.js';
import { ErrorCode, FrameType, PREFACE, RawH2Connection, frame, headersFrame, pingFrame, requestFields, settingsFrame, windowUpdateFrame } from '../helpers/h2-frames.js';
import { inBatches, openFds, startLimitedProxy, type LimitedProxy } from '../helpers/hardening.js';

let backend: TestBackend;
let devtls: LimitedProxy;
const uploads = { started: 0, aborted: 0 };
let releaseSlow: (() => void) | undefined;

test.before(async () => {
  backend = await startBackend('app', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/slow') {
      releaseSlow = () => res.end('late');
      return;
    }
    if (req.method === 'POST') uploads.started++;
    req.on('close', () => {
      if (!req.complete) uploads.aborted++;
    });
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  devtls = await startLimitedProxy(
    { routes: [{ host: 'app.localhost', target: backend.port }] },
    { http2IdleMs: 1_500, http2ProbeMs: 400, http2GoawayGraceMs: 400, http2ControlFrameBurst: 1_000, http2ControlFramesPerSecond: 100 },
  );
});

test.after.always(async () => {
  await devtls?.stop();
  await backend?.close();
});

const authority = (): string => `app.localhost:${devtls.httpsPort}`;
const open = (options?: { preface?: boolean }): Promise<RawH2Connection> => RawH2Connection.open(devtls.httpsPort, 'app.localhost', devtls.ca.certPem, options);

test.serial('a DATA frame over the frame size limit: GOAWAY FRAME_SIZE_ERROR, then the socket and the upstream request are freed (50 clients)', async (t) => {
  await http2Request(await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem), { ':path': '/', ':authority': authority() });
  await eventually(() => false, 1_500); // let the warm-up session go idle and close
  const before = openFds();
  uploads.started = 0;
  uploads.aborted = 0;
  const clients: RawH2Connection[] = [];
  let begun = 0;
  await inBatches(50, 10, async () => {
    const client = await open();
    clients.push(client);
    // A POST whose body has begun (so the dev server has the request), then one DATA frame
    // above the 16 KiB SETTINGS_MAX_FRAME_SIZE.
    client.send(headersFrame(1, requestFields('POST', authority()), false), frame(FrameType.DATA, 0, 1, Buffer.alloc(100, 1)));
    begun++;
    t.true(await eventually(() => uploads.started >= begun, 5_000, 5), 'the upload reached the dev server');
    client.send(frame(FrameType.DATA, 0, 1, Buffer.alloc(20_000, 1)));
    t.true(await client.waitFor(() => client.goawayCode() !== undefined), 'GOAWAY received');
    t.is(client.goawayCode(), ErrorCode.FRAME_SIZE_ERROR, JSON.stringify(client.frames.map((f) => [f.type, f.streamId, f.payload.subarray(0, 8).toString('hex')])));
    client.endWriting(); // the client closes its side, as clients do after a GOAWAY
  });
  t.true(await eventually(() => clients.every((client) => client.closed), 10_000), `${clients.filter((c) => !c.closed).length} of 50 sockets still open`);
  t.true(await eventually(() => openFds() <= before + 4, 10_000), `open fds ${before} → ${openFds()}`);
  t.true(await eventually(() => uploads.aborted === uploads.started, 5_000), `${uploads.aborted} of ${uploads.started} upstream uploads aborted`);
  t.is((await http2Request(await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem), { ':path': '/', ':authority': authority() })).status, 200);
});

test.serial('a client that sends GOAWAY and leaves a stream open: the session is destroyed once silent, whatever its stream', async (t) => {
  const client = await open();
  const started = uploads.started;
  client.send(headersFrame(1, requestFields('POST', authority()), false), frame(FrameType.DATA, 0, 1, Buffer.alloc(100, 1)));
  t.true(await eventually(() => uploads.started > started, 5_000), 'the upload reached the dev server');
  const goaway = Buffer.alloc(8);
  goaway.writeUInt32BE(1, 0);
  client.send(frame(FrameType.GOAWAY, 0, 0, goaway));
  t.true(await client.waitFor(() => client.closed, 5_000), 'socket closed by devtls');
});

test.serial('a silent session whose open stream is still wanted (the client answers PING) keeps it past the idle GOAWAY', async (t) => {
  const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
  releaseSlow = undefined;
  let goaway = false;
  session.on('goaway', () => (goaway = true));
  const answer = http2Request(session, { ':path': '/slow', ':authority': authority() });
  // The dev server holds its answer past the idle GOAWAY and twice the grace period.
  t.true(await eventually(() => goaway && releaseSlow !== undefined, 5_000), 'idle GOAWAY received');
  await eventually(() => false, 800);
  (releaseSlow as (() => void) | undefined)?.();
  const res = await answer;
  t.is(res.status, 200);
  t.is(res.body.toString(), 'late');
  session.destroy();
});

for (const [name, make] of [
  ['PING', pingFrame],
  ['SETTINGS', () => settingsFrame()],
] as const) {
  test.serial(`100,000 ${name} frames from a client that reads nothing: the session is closed, not every one acknowledged`, async (t) => {
    const client = await open();
    client.socket.pause(); // reads nothing
    let sent = 0;
    for (let i = 0; i < 100_000 && !client.socket.destroyed; i++) {
      const more = client.socket.write(make(i));
      sent++;
      if (!more) await Promise.race([new Promise((resolve) => client.socket.once('drain', resolve)), eventually(() => client.socket.destroyed, 2_000, 20)]);
    }
    client.socket.resume();
    t.true(await client.waitFor(() => client.closed, 5_000), `socket still open after ${sent} frames`);
    t.true(sent < 100_000 || client.ofType(name === 'PING' ? FrameType.PING : FrameType.SETTINGS).length < 100_000, `${sent} sent`);
    const session = await http2Session(devtls.httpsPort, 'app.localhost', devtls.ca.certPem);
    t.is((await http2Request(session, { ':path': '/', ':authority': authority() })).status, 200, 'other clients are served');
    session.close();
  });
}

test.serial('a normal amount of PINGs is answered', async (t) => {
  const client = await open();
  for (let i = 0; i < 50; i++) client.send(pingFrame(i));
  t.true(await client.waitFor(() => client.ofType(FrameType.PING).length === 50));
  t.false(client.closed);
  client.destroy();
});

test.serial('connection errors carry the RFC 9113 code: a bad preface → PROTOCOL_ERROR, a window overflow → FLOW_CONTROL_ERROR', async (t) => {
  const badPreface = await open({ preface: false });
  badPreface.send(Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n', 'latin1'), settingsFrame());
  t.true(await badPreface.waitFor(() => badPreface.closed));
  t.is(badPreface.goawayCode(), ErrorCode.PROTOCOL_ERROR);
  const overflow = await open();
  overflow.send(windowUpdateFrame(0, 0x7fffffff));
  t.true(await overflow.waitFor(() => overflow.closed));
  t.is(overflow.goawayCode(), ErrorCode.FLOW_CONTROL_ERROR);
  t.true(PREFACE.length === 24);
});
