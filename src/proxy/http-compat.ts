import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as http2Constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';

/** A request from the browser, over HTTP/1.1 or HTTP/2 (Node's compatibility API). */
export type ProxyRequest = IncomingMessage | Http2ServerRequest;
/** The answer to it. Both kinds share writeHead/write/end and the 'close' event. */
export type ProxyResponse = ServerResponse | Http2ServerResponse;

/** Host as the browser sent it (with port): `Host` over HTTP/1.1, `:authority` over HTTP/2. */
export function requestAuthority(req: ProxyRequest): string {
  const headers = req.headers;
  return headers.host ?? (headers[':authority'] as string | undefined) ?? '';
}

/**
 * Whether the request carries a body. HTTP/1.1 says so with Content-Length or
 * Transfer-Encoding; an HTTP/2 body may come with neither, so the stream says whether
 * the headers ended it.
 */
export function requestHasBody(req: ProxyRequest): boolean {
  if ('stream' in req) return !req.stream.endAfterHeaders;
  const headers = req.headers;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/** Cut a response off mid-way (the upstream failed after the headers went out). */
export function abortResponse(res: ProxyResponse): void {
  if ('stream' in res) res.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
  else res.destroy();
}

/**
 * Both response kinds accept a flat [name, value, …] header list and Buffer chunks at run
 * time (checked with HTTP/1.1 and HTTP/2 clients in the tests); the type definitions only
 * say so for HTTP/1.1, hence one view of them here.
 */
export function asHttp1Response(res: ProxyResponse): ServerResponse {
  return res as ServerResponse;
}
