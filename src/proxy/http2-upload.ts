/**
 * An HTTP/2 request body as undici reads it. undici reads a stream body chunk by chunk as its
 * events come, and then destroys it; destroying an HTTP/2 stream would end its response too,
 * so undici gets this small stand-in instead of the stream. An async iterator over the
 * stream would do as well, at three promise hops per 16 KiB DATA frame: this costs ~10 % less
 * CPU per MiB uploaded over HTTP/2 (BENCHMARKS.md, 2026-12-03).
 *
 * - Nothing is read before undici asks (its first `resume()`), so no chunk is emitted with
 *   nobody listening; until then HTTP/2 flow control holds the browser back.
 * - A stream reset or closed before its end, or ended after being marked aborted (a reset
 *   with NO_ERROR), fails the body with `cut`, so undici cuts the dev server's request
 *   instead of ending it as if whole.
 * - `destroy()` only lets go of the stream.
 */
import { EventEmitter } from 'node:events';
import type { ServerHttp2Stream } from 'node:http2';

export class Http2Upload extends EventEmitter {
  destroyed = false;
  private attached = false;
  private readonly stream: ServerHttp2Stream;
  private readonly cut: Error;

  constructor(stream: ServerHttp2Stream, cut: Error) {
    super();
    this.stream = stream;
    this.cut = cut;
  }

  /** Never called: undici tells a stream body from others by its having `pipe` and `on`. */
  pipe(): never {
    throw new Error('an HTTP/2 upload is read by events, not piped');
  }

  resume(): this {
    if (this.destroyed) return this;
    if (!this.attached) {
      this.attached = true;
      this.stream.on('data', this.onData);
      this.stream.on('end', this.onEnd);
      this.stream.on('error', this.onCut);
      this.stream.on('close', this.onCut);
    }
    this.stream.resume();
    return this;
  }

  pause(): this {
    if (!this.destroyed) this.stream.pause();
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    this.detach();
    return this;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.emit('data', chunk);
  };

  private readonly onEnd = (): void => {
    this.detach();
    if (this.stream.aborted) this.fail();
    else this.emit('end');
  };

  private readonly onCut = (): void => {
    this.detach();
    this.fail();
  };

  private fail(): void {
    // undici listens for errors while it sends; once it let go, there is nobody to tell.
    if (this.listenerCount('error') > 0) this.emit('error', this.cut);
  }

  private detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('error', this.onCut);
    this.stream.off('close', this.onCut);
  }
}
