import { createSecureServer, type Http2SecureServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { LeafCertificate } from '../pki/leaf-store.js';
import type { ConnectionLimits } from './connection-limits.js';
import type { ProxyRequest, ProxyResponse } from './http-compat.js';
import { TLS_SETTINGS } from './tls-settings.js';
import { guardHttp2Session } from './http2-session-guard.js';
import { sniffPlainHttp } from './plain-http-sniffer.js';
import { rawResponse, reasonPhrase } from './raw-response.js';

export type TlsServer = Http2SecureServer | HttpsServer;

export interface TlsServerOptions {
  /** Offer HTTP/2 by ALPN (with HTTP/1.1 for clients that don't speak it). */
  http2: boolean;
  /** Served to clients that send no SNI (IP addresses) or an unknown name. */
  defaultCertificate: LeafCertificate;
  sniCallback: (serverName: string, callback: (error: Error | null, context?: SecureContext) => void) => void;
  onRequest: (req: ProxyRequest, res: ProxyResponse) => void;
  /**
   * An HTTP/2 stream, before Node's compatibility layer sees it: true when it was answered
   * here (see http2-stream-exchange.ts); false hands it on to onRequest as usual.
   */
  onStream?: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]) => boolean;
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
    // TCP_NODELAY on every browser connection. node:https sets it by default, but the HTTP/2
    // server (which also answers HTTP/1.1) does not: with Nagle on, a large response's last
    // short TLS record waited for the browser's delayed ACK (up to 40 ms). Measured with
    // bench/stall.mjs (1 MiB GETs on one keep-alive connection): delayed-ACK timeouts per
    // response 1.23 -> 0.02, 39 -> 109 MiB/s (BENCHMARKS.md, "Large bodies").
    noDelay: true,
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
          // nghttp2's own bounds, at Node's defaults, spelled out because SECURITY.md lists them:
          // 10 MB of session memory (then new streams are refused), 32 entries per SETTINGS
          // frame, 128 header fields per request, 1,000 invalid frames and 100 refused streams
          // per session (then it is closed).
          maxSessionMemory: 10,
          maxSettings: 32,
          maxHeaderListPairs: 128,
          maxSessionInvalidFrames: 1_000,
          maxSessionRejectedStreams: 100,
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
  sniffPlainHttp(server, limits.handshakeMs);
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
  if (options.http2 && options.onStream !== undefined) interceptStreams(server as Http2SecureServer, options.onStream);
  if (options.http2) {
    const sessions = new Set<ServerHttp2Session>();
    openSessions.set(server, sessions);
    server.on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      guardHttp2Session(session, limits);
    });
  }
  return server;
}

/**
 * Put `onStream` before the compatibility layer. Node adds that layer as the server's one
 * 'stream' listener when a 'request' listener is given; it is taken off and called only for
 * the streams `onStream` leaves. Should a Node version set up its listeners otherwise, the
 * server is left as it is and every request goes through the compatibility layer.
 */
function interceptStreams(server: Http2SecureServer, onStream: NonNullable<TlsServerOptions['onStream']>): void {
  const listeners = server.listeners('stream');
  if (listeners.length !== 1) return;
  const compatibility = listeners[0] as (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;
  server.removeListener('stream', compatibility);
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
    if (!onStream(stream, headers, rawHeaders)) compatibility.call(server, stream, headers, flags, rawHeaders);
  });
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
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(rawResponse(status, `devtls: ${reasonPhrase(status)}`));
  }
  setTimeout(() => socket.destroy(), 1_000).unref();
}
