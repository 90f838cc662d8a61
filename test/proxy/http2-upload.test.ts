import test from 'ava';
import { connect, createServer, type ClientHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Http2Upload } from '../../dist/proxy/http2-upload.js';
import { within } from '../helpers/eventually.js';

const CUT = new Error('cut');

/** A cleartext HTTP/2 server on loopback whose streams are handed to `onStream`, and a client session. */
async function pair(t: { teardown: (fn: () => void) => void }, onStream: (stream: ServerHttp2Stream) => void): Promise<ClientHttp2Session> {
  const server = createServer();
  server.on('stream', onStream);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  session.on('error', () => undefined);
  t.teardown(() => {
    session.destroy();
    server.close();
  });
  return session;
}

/** Reads an upload as undici does: by events, resumed once it is ready to send. */
function readAsUndici(upload: Http2Upload): Promise<{ bytes: number; ended: boolean; error?: Error }> {
  return new Promise((resolve) => {
    let bytes = 0;
    upload.on('data', (chunk: Buffer) => (bytes += chunk.length));
    upload.on('end', () => resolve({ bytes, ended: true }));
    upload.on('error', (error: Error) => resolve({ bytes, ended: false, error }));
    upload.resume();
  });
}

test('a body sent before anyone reads it arrives whole, and the response goes out after undici let go', async (t) => {
  let read: Promise<{ bytes: number; ended: boolean }> | undefined;
  const session = await pair(t, (stream) => {
    const upload = new Http2Upload(stream, CUT);
    // undici starts reading only once its connection to the dev server is ready.
    read = sleep(100).then(() => readAsUndici(upload));
    void read.then(({ bytes }) => {
      upload.destroy();
      stream.respond({ ':status': 200 });
      stream.end(`got ${bytes}`);
    });
  });
  const request = session.request({ ':method': 'POST', ':path': '/upload' });
  request.end(Buffer.alloc(40_000, 1));
  let answer = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (answer += chunk));
  await within(once(request, 'end'), 'the response after the upload');
  t.is(answer, 'got 40000');
  t.deepEqual(await read, { bytes: 40_000, ended: true });
});

test('a stream closed half-way fails the body with the given error (resets: e2e/http2-streams)', async (t) => {
  let read: Promise<{ bytes: number; ended: boolean; error?: Error }> | undefined;
  let got: () => void = () => undefined;
  const firstChunk = new Promise<void>((resolve) => (got = resolve));
  const session = await pair(t, (stream) => {
    const upload = new Http2Upload(stream, CUT);
    upload.once('data', () => got());
    read = readAsUndici(upload);
  });
  const request = session.request({ ':method': 'POST', ':path': '/upload' });
  request.on('error', () => undefined);
  request.write(Buffer.alloc(16 * 1024, 2));
  await within(firstChunk, 'the first chunk');
  // The browser goes away mid-upload. (Node's client ends a stream before it resets one, so
  // resets without END_STREAM are sent as raw frames in the end-to-end test.)
  session.destroy();
  const result = await within(read as Promise<{ bytes: number; ended: boolean; error?: Error }>, 'the cut upload');
  t.false(result.ended);
  t.is(result.error, CUT);
});

test('destroyed before it was read, it never touches the stream', async (t) => {
  let upload: Http2Upload | undefined;
  const session = await pair(t, (stream) => {
    upload = new Http2Upload(stream, CUT);
    upload.destroy();
    upload.resume();
    t.is(stream.listenerCount('data'), 0);
    stream.respond({ ':status': 502 });
    stream.end();
  });
  const request = session.request({ ':method': 'POST', ':path': '/upload' });
  request.end('x');
  const [headers] = (await within(once(request, 'response'), 'the 502')) as [Record<string, unknown>];
  t.is(headers[':status'], 502);
  t.true(upload?.destroyed);
});
