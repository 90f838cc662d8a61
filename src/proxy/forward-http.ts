import type { Dispatcher } from 'undici';
import type { Route } from '../routes/route.js';
import { describeUpstreamError } from './upstream-errors.js';
import { sendErrorPage } from './error-pages.js';
import { downstreamResponseHeaders, upstreamRequestHeaders, type ForwardContext } from './upstream-headers.js';
import { upstreamPath } from '../routes/upstream-path.js';
import { abortResponse, asHttp1Response, requestHasBody, type ProxyRequest, type ProxyResponse } from './http-compat.js';
import type { FreshConnections } from './fresh-connection.js';

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
  retries: FreshConnections,
): void {
  const hasBody = requestHasBody(req);
  const options: Dispatcher.DispatchOptions = {
    path: upstreamPath(route, req.url as string),
    method: req.method as Dispatcher.HttpMethod,
    headers: upstreamRequestHeaders(req, route, context),
    body: hasBody ? req : null,
  };
  const handler = new ForwardHandler(req, res, route, onUpstreamError, hasBody ? undefined : options, retries);
  // An HTTP/2 upload the browser cancels (RST_STREAM) ends its request stream as if complete
  // (Node's compatibility layer pushes EOF before the response's 'close'): abort the upstream
  // on 'aborted', which comes first, so the dev server never sees a truncated body as whole.
  if (hasBody && 'stream' in req) req.once('aborted', handler.onClientGone);
  pool.dispatch(options, handler);
}

/** Methods a dev server must be able to receive twice (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** The dev server closed the connection before any byte of an answer (a stale kept-alive socket, a restart). */
function closedBeforeAnswer(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
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
  /** Set while one retry is still allowed: a body-less request, not yet retried. */
  private retryOptions: Dispatcher.DispatchOptions | undefined;
  private readonly retries: FreshConnections;

  constructor(
    req: ProxyRequest,
    res: ProxyResponse,
    route: Route,
    onUpstreamError: UpstreamErrorListener,
    retryOptions: Dispatcher.DispatchOptions | undefined,
    retries: FreshConnections,
  ) {
    this.req = req;
    this.res = res;
    this.route = route;
    this.onUpstreamError = onUpstreamError;
    this.retryOptions = retryOptions;
    this.retries = retries;
    // Also the only sign of a browser resetting an HTTP/2 stream. `on`, not `once`: 'close'
    // comes once anyway, and `once` would allocate a wrapper on every request.
    res.on('close', this.onClientGone);
  }

  readonly onClientGone = (): void => {
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

  onComplete(trailers: (Buffer | string)[] | null): void {
    if (this.done) return;
    this.done = true;
    // Trailers (gRPC-web status, Server-Timing) pass on where the browser's side can carry
    // them: HTTP/2 always, HTTP/1.1 when the response is chunked.
    if (trailers !== null && trailers.length > 0) this.res.addTrailers(trailerObject(trailers));
    this.res.end();
  }

  onError(error: Error): void {
    if (error === CLIENT_GONE || this.done) return;
    const retry = this.retryOptions;
    if (retry !== undefined) {
      this.retryOptions = undefined;
      // Once, on a new connection, only before any answer came and only for a method that
      // may be repeated, with no body (a body already streamed cannot be sent again).
      if (this.resumeUpstream === undefined && closedBeforeAnswer(error) && IDEMPOTENT.has(retry.method)) {
        this.abortUpstream = undefined;
        this.retries.dispatch(this.route.target, retry, this);
        return;
      }
    }
    this.done = true;
    const failure = describeUpstreamError(error, this.route);
    this.onUpstreamError(this.route, this.req, failure.logLine);
    if (this.res.headersSent) abortResponse(this.res);
    else sendErrorPage(this.req, this.res, failure.page);
  }
}

/** undici hands trailers over raw: [name, value, …] as Buffers. */
function trailerObject(raw: readonly (Buffer | string)[]): Record<string, string> {
  const text = (item: Buffer | string | undefined): string => (typeof item === 'string' ? item : (item?.toString('latin1') ?? ''));
  const trailers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) trailers[text(raw[i]).toLowerCase()] = text(raw[i + 1]);
  return trailers;
}
