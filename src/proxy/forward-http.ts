import type { Dispatcher } from 'undici';
import type { Route } from '../config/types.js';
import { describeUpstreamError } from './upstream-errors.js';
import { sendErrorPage } from './error-pages.js';
import { downstreamResponseHeaders, upstreamRequestHeaders, type ForwardContext } from './upstream-headers.js';
import { upstreamPath } from './request-target.js';
import { abortResponse, asHttp1Response, requestHasBody, type ProxyRequest, type ProxyResponse } from './http-exchange.js';

export type UpstreamErrorListener = (route: Route, req: ProxyRequest, message: string) => void;

/** Why devtls aborted an upstream request itself (never reported as a failure). */
const CLIENT_GONE = new Error('the browser closed the response');

/**
 * Forward one request to its route's target and stream the answer back.
 * Bodies stream both ways with backpressure; nothing is buffered whole.
 * When the browser goes away, the upstream request is aborted too.
 */
export function forwardHttpRequest(
  req: ProxyRequest,
  res: ProxyResponse,
  route: Route,
  pool: Dispatcher,
  context: ForwardContext,
  onUpstreamError: UpstreamErrorListener,
): void {
  const handler = new ForwardHandler(req, res, route, onUpstreamError);
  pool.dispatch(
    {
      path: upstreamPath(route, req.url as string),
      method: req.method as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(req, route, context),
      body: requestHasBody(req) ? req : null,
    },
    handler,
  );
}

/**
 * undici's low-level handler for one forwarded request: response headers go straight to
 * writeHead as a flat list and body chunks straight to the browser's response, pausing the
 * upstream while the browser's side is full. This skips the per-request AbortController,
 * header object and stream adapter of undici's higher-level `stream()` API (about a tenth
 * of the proxy's CPU per request).
 */
class ForwardHandler {
  private abortUpstream: ((error: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private done = false;
  private readonly req: ProxyRequest;
  private readonly res: ProxyResponse;
  private readonly route: Route;
  private readonly onUpstreamError: UpstreamErrorListener;

  constructor(req: ProxyRequest, res: ProxyResponse, route: Route, onUpstreamError: UpstreamErrorListener) {
    this.req = req;
    this.res = res;
    this.route = route;
    this.onUpstreamError = onUpstreamError;
    // Also the only sign of a browser resetting an HTTP/2 stream.
    res.once('close', this.onResponseClose);
  }

  private readonly onResponseClose = (): void => {
    if (this.done) return;
    this.done = true;
    this.abortUpstream?.(CLIENT_GONE);
  };

  private readonly onDrain = (): void => this.resumeUpstream?.();

  onConnect(abort: (error: Error) => void): void {
    if (this.done) abort(CLIENT_GONE);
    else this.abortUpstream = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.done) return false;
    if (statusCode < 200) return true; // informational (103 Early Hints): the final response follows
    this.resumeUpstream = resume;
    asHttp1Response(this.res).writeHead(statusCode, downstreamResponseHeaders(rawHeaders));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    if (asHttp1Response(this.res).write(chunk)) return true;
    this.res.once('drain', this.onDrain);
    return false;
  }

  onComplete(): void {
    if (this.done) return;
    this.done = true;
    this.res.end();
  }

  onError(error: Error): void {
    if (error === CLIENT_GONE || this.done) return;
    this.done = true;
    const failure = describeUpstreamError(error, this.route);
    this.onUpstreamError(this.route, this.req, failure.logLine);
    if (this.res.headersSent) abortResponse(this.res);
    else sendErrorPage(this.req, this.res, failure.page);
  }
}
