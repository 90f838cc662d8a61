import type { Server, Socket } from 'node:net';
import { rawResponse } from './raw-response.js';

/** The server's own TLS 'connection' listener(s), run once the first bytes say the client speaks TLS. */
const tlsConnectionListeners = new WeakMap<object, ((socket: Socket) => void)[]>();
const handshakeTimeouts = new WeakMap<object, number>();

/**
 * Look at a new connection's first bytes before TLS starts: a TLS handshake (0x16) goes on
 * to Node's TLS listener with the bytes put back (Node feeds bytes already read to the TLS
 * layer); a plain HTTP request gets a short HTTP/1.1 400 saying to use https://; anything
 * else is closed. A connection that sends nothing is closed after `handshakeMs`.
 */
export function sniffPlainHttp(server: Server, handshakeMs: number): void {
  tlsConnectionListeners.set(server, server.listeners('connection') as ((socket: Socket) => void)[]);
  handshakeTimeouts.set(server, handshakeMs);
  server.removeAllListeners('connection');
  server.on('connection', onRawConnection);
}

function onRawConnection(this: Server, socket: Socket): void {
  socket.on('error', destroyRawSocket);
  socket.setTimeout(handshakeTimeouts.get(this) ?? 10_000, destroyRawSocket);
  socket.once('data', onFirstBytes);
}

function destroyRawSocket(this: Socket): void {
  this.destroy();
}

const TLS_HANDSHAKE_RECORD = 0x16;

function onFirstBytes(this: Socket, chunk: Buffer): void {
  const socket = this;
  socket.pause();
  socket.setTimeout(0);
  const server = (socket as Socket & { server?: Server }).server;
  const listeners = server === undefined ? undefined : tlsConnectionListeners.get(server);
  if (chunk[0] === TLS_HANDSHAKE_RECORD && server !== undefined && listeners !== undefined) {
    socket.unshift(chunk);
    for (const listener of listeners) listener.call(server, socket);
    return;
  }
  const hint = plainHttpHint(chunk);
  if (hint === undefined) socket.destroy();
  else socket.end(hint);
}

const HTTP_METHOD = /^[A-Z]{3,10} (\S{1,2048}) HTTP\/1\.[01]\r?\n/;
const HOST_HEADER = /\r?\nhost:[ \t]*([A-Za-z0-9.\-:[\]]{1,255})[ \t]*\r?\n/i;

/** The answer to plain HTTP sent to the HTTPS port, or undefined when the bytes are not HTTP. */
export function plainHttpHint(chunk: Buffer): string | undefined {
  const head = chunk.subarray(0, 4096).toString('latin1');
  const line = HTTP_METHOD.exec(head);
  if (line === null) return undefined;
  const host = HOST_HEADER.exec(head)?.[1];
  const path = (line[1] as string).startsWith('/') ? (line[1] as string).replace(/[^\x21-\x7e]/g, '') : '/';
  const url = host === undefined ? 'https://' : `https://${host}${path}`;
  return rawResponse(400, `This is devtls's HTTPS port: it speaks only TLS. Use ${url}`);
}
