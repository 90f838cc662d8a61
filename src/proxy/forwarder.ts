import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Route } from '../routes/route.js';
import { upstreamPath } from '../routes/upstream-path.js';
import { describeUpstreamError } from './upstream-errors.js';
import { sendErrorPage } from './error-pages.js';
import { downstreamResponseHeaders, upstreamRequestHeaders, type ForwardContext } from './upstream-headers.js';
import { abortResponse, asHttp1Response, requestAuthority, requestHasBody, type ProxyRequest, type ProxyResponse } from './http-compat.js';
import type { UpstreamPools } from './upstream-pools.js';
import { rewriteRedirectUrl, rewriteRefresh } from './redirect-rewrite.js';

/** Told about each request devtls could not forward (one line for the terminal). */
export type UpstreamErrorListener = (route: Route, req: ProxyRequest, message: string) => void;

/** Why devtls aborted an upstream request itself (never reported as a failure). */
const CLIENT_GONE = new Error('the browser closed the response');

/** Methods a dev server must be able to receive twice (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * Forwards admitted requests to their route's target and streams the answers back.
 * Bodies stream both ways with backpressure; nothing is buffered whole. When the browser
 * goes away, the upstream request is aborted too. A body-less idempotent request whose
 * kept-alive connection the dev server closed under it is retried once on a new one.
 */
export class Forwarder {
  private readonly pools: UpstreamPools;
  private readonly onUpstreamError: UpstreamErrorListener;

  constructor(pools: UpstreamPools, onUpstreamError: UpstreamErrorListener) {
    this.pools = pools;
    this.onUpstreamError = onUpstreamError;
  }

  forward(req: ProxyRequest, res: ProxyResponse, route: Route): void {
    const hasBody = requestHasBody(req);
    const options: Dispatcher.DispatchOptions = {
      path: upstreamPath(route, req.url as string),
      method: req.method as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(req, route, forwardContext(req)),
      body: hasBody ? req : null,
    };
    const handler = new ForwardHandler(this, req, res, route, hasBody ? undefined : options);
    // An HTTP/2 upload the browser cancels (RST_STREAM) ends its request stream as if complete
    // (Node's compatibility layer pushes EOF before the response's 'close'): abort the upstream
    // on 'aborted', which comes first, so the dev server never sees a truncated body as whole.
    if (hasBody && 'stream' in req) req.once('aborted', handler.onClientGone);
    this.pools.poolFor(route).dispatch(options, handler);
  }

  /** @internal for ForwardHandler */
  retry(route: Route, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    this.pools.dispatchOnFreshConnection(route, options, handler);
  }

  /** @internal for ForwardHandler */
  failed(route: Route, req: ProxyRequest, message: string): void {
    this.onUpstreamError(route, req, message);
  }
}

/** Who asked, as devtls saw the connection: the source of every X-Forwarded-* header. */
export function forwardContext(req: ProxyRequest): ForwardContext {
  const socket = req.socket;
  return { host: requestAuthority(req), clientAddress: socket.remoteAddress ?? '', port: socket.localPort ?? 0, proto: 'https' };
}

/** The dev server closed the connection before any byte of an answer (a stale kept-alive socket, a restart). */
function closedBeforeAnswer(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

type Controller = Dispatcher.DispatchController;

/**
 * undici's handler for one forwarded request: response headers go straight to writeHead
 * as a flat list and body chunks straight to the browser's response, pausing the upstream
 * while the browser's side is full. This skips the per-request AbortController, header
 * object and stream adapter of undici's higher-level `stream()` API.
 */
class ForwardHandler implements Dispatcher.DispatchHandler {
  private controller: Controller | undefined;
  private answered = false;
  private done = false;
  private readonly forwarder: Forwarder;
  private readonly req: ProxyRequest;
  private readonly res: ProxyResponse;
  private readonly route: Route;
  /** Set while one retry is still allowed: a body-less request, not yet retried. */
  private retryOptions: Dispatcher.DispatchOptions | undefined;

  constructor(forwarder: Forwarder, req: ProxyRequest, res: ProxyResponse, route: Route, retryOptions: Dispatcher.DispatchOptions | undefined) {
    this.forwarder = forwarder;
    this.req = req;
    this.res = res;
    this.route = route;
    this.retryOptions = retryOptions;
    // Also the only sign of a browser resetting an HTTP/2 stream. `on`, not `once`: 'close'
    // comes once anyway, and `once` would allocate a wrapper on every request.
    res.on('close', this.onClientGone);
  }

  readonly onClientGone = (): void => {
    if (this.done) return;
    this.done = true;
    this.controller?.abort(CLIENT_GONE);
  };

  private readonly onDrain = (): void => this.controller?.resume();

  onRequestStart(controller: Controller): void {
    if (this.done) controller.abort(CLIENT_GONE);
    else this.controller = controller;
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.done) return;
    if (statusCode < 200) return; // informational (103 Early Hints): the final response follows
    this.answered = true;
    if (this.route.rewriteRedirects && (headers['location'] !== undefined || headers['content-location'] !== undefined || headers['refresh'] !== undefined)) {
      rewriteRedirectHeaders(headers, this.route, requestAuthority(this.req));
    }
    asHttp1Response(this.res).writeHead(statusCode, downstreamResponseHeaders(headers));
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.done) return;
    if (asHttp1Response(this.res).write(chunk)) return;
    controller.pause();
    this.res.once('drain', this.onDrain);
  }

  onResponseEnd(_controller: Controller, trailers: IncomingHttpHeaders): void {
    if (this.done) return;
    this.done = true;
    // Trailers (gRPC-web status, Server-Timing) pass on where the browser's side can carry
    // them: HTTP/2 always, HTTP/1.1 when the response is chunked.
    for (const _name in trailers) {
      this.res.addTrailers(trailers as Record<string, string>);
      break;
    }
    this.res.end();
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (error === CLIENT_GONE || this.done) return;
    const retry = this.retryOptions;
    if (retry !== undefined) {
      this.retryOptions = undefined;
      // Once, on a new connection, only before any answer came and only for a method that
      // may be repeated, with no body (a body already streamed cannot be sent again).
      if (!this.answered && closedBeforeAnswer(error) && IDEMPOTENT.has(retry.method)) {
        this.controller = undefined;
        this.forwarder.retry(this.route, retry, this);
        return;
      }
    }
    this.done = true;
    const failure = describeUpstreamError(error, this.route);
    this.forwarder.failed(this.route, this.req, failure.logLine);
    if (this.res.headersSent) abortResponse(this.res);
    else sendErrorPage(this.req, this.res, failure.page);
  }
}

/** Keep redirects on devtls (see redirect-rewrite.ts); only called when such a header is there. */
function rewriteRedirectHeaders(headers: IncomingHttpHeaders, route: Route, authority: string): void {
  for (const name of ['location', 'content-location'] as const) {
    const value = headers[name];
    if (typeof value === 'string') headers[name] = rewriteRedirectUrl(value, route, authority) ?? value;
  }
  const refresh = headers['refresh'];
  if (typeof refresh === 'string') headers['refresh'] = rewriteRefresh(refresh, route, authority) ?? refresh;
}
