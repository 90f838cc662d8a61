import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { LeafCertificate } from '../pki/leaf-store.js';
import type { ConnectionLimits } from './connection-limits.js';
import type { ProxyRequest, ProxyResponse } from './http-compat.js';
import { TLS_SETTINGS } from './tls-settings.js';

export type TlsServer = Http2SecureServer | HttpsServer;

export interface TlsServerOptions {
  /** Offer HTTP/2 by ALPN (with HTTP/1.1 for clients that don't speak it). */
  http2: boolean;
  /** Served to clients that send no SNI (IP addresses) or an unknown name. */
  defaultCertificate: LeafCertificate;
  sniCallback: (serverName: string, callback: (error: Error | null, context?: SecureContext) => void) => void;
  onRequest: (req: ProxyRequest, res: ProxyResponse) => void;
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** HTTP/1.1 CONNECT requests (devtls is no forward proxy: they are refused). */
  onConnect: (req: IncomingMessage | ProxyRequest, socket: Duplex | ProxyResponse) => void;
  limits: ConnectionLimits;
}

/** Open TLS connections per server, so a forced shutdown can end them (HTTP/2 servers have no closeAllConnections). */
const openSockets = new WeakMap<TlsServer, Set<TLSSocket>>();
/** Open HTTP/2 sessions per server, to send each a GOAWAY at shutdown (Node 20's server.close() does not). */
const openSessions = new WeakMap<TlsServer, Set<ServerHttp2Session>>();

/**
 * The HTTPS listener. With HTTP/2 on, one server answers both protocols: browsers pick h2
 * by ALPN and send all of a page's requests on one connection; anything else (curl
 * --http1.1, WebSocket handshakes, older clients) gets HTTP/1.1 on the same port.
 */
export function createTlsServer(options: TlsServerOptions): TlsServer {
  const limits = options.limits;
  const tls = {
    ...TLS_SETTINGS,
    cert: options.defaultCertificate.certPem,
    key: options.defaultCertificate.keyPem,
    SNICallback: options.sniCallback,
    handshakeTimeout: limits.handshakeMs,
  };
  const server: TlsServer = options.http2
    ? createSecureServer(
        {
          ...tls,
          allowHTTP1: true,
          // A 1 MiB receive window lets uploads stream at full speed. What a slow browser
          // makes devtls buffer is bounded the other way: when its window is full, writes
          // report backpressure and the upstream read pauses.
          settings: { maxConcurrentStreams: 256, initialWindowSize: 1024 * 1024 },
        },
        options.onRequest,
      )
    : createHttpsServer(tls, options.onRequest);
  // HTTP/1.1 limits (for both kinds: the HTTP/2 server applies them to its HTTP/1.1 clients).
  // Set as properties because the HTTP/2 server takes no such options; Node reads them per
  // connection, and the checking interval when the server starts listening.
  Object.assign(server, {
    keepAliveTimeout: limits.keepAliveMs,
    headersTimeout: limits.headersMs,
    requestTimeout: limits.requestMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    maxHeaderSize: limits.maxHeaderBytes,
  });
  server.on('upgrade', options.onUpgrade);
  server.on('connect', options.onConnect);
  sniffFirstBytes(server, limits.handshakeMs);
  const sockets = new Set<TLSSocket>();
  openSockets.set(server, sockets);
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // HTTP/1.1: a connection that completes TLS and then sends nothing is closed after
    // headersMs (Node's headersTimeout only counts once a request has begun).
    if (socket.alpnProtocol !== 'h2') {
      socket.setTimeout(limits.headersMs, destroySilentSocket);
      socket.once('data', clearSilentTimeout);
    }
  });
  server.on('clientError', answerClientError);
  if (options.http2) {
    const sessions = new Set<ServerHttp2Session>();
    openSessions.set(server, sessions);
    const idleMs = limits.http2IdleMs;
    server.on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      session.setTimeout(idleMs, closeIdleSession);
    });
  }
  return server;
}

/**
 * Stop accepting connections and requests: HTTP/1.1 connections close once idle, HTTP/2
 * sessions get a GOAWAY and close once their open streams finish.
 */
export function closeGracefully(server: TlsServer, callback?: () => void): void {
  server.close(callback);
  for (const session of openSessions.get(server) ?? []) session.close();
}

/** End every connection of a TLS server now (after the graceful period). */
export function destroyAllConnections(server: TlsServer): void {
  for (const socket of openSockets.get(server) ?? []) socket.destroy();
}

function destroySilentSocket(this: TLSSocket): void {
  this.destroy();
}

function clearSilentTimeout(this: TLSSocket): void {
  this.setTimeout(0);
  this.off('timeout', destroySilentSocket);
}

/**
 * An HTTP/1.1 request Node's parser rejects (smuggling forms, bad syntax, oversized head,
 * too slow): a short answer, then the connection is closed. Nothing is forwarded.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const code = error.code ?? '';
  if (socket.writable && (socket as Duplex & { _httpMessage?: unknown })._httpMessage == null) {
    const status =
      code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    const body = `devtls: ${status.slice(4)}\n`;
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  }
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** An HTTP/2 session idle for too long: GOAWAY; it ends now, or when its open streams finish. */
function closeIdleSession(this: ServerHttp2Session): void {
  if (!this.closed && !this.destroyed) this.close();
}

/** Node's own TLS 'connection' listener(s), run once the first bytes say the client speaks TLS. */
const tlsConnectionListeners = new WeakMap<object, ((socket: Socket) => void)[]>();
const handshakeTimeouts = new WeakMap<object, number>();

/**
 * Look at a new connection's first bytes before TLS starts: a TLS handshake (0x16) goes on
 * to Node's TLS listener with the bytes put back (Node feeds bytes already read to the TLS
 * layer); a plain HTTP request gets a short HTTP/1.1 400 saying to use https://; anything
 * else is closed. A connection that sends nothing is closed after `handshakeMs`.
 */
function sniffFirstBytes(server: TlsServer, handshakeMs: number): void {
  tlsConnectionListeners.set(server, server.listeners('connection') as ((socket: Socket) => void)[]);
  handshakeTimeouts.set(server, handshakeMs);
  server.removeAllListeners('connection');
  server.on('connection', onRawConnection);
}

function onRawConnection(this: TlsServer, socket: Socket): void {
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
  const server = (socket as Socket & { server?: TlsServer }).server;
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
  const body = `This is devtls's HTTPS port: it speaks only TLS. Use ${url}\n`;
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
