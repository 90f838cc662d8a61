import { request, Agent, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';

export interface HttpsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface HttpsRequestOptions {
  port: number;
  /** Sent as SNI and as Host (with the port), like a browser would. */
  host: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  /** The only CA trusted: the test's own devtls CA. */
  ca: string;
  agent?: Agent | false;
  /** Override SNI (undefined = same as host; '' = send none). */
  servername?: string;
}

/** An HTTPS request to devtls on 127.0.0.1 with only the test CA trusted; resolves with the whole body. */
export function httpsRequest(options: HttpsRequestOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const requestOptions: RequestOptions = {
      host: '127.0.0.1',
      port: options.port,
      path: options.path ?? '/',
      method: options.method ?? 'GET',
      servername: options.servername ?? options.host,
      ca: options.ca,
      headers: { host: `${options.host}:${options.port}`, ...options.headers },
      agent: options.agent ?? false,
    };
    const req = request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    // Silence this long is a hang: the request fails, naming itself, instead of stalling the run.
    req.setTimeout(30_000, () => req.destroy(new Error(`${requestOptions.method ?? 'GET'} https://${options.host}${requestOptions.path ?? '/'}: no answer in 30 s`)));
    const body = options.body;
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}
