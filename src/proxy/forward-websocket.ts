import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import type { Route } from '../routes/route.js';
import { stripHopByHopForUpgrade, type ForwardContext } from './upstream-headers.js';
import { upstreamPath } from '../routes/upstream-path.js';
import { describeUpstreamError } from './upstream-errors.js';

export type WebSocketErrorListener = (route: Route, req: IncomingMessage, message: string) => void;

/**
 * WebSocket (and any other HTTP/1.1 Upgrade) forwarding. http-proxy-3 does the
 * handshake relay and the two-way pipe; it is the maintained rewrite of http-proxy
 * that fixes its socket leaks on close and its uncatchable upgrade errors.
 */
export class WebSocketForwarder {
  private readonly proxy: ProxyServer;
  private readonly sockets = new Set<Duplex>();

  constructor() {
    this.proxy = createProxyServer({ ws: true, xfwd: false, prependPath: false });
    // Errors are answered per call (below); this keeps a stray one from crashing the process.
    this.proxy.on('error', () => undefined);
  }

  forward(req: IncomingMessage, socket: Duplex, head: Buffer, route: Route, context: ForwardContext, onError: WebSocketErrorListener): void {
    stripHopByHopForUpgrade(req.headers);
    setForwardedHeaders(req, context);
    req.url = upstreamPath(route, req.url as string);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.proxy.ws(req, socket, head, { target: route.target.origin, changeOrigin: route.changeOrigin, headers: route.headers }, (error) => {
      const failure = describeUpstreamError(error as Error, route);
      onError(route, req, failure.logLine);
      writeHttpError(socket, failure.page.status, failure.page.detail);
    });
  }

  /** Close every open WebSocket (used on shutdown). */
  closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** Replace any client-sent X-Forwarded-* with devtls's own: a page cannot forge them. */
function setForwardedHeaders(req: IncomingMessage, context: ForwardContext): void {
  const headers = req.headers;
  const previous = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = previous === undefined ? context.clientAddress : `${String(previous)}, ${context.clientAddress}`;
  headers['x-forwarded-proto'] = context.proto;
  headers['x-forwarded-host'] = context.host;
  headers['x-forwarded-port'] = String(context.port);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  421: 'Misdirected Request',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
};

/** Answer a failed upgrade with a short HTTP response, then close. */
export function writeHttpError(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  const reason = STATUS_TEXT[status] ?? 'Bad Gateway';
  const body = `${text}\n`;
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.destroy();
  }
}
