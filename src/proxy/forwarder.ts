import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Route } from '../routes/route.js';
import { upstreamPath } from '../routes/upstream-path.js';
import { TlsTargetProbe } from './tls-target-probe.js';
import { describeUpstreamError } from './upstream-errors.js';
import { sendErrorPage } from './error-pages.js';
import { downstreamResponseHeaders, upstreamRequestHeaders, type ForwardContext } from './upstream-headers.js';
import { RELAY_ALLOWANCE_PER_RESPONSE, RELAY_ALLOWANCE_TOTAL, RelayAllowance } from './relay-allowance.js';
import { abortResponse, asHttp1Response, requestAuthority, requestHasBody, type ProxyRequest, type ProxyResponse } from './http-compat.js';
import type { UpstreamPools } from './upstream-pools.js';
import { rewriteRedirectUrl, rewriteRefresh } from './redirect-rewrite.js';
import { hostCheckRefusal, mayBeHostCheck } from './host-check-hints.js';
import { hostWithoutPort } from './host-header.js';
import type { RequestDoneListener } from './request-done.js';
import { StreamRequest } from './http2-stream-exchange.js';
import type { Readable } from 'node:stream';
import { Http2Upload } from './http2-upload.js';
import { routeLabel } from '../routes/labels.js';

/** Told about each request devtls could not forward (one line for the terminal). */
export type UpstreamErrorListener = (route: Route, req: ProxyRequest, message: string) => void;

/** Why devtls aborted an upstream request itself (never reported as a failure). */
const CLIENT_GONE = new Error('the browser closed the response');

/** Methods a dev server must be able to receive twice (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export interface ForwarderOptions {
  /** Told of every finished request (the access log); none: nothing is measured. */
  onDone?: RequestDoneListener | undefined;
  /** Response bytes that may wait for browsers (default: 32 MiB in all, 1 MiB each). */
  allowance?: RelayAllowance;
  /** A route as the current routes have it, when a reload moved only its target. */
  movedVersionOf?: (route: Route) => Route | undefined;
}

/**
 * Forwards admitted requests to their route's target and streams the answers back.
 * Bodies stream both ways with backpressure; nothing is buffered whole. When the browser
 * goes away, the upstream request is aborted too. A body-less idempotent request whose
 * kept-alive connection the dev server closed under it is retried once on a new one.
 */
export class Forwarder {
  private readonly pools: UpstreamPools;
  private readonly onUpstreamError: UpstreamErrorListener;
  /** @internal for ForwardHandler; undefined: no access log, and nothing is measured. */
  readonly onDone: RequestDoneListener | undefined;

  /** @internal for ForwardHandler: response bytes that may wait for browsers without pausing a dev server's answer. */
  readonly allowance: RelayAllowance;
  /** @internal for ForwardHandler: a route as the current routes have it, when a reload moved only its target. */
  readonly movedVersionOf: (route: Route) => Route | undefined;
  /** @internal for ForwardHandler: whether a dev server that dropped a request serves HTTPS itself. */
  readonly tlsProbe = new TlsTargetProbe();

  constructor(pools: UpstreamPools, onUpstreamError: UpstreamErrorListener, options: ForwarderOptions = {}) {
    this.pools = pools;
    this.onUpstreamError = onUpstreamError;
    this.onDone = options.onDone;
    this.allowance = options.allowance ?? new RelayAllowance(RELAY_ALLOWANCE_TOTAL, RELAY_ALLOWANCE_PER_RESPONSE);
    this.movedVersionOf = options.movedVersionOf ?? (() => undefined);
  }

  forward(req: ProxyRequest, res: ProxyResponse, route: Route): void {
    const hasBody = requestHasBody(req);
    const options: Dispatcher.DispatchOptions = {
      path: upstreamPath(route, req.url as string),
      method: req.method as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(req, route, forwardContext(req)),
      // undici reads anything with `on` and `pipe` as a stream; its types name only Readable.
      body: hasBody ? (requestBody(req) as Readable) : null,
    };
    const handler = new ForwardHandler(this, req, res, route, hasBody ? undefined : options, this.onDone === undefined ? 0 : performance.now());
    // An HTTP/2 upload the browser cancels (RST_STREAM) may end its request stream as if
    // complete: abort the upstream on 'aborted', which comes first, so the dev server never
    // sees a truncated body as whole (Http2Upload checks once more at the end).
    if (hasBody && 'stream' in req) (req instanceof StreamRequest ? req.stream : req).once('aborted', handler.onClientGone);
    this.pools.poolFor(route).dispatch(options, handler);
  }

  /** @internal for ForwardHandler */
  retry(route: Route, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    this.pools.dispatchOnFreshConnection(route, options, handler);
  }

  /** @internal for ForwardHandler: the same request again, through the route's pool. */
  redispatch(route: Route, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    this.pools.poolFor(route).dispatch(options, handler);
  }

  /** @internal for ForwardHandler */
  failed(route: Route, req: ProxyRequest, message: string): void {
    if (!this.stopping) this.onUpstreamError(route, req, message);
  }

  /**
   * devtls is shutting down: streams still open (server-sent events, long polls) are cut
   * by devtls itself, which is no dev-server failure to warn about.
   */
  stop(): void {
    this.stopping = true;
  }

  private stopping = false;

  /** @internal for ForwardHandler: one access-log entry, only called when onDone is set. */
  done(route: Route, req: ProxyRequest, status: number, bytes: number, started: number): void {
    (this.onDone as RequestDoneListener)({
      route,
      host: hostWithoutPort(requestAuthority(req)),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status,
      bytes,
      ms: performance.now() - started,
      protocol: 'stream' in req ? 'h2' : 'h1',
    });
  }
}

/**
 * The body to send on. An HTTP/2 stream forwarded directly carries the body itself, read
 * through a stand-in undici may destroy (http2-upload.ts); an HTTP/1.1 request is the body's
 * stream.
 */
function requestBody(req: ProxyRequest): Readable | Http2Upload {
  return req instanceof StreamRequest ? new Http2Upload(req.stream, CLIENT_GONE) : req;
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

/** Between connection attempts to a dev server that is not listening yet: short, then a little longer. */
const REFUSED_RETRY_FIRST_MS = 25;
const REFUSED_RETRY_MAX_MS = 250;

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
  /** For the access log: the status sent, body bytes sent, and when the request came (0: not measured). */
  private status = 0;
  private bytes = 0;
  private readonly started: number;
  private readonly forwarder: Forwarder;
  private readonly req: ProxyRequest;
  private readonly res: ProxyResponse;
  /** Replaced, while the request waits for a dev server, by a reload that moved only its target. */
  private route: Route;
  /** Set while one retry is still allowed: a body-less request, not yet retried. */
  private retryOptions: Dispatcher.DispatchOptions | undefined;
  /** A small 400/401/403 answer held back until it is known whether it is a dev server's host check. */
  private held: HeldAnswer | undefined;
  /** A body-less request, which may be sent again while the dev server is starting. */
  private readonly replayOptions: Dispatcher.DispatchOptions | undefined;
  /** Set at the first refused connection: until when to keep trying. */
  private refusedSince = 0;
  private refusedDelay = REFUSED_RETRY_FIRST_MS;
  /** Bytes queued for the browser on the allowance, given back at the next 'drain' or at 'close'. */
  private borrowed = 0;

  constructor(forwarder: Forwarder, req: ProxyRequest, res: ProxyResponse, route: Route, retryOptions: Dispatcher.DispatchOptions | undefined, started: number) {
    this.forwarder = forwarder;
    this.started = started;
    this.req = req;
    this.res = res;
    this.route = route;
    this.retryOptions = retryOptions;
    this.replayOptions = retryOptions;
    // Also the only sign of a browser resetting an HTTP/2 stream. `on`, not `once`: 'close'
    // comes once anyway, and `once` would allocate a wrapper on every request.
    res.on('close', this.onClientGone);
  }

  readonly onClientGone = (): void => {
    // What is still queued goes with the response (a later 'drain' then gives back nothing).
    if (this.borrowed !== 0) this.giveBackBorrowed();
    if (this.done) return;
    this.done = true;
    this.controller?.abort(CLIENT_GONE);
    // 499: the browser went away before the answer was complete (nginx's convention).
    if (this.started !== 0) this.forwarder.done(this.route, this.req, this.status === 0 ? 499 : this.status, this.bytes, this.started);
  };

  private readonly onDrain = (): void => this.controller?.resume();

  private readonly giveBackBorrowed = (): void => {
    this.forwarder.allowance.giveBack(this.borrowed);
    this.borrowed = 0;
  };

  onRequestStart(controller: Controller): void {
    if (this.done) controller.abort(CLIENT_GONE);
    else this.controller = controller;
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.done) return;
    if (statusCode < 200) return; // informational (103 Early Hints): the final response follows
    this.answered = true;
    this.status = statusCode;
    if (this.route.rewriteRedirects && (headers['location'] !== undefined || headers['content-location'] !== undefined || headers['refresh'] !== undefined)) {
      rewriteRedirectHeaders(headers, this.route, requestAuthority(this.req));
    }
    if (mayBeHostCheck(statusCode) && headers['content-encoding'] === undefined) {
      this.held = { status: statusCode, headers, chunks: [], bytes: 0 };
      return;
    }
    asHttp1Response(this.res).writeHead(statusCode, downstreamResponseHeaders(headers));
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.done) return;
    this.bytes += chunk.length;
    const held = this.held;
    if (held !== undefined) {
      held.chunks.push(chunk);
      held.bytes += chunk.length;
      if (held.bytes <= HELD_BYTES) return;
      this.releaseHeld(); // too big for a host-check page: pass it on as it is
      return;
    }
    const res = asHttp1Response(this.res);
    if (res.write(chunk)) return;
    // The browser's side reports full: keep reading while the allowance lends room.
    if (this.forwarder.allowance.lend(res.writableLength, chunk.length)) {
      if (this.borrowed === 0) this.res.once('drain', this.giveBackBorrowed);
      this.borrowed += chunk.length;
      return;
    }
    controller.pause();
    this.res.once('drain', this.onDrain);
  }

  onResponseEnd(_controller: Controller, trailers: IncomingHttpHeaders): void {
    if (this.done) return;
    if (this.held !== undefined && this.answeredHostCheck(this.held)) {
      if (this.started !== 0) this.forwarder.done(this.route, this.req, this.status, this.bytes, this.started);
      return;
    }
    if (this.held !== undefined) this.releaseHeld();
    this.done = true;
    // Trailers (gRPC-web status, Server-Timing) pass on where the browser's side can carry
    // them: HTTP/2 always, HTTP/1.1 when the response is chunked.
    for (const _name in trailers) {
      this.res.addTrailers(trailers as Record<string, string>);
      break;
    }
    this.res.end();
    if (this.started !== 0) this.forwarder.done(this.route, this.req, this.status, this.bytes, this.started);
  }

  /** Write a held answer as the dev server sent it. */
  private releaseHeld(): void {
    const held = this.held as HeldAnswer;
    this.held = undefined;
    const res = asHttp1Response(this.res);
    res.writeHead(held.status, downstreamResponseHeaders(held.headers));
    for (const chunk of held.chunks) res.write(chunk);
  }

  /** A dev server's host check refused the name: devtls's page says which setting allows it. */
  private answeredHostCheck(held: HeldAnswer): boolean {
    const host = hostWithoutPort(requestAuthority(this.req));
    const text = Buffer.concat(held.chunks).toString('utf8');
    const refusal = hostCheckRefusal(held.status, text, host, this.req.url ?? '/');
    if (refusal === undefined) return false;
    this.done = true;
    this.held = undefined;
    this.forwarder.failed(this.route, this.req, `${held.status} ${routeLabel(this.route)} → ${this.route.target.origin}: ${refusal.hint}`);
    sendErrorPage(this.req, this.res, {
      status: held.status,
      title: 'Blocked by the dev server',
      detail: `The dev server (${refusal.server}) at ${this.route.target.origin} refused the name ${host}: ${firstLine(text)}`,
      hint: refusal.hint,
    });
    return true;
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
    if (this.replayOptions !== undefined && !this.answered && (error as { code?: string }).code === 'ECONNREFUSED' && this.waitForListener()) return;
    this.done = true;
    this.held = undefined;
    // Dropped before any answer: a dev server that serves HTTPS itself does that to plain HTTP.
    if (!this.answered && !this.res.headersSent && (closedBeforeAnswer(error) || (error as { code?: string }).code?.startsWith('HPE_') === true)) {
      void this.forwarder.tlsProbe.speaksTls(this.route.target).then((servesTls) => this.fail(error, servesTls));
      return;
    }
    this.fail(error, false);
  }

  private fail(error: Error, servesTls: boolean): void {
    const failure = describeUpstreamError(error, this.route, this.refusedSince === 0 ? 0 : Date.now() - this.refusedSince, servesTls);
    this.forwarder.failed(this.route, this.req, failure.logLine);
    const sent = this.res.headersSent;
    if (sent) abortResponse(this.res);
    const pageBytes = sent ? 0 : sendErrorPage(this.req, this.res, failure.page);
    if (this.started !== 0) this.forwarder.done(this.route, this.req, sent ? this.status : failure.page.status, sent ? this.bytes : pageBytes, this.started);
  }

  /**
   * The dev server refused the connection: it is starting or restarting (a watcher such as
   * nodemon). Try again shortly, up to the route's connect timeout, instead of a 502 at once.
   * False when the time is up.
   */
  private waitForListener(): boolean {
    const now = Date.now();
    if (this.refusedSince === 0) this.refusedSince = now;
    const left = this.refusedSince + this.route.timeouts.connect - now;
    if (left <= 0) return false;
    const delay = Math.min(this.refusedDelay, left);
    this.refusedDelay = Math.min(this.refusedDelay * 2, REFUSED_RETRY_MAX_MS);
    this.controller = undefined;
    setTimeout(() => {
      if (this.done) return;
      // The dev server turned up elsewhere (an edited port; devtls run found it on another one).
      this.route = this.forwarder.movedVersionOf(this.route) ?? this.route;
      this.forwarder.redispatch(this.route, this.replayOptions as Dispatcher.DispatchOptions, this);
    }, delay).unref();
    return true;
  }
}

/** A 400/401/403 answer waiting to be recognised (or passed on). */
interface HeldAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  chunks: Buffer[];
  bytes: number;
}

/** Host-check pages are short; anything longer is passed on unread. */
const HELD_BYTES = 16 * 1024;

function firstLine(html: string): string {
  const text = html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
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
