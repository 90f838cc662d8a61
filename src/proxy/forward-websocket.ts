import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Route } from '../routes/route.js';
import { routeLabel } from '../routes/labels.js';
import { upstreamPath } from '../routes/upstream-path.js';
import { upstreamRequestHeaders } from './upstream-headers.js';
import { describeUpstreamError } from './upstream-errors.js';
import { forwardContext, type UpstreamErrorListener } from './forwarder.js';
import { writeRawResponse } from './raw-response.js';
import { targetConnector } from './target-connector.js';
import { hostCheckRefusal } from './host-check-hints.js';
import { hostWithoutPort } from './host-header.js';
import type { RequestDoneListener } from './request-done.js';

/**
 * WebSocket (and any other HTTP/1.1 Upgrade) forwarding as a byte relay: the handshake
 * request is written with the same headers a plain request gets, then bytes flow both
 * ways untouched. Whatever the dev server answers (101, a 403 from a host check, even a
 * raw non-HTTP refusal) reaches the browser as it was sent; a refusal is also logged.
 */
export class UpgradeForwarder {
  private readonly sockets = new Set<Duplex>();
  private readonly onUpstreamError: UpstreamErrorListener;

  private readonly onDone: RequestDoneListener | undefined;

  constructor(onUpstreamError: UpstreamErrorListener, onDone?: RequestDoneListener) {
    this.onUpstreamError = onUpstreamError;
    this.onDone = onDone;
  }

  forward(req: IncomingMessage, socket: Duplex, head: Buffer, route: Route): void {
    const headers = upstreamRequestHeaders(req, route, forwardContext(req), true);
    let request = `${req.method ?? 'GET'} ${upstreamPath(route, req.url as string)} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) request += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`;
    request += '\r\n';

    this.sockets.add(socket);
    let upstream: Socket | undefined;
    let answered = false;
    const onDone = this.onDone;
    const started = onDone === undefined ? 0 : performance.now();
    const report = (status: number, bytes: number, ms: number, websocket?: 'open' | 'close'): void =>
      onDone?.({ route, host: hostWithoutPort(req.headers.host), method: req.method ?? 'GET', path: req.url ?? '/', status, bytes, ms, protocol: 'ws', ...(websocket === undefined ? {} : { websocket }) });
    const fail = (error: Error): void => {
      if (answered) {
        socket.destroy();
        return;
      }
      answered = true;
      upstream?.destroy();
      const failure = describeUpstreamError(error, route);
      this.onUpstreamError(route, req, failure.logLine);
      writeRawResponse(socket, failure.page.status, failure.page.detail);
      if (onDone !== undefined) report(failure.page.status, 0, performance.now() - started);
    };
    targetConnector(route.target, route.timeouts.connect)({}, (error, connected) => {
      if (error !== null) return fail(error);
      upstream = connected;
      if (socket.destroyed) return connected.destroy();
      connected.on('error', fail);
      connected.setTimeout(route.timeouts.response, () => fail(codeError('UND_ERR_HEADERS_TIMEOUT')));
      connected.write(request);
      if (head.length > 0) connected.write(head);
      connected.once('data', (first: Buffer) => {
        answered = true;
        connected.setTimeout(0);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(first.toString('latin1', 0, Math.min(first.length, 32)))?.[1];
        if (status !== '101') {
          const what = status === undefined ? 'with an answer that is not HTTP' : `with ${status}`;
          const refusal = hostCheckRefusal(Number(status ?? 0), first.toString('utf8', 0, Math.min(first.length, 4096)), hostWithoutPort(req.headers.host), req.url ?? '/');
          this.onUpstreamError(
            route,
            req,
            `${routeLabel(route)}: the dev server at ${route.target.origin} refused the WebSocket upgrade ${what}; its answer was passed to the browser.${refusal === undefined ? '' : ` ${refusal.hint}`}`,
          );
          if (onDone !== undefined) report(status === undefined ? 502 : Number(status), first.length, performance.now() - started);
        } else if (onDone !== undefined) {
          const opened = performance.now();
          report(101, 0, opened - started, 'open');
          connected.once('close', () => report(101, connected.bytesRead + connected.bytesWritten, performance.now() - opened, 'close'));
        }
        socket.write(first);
        relay(connected, socket);
      });
    });
    socket.once('close', () => {
      this.sockets.delete(socket);
      upstream?.destroy();
    });
    socket.on('error', () => socket.destroy());
  }

  /** Close every open WebSocket (used on shutdown). */
  closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** Pipe both ways; either side closing closes the other. */
function relay(upstream: Socket, socket: Duplex): void {
  upstream.pipe(socket);
  socket.pipe(upstream);
  upstream.once('close', () => socket.destroy());
}

function codeError(code: string): Error {
  return Object.assign(new Error(code), { code });
}
