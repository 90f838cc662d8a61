import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { LeafCertificate } from '../pki/leaf-store.js';
import type { ProxyRequest, ProxyResponse } from './http-exchange.js';
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
  const tls = {
    ...TLS_SETTINGS,
    cert: options.defaultCertificate.certPem,
    key: options.defaultCertificate.keyPem,
    SNICallback: options.sniCallback,
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
  // HTTP/1.1 connection timeouts (for both kinds: the HTTP/2 server uses them for its HTTP/1.1 clients).
  Object.assign(server, { keepAliveTimeout: 60_000, headersTimeout: 30_000, requestTimeout: 0 });
  server.on('upgrade', options.onUpgrade);
  const sockets = new Set<TLSSocket>();
  openSockets.set(server, sockets);
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  if (options.http2) {
    const sessions = new Set<ServerHttp2Session>();
    openSessions.set(server, sessions);
    server.on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
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
