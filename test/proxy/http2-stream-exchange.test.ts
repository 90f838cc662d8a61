// StreamResponse lets go of a stream's listeners at its 'close' (what they reach would
// otherwise be kept, then promoted, while Node holds the closed stream), after they ran.
import test from 'ava';
import { once } from 'node:events';
import { connect, createServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { StreamResponse } from '../../dist/proxy/http2-stream-exchange.js';
import { eventually, within } from '../helpers/eventually.js';

async function serverWith(onStream: (stream: ServerHttp2Stream) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  server.on('stream', onStream);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const ending of ['answered', 'reset by the browser'] as const) {
  test(`a stream ${ending}: its 'close' listeners run, then it holds no listener`, async (t) => {
    const closed: { stream: ServerHttp2Stream; calls: string[] }[] = [];
    const server = await serverWith((stream) => {
      const res = new StreamResponse(stream);
      const calls: string[] = [];
      res.on('close', () => calls.push('close'));
      res.once('drain', () => calls.push('drain'));
      stream.once('aborted', () => calls.push('aborted'));
      stream.on('error', () => undefined);
      const entry = { stream, calls };
      stream.once('close', () => setImmediate(() => closed.push(entry)));
      if (ending === 'answered') res.writeHead(200, ['content-length', '2']).end('ok');
      else res.writeHead(200, ['content-type', 'text/plain']).write(Buffer.from('part'));
    });
    t.teardown(server.close);
    const session = connect(`http://127.0.0.1:${server.port}`);
    t.teardown(() => session.destroy());
    const request = session.request({ ':path': '/' });
    request.on('error', () => undefined);
    if (ending === 'answered') {
      request.resume();
      await within(once(request, 'end'), 'the answer');
    } else {
      await within(once(request, 'data'), 'the first part');
      request.close(0x8);
    }
    t.true(await eventually(() => closed.length > 0, 10_000), "the server stream's close");
    const [{ stream, calls }] = closed as [{ stream: ServerHttp2Stream; calls: string[] }];
    t.true(calls.includes('close'), `the facade's close listener ran: ${calls.join(', ')}`);
    if (ending === 'reset by the browser') t.true(calls.includes('aborted'), calls.join(', '));
    t.deepEqual(stream.eventNames(), []);
  });
}
