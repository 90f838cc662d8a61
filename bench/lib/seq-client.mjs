// Sequential GETs on one connection, each timed from the request's write to its body's last
// byte. HTTP/1.1 is spoken by hand on a raw (TLS) socket so the client adds no buffering or
// timers of its own; HTTP/2 uses node:http2 with large windows (like h2load's defaults), so
// flow control on the client side is never what waits.
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { connect as h2Connect } from 'node:http2';

const BIG_WINDOW = 16 * 1024 * 1024;

/** Resolves with the list of per-request milliseconds; rejects on any protocol surprise. */
export function sequentialGets({ port, path, n, h2 = false, plain = false, host = 'localhost' }) {
  return h2 ? h2Gets(port, path, n, host) : h1Gets(port, path, n, host, plain);
}

function h1Gets(port, path, n, host, plain) {
  return new Promise((resolve, reject) => {
    const socket = plain
      ? netConnect({ host: '127.0.0.1', port })
      : tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new Error(`no answer within 30 s (${times.length} of ${n} done)`)), 30_000);
    const times = [];
    const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    let t0 = 0;
    let head = Buffer.alloc(0);
    let remaining = -1; // body bytes still to come; -1 while reading the head
    const fail = (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const send = () => {
      t0 = performance.now();
      remaining = -1;
      head = Buffer.alloc(0);
      socket.write(request);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error(`the connection closed after ${times.length} of ${n} responses`)));
    socket.on('data', (chunk) => {
      if (remaining < 0) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const text = head.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 200/.test(text)) return fail(new Error(`unexpected answer: ${text.slice(0, 200)}`));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
        if (length === null) return fail(new Error(`no Content-Length: ${text.slice(0, 300)}`));
        remaining = Number(length[1]) - (head.length - end - 4);
      } else remaining -= chunk.length;
      if (remaining === 0) {
        times.push(performance.now() - t0);
        if (times.length === n) {
          clearTimeout(timer);
          socket.destroy();
          resolve(times);
        } else send();
      } else if (remaining < 0) fail(new Error('more body bytes than Content-Length'));
    });
    socket.once(plain ? 'connect' : 'secureConnect', send);
  });
}

function h2Gets(port, path, n, host) {
  return new Promise((resolve, reject) => {
    const session = h2Connect(`https://127.0.0.1:${port}`, {
      servername: 'localhost',
      rejectUnauthorized: false,
      settings: { initialWindowSize: BIG_WINDOW },
    });
    const times = [];
    const timer = setTimeout(() => fail(new Error(`no answer within 30 s (${times.length} of ${n} done)`)), 30_000);
    const fail = (error) => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    };
    session.on('error', fail);
    const next = () => {
      const t0 = performance.now();
      const stream = session.request({ ':path': path, ':authority': host });
      stream.on('response', (headers) => {
        if (headers[':status'] !== 200) fail(new Error(`status ${headers[':status']}`));
      });
      stream.on('data', () => undefined);
      stream.on('error', fail);
      stream.on('end', () => {
        times.push(performance.now() - t0);
        if (times.length === n) {
          clearTimeout(timer);
          session.close();
          resolve(times);
        } else next();
      });
      stream.end();
    };
    session.once('connect', () => {
      session.setLocalWindowSize(BIG_WINDOW);
      next();
    });
  });
}
