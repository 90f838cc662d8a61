import type { Dispatcher } from 'undici';
import type { Route } from '../config/types.js';
import { describeUpstreamError } from './upstream-errors.js';
import { sendErrorPage } from './error-pages.js';
import { downstreamResponseHeaders, upstreamRequestHeaders, type ForwardContext } from './upstream-headers.js';
import { upstreamPath } from './request-target.js';
import { abortResponse, requestHasBody, type ProxyRequest, type ProxyResponse } from './http-exchange.js';

export type UpstreamErrorListener = (route: Route, req: ProxyRequest, message: string) => void;

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
  // When the response closes, abort the upstream request: a no-op once undici has
  // completed it, and the only signal undici gets when a browser resets an HTTP/2 stream
  // (the compatibility response then reports 'finish' as if it had been sent whole).
  const abort = new AbortController();
  res.once('close', () => abort.abort());

  const options: Dispatcher.RequestOptions = {
    path: upstreamPath(route, req.url as string),
    method: req.method as Dispatcher.HttpMethod,
    headers: upstreamRequestHeaders(req, route, context),
    body: requestHasBody(req) ? req : null,
    signal: abort.signal,
  };

  pool.stream(
    options,
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, downstreamResponseHeaders(headers));
      return res as NodeJS.WritableStream as import('node:stream').Writable;
    },
    (error) => {
      if (error === null) return;
      if (abort.signal.aborted || res.destroyed) return; // the browser left: nothing to answer
      const failure = describeUpstreamError(error, route);
      onUpstreamError(route, req, failure.logLine);
      if (res.headersSent) abortResponse(res);
      else sendErrorPage(req, res, failure.page);
    },
  );
}
