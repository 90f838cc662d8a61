import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Route } from '../config/types.js';
import { describeUpstreamError } from './upstream-errors.js';
import { sendErrorPage } from './error-pages.js';
import { downstreamResponseHeaders, upstreamRequestHeaders, type ForwardContext } from './upstream-headers.js';
import { upstreamPath } from './request-target.js';

export type UpstreamErrorListener = (route: Route, req: IncomingMessage, message: string) => void;

/**
 * Forward one request to its route's target and stream the answer back.
 * Bodies stream both ways with backpressure; nothing is buffered whole.
 * When the browser goes away, the upstream request is aborted too.
 */
export function forwardHttpRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  pool: Dispatcher,
  context: ForwardContext,
  onUpstreamError: UpstreamErrorListener,
): void {
  const abort = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);

  const options: Dispatcher.RequestOptions = {
    path: upstreamPath(route, req.url as string),
    method: req.method as Dispatcher.HttpMethod,
    headers: upstreamRequestHeaders(req, route, context),
    body: hasRequestBody(req) ? req : null,
    signal: abort.signal,
  };

  pool.stream(
    options,
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, downstreamResponseHeaders(headers));
      return res;
    },
    (error) => {
      res.off('close', onClose);
      if (error === null) return;
      if (abort.signal.aborted || res.destroyed) return; // the browser left: nothing to answer
      const failure = describeUpstreamError(error, route);
      onUpstreamError(route, req, failure.logLine);
      if (res.headersSent) res.destroy();
      else sendErrorPage(req, res, failure.page);
    },
  );
}

function hasRequestBody(req: IncomingMessage): boolean {
  const headers = req.headers;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}
