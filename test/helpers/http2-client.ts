import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';

/** An HTTP/2 session to devtls on 127.0.0.1, trusting only the test CA. */
export async function http2Session(port: number, host: string, ca: string): Promise<ClientHttp2Session> {
  const session = connect(`https://${host}:${port}`, { ca, servername: host, host: '127.0.0.1', port } as Parameters<typeof connect>[1] & { host: string; port: number });
  session.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}

export interface Http2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request on a session; resolves with the whole body. */
export function http2Request(session: ClientHttp2Session, headers: Record<string, string>, body?: Buffer | Buffer[]): Promise<Http2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => (responseHeaders = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status: Number(responseHeaders[':status']), headers: responseHeaders, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    // Silence this long is a hang: the request fails, naming itself, instead of stalling the run.
    stream.setTimeout(30_000, () => stream.destroy(new Error(`HTTP/2 ${headers[':method'] ?? 'GET'} ${headers[':path'] ?? '/'}: no answer in 30 s`)));
    if (body !== undefined) {
      for (const chunk of Array.isArray(body) ? body : [body]) stream.write(chunk);
      stream.end();
    }
  });
}
