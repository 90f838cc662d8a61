import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';

/**
 * An HTTP/2 request forwarded on its stream directly, without Node's compatibility layer
 * (Http2ServerRequest/Http2ServerResponse). That layer builds a readable stream, a writable
 * response, a header object and about ten listeners for every request, and asks every
 * response for trailers: a third of the CPU of a bare HTTP/2 server (31.6 vs 20.6 µs per
 * request, bench/http2-compat-cost.mjs). Requests to a route take this way, the stream itself carrying
 * an upload's body; CONNECT and everything devtls answers itself still go through the
 * compatibility layer.
 * Both classes offer just what the forwarder and the error pages use of a request and a
 * response, under the same names.
 */
export class StreamRequest {
  readonly httpVersionMajor = 2;
  readonly httpVersionMinor = 0;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly stream: ServerHttp2Stream;
  /** The TLS connection, as the session hands it out (a guarded view, as the compatibility layer's). */
  readonly socket: TLSSocket;

  /** Only while the stream's session is open (in its 'stream' event). */
  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]) {
    this.stream = stream;
    this.headers = headers;
    this.rawHeaders = rawHeaders;
    this.method = headers[':method'] as string;
    this.url = (headers[':path'] as string | undefined) ?? '';
    this.socket = (stream.session as NonNullable<ServerHttp2Stream['session']>).socket as TLSSocket;
  }
}

export class StreamResponse {
  readonly stream: ServerHttp2Stream;
  private trailers: OutgoingHttpHeaders | undefined;

  constructor(stream: ServerHttp2Stream) {
    this.stream = stream;
    stream.on('close', dropListeners);
  }

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  /**
   * Headers as an object or a flat [name, value, …] list (a repeated name, such as
   * set-cookie, becomes a list). Trailers can follow only a response of unknown length (the
   * dev server's chunked answer) or one that announces them: only those ask for them.
   */
  writeHead(status: number, headers: OutgoingHttpHeaders | readonly string[]): this {
    // The browser reset the stream a moment ago: its 'close', which stops the forwarder, is on its way.
    if (this.stream.destroyed || this.stream.closed) return this;
    const out: OutgoingHttpHeaders = { ':status': status };
    if (isFlat(headers)) {
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i] as string;
        const value = headers[i + 1] as string;
        const previous = out[name];
        out[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [String(previous), value];
      }
    } else Object.assign(out, headers);
    const mayHaveTrailers = out['content-length'] === undefined || out['trailer'] !== undefined;
    if (mayHaveTrailers) {
      this.stream.respond(out, { waitForTrailers: true });
      this.stream.once('wantTrailers', this.sendTrailers);
    } else this.stream.respond(out);
    return this;
  }

  write(chunk: Buffer): boolean {
    if (this.stream.writableEnded) return true; // a HEAD request, or a 204/304: the stream ended with its headers
    return this.stream.write(chunk);
  }

  /** Bytes written and not yet taken by the session. */
  get writableLength(): number {
    return this.stream.writableLength;
  }

  end(body?: string | Buffer): this {
    if (this.stream.writableEnded || this.stream.destroyed) return this;
    if (body === undefined) this.stream.end();
    else this.stream.end(body);
    return this;
  }

  addTrailers(trailers: OutgoingHttpHeaders): void {
    this.trailers = trailers;
  }

  on(event: 'close' | 'drain', listener: () => void): this {
    this.stream.on(event, listener);
    return this;
  }

  once(event: 'close' | 'drain', listener: () => void): this {
    this.stream.once(event, listener);
    return this;
  }

  private readonly sendTrailers = (): void => {
    this.stream.sendTrailers(this.trailers ?? {});
  };
}

/**
 * 'close' is a stream's last event: its listeners go with it (one function for every stream,
 * called with the stream as `this`). Node keeps a closed stream reachable from its native
 * handle until a full collection, and with it everything its listeners reach (the
 * forwarder's handler, undici's request, both sides' headers): under HTTP/2 load all of that
 * was promoted to the old generation, 4.7 KB per request; without the listeners, 2.4 KB,
 * Node's own part (bench/gc-trace.mjs, BENCHMARKS.md).
 */
function dropListeners(this: ServerHttp2Stream): void {
  this.removeAllListeners();
}

function isFlat(headers: OutgoingHttpHeaders | readonly string[]): headers is readonly string[] {
  return Array.isArray(headers);
}
