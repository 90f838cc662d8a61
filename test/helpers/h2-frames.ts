// HTTP/2 written by hand over TLS (ALPN h2): the frames a hostile or broken client sends,
// which no HTTP/2 client library would let through, and the frames the server answers.
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { eventually } from './eventually.js';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FrameType = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8 } as const;
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;
/** RFC 9113 §7 error codes. */
export const ErrorCode = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, FRAME_SIZE_ERROR: 6, ENHANCE_YOUR_CALM: 11 } as const;

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

export function settingsFrame(entries: [number, number][] = []): Buffer {
  const payload = Buffer.alloc(6 * entries.length);
  entries.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, 6 * i);
    payload.writeUInt32BE(value, 6 * i + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

export function pingFrame(n: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(n >>> 0, 4);
  return frame(FrameType.PING, 0, 0, payload);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment >>> 0);
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, payload);
}

/** HPACK integer with an N-bit prefix (RFC 7541 §5.1). */
function hpackInteger(value: number, prefixBits: number, firstByte: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [firstByte | value];
  const bytes = [firstByte | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return Buffer.concat([Buffer.from(hpackInteger(bytes.length, 7, 0)), bytes]);
}

/**
 * A header block of literal fields without indexing, no Huffman (RFC 7541 §6.2.2): each name
 * and value goes on the wire exactly as given, bytes no client library would send included.
 */
export function headerBlock(fields: [string, string][]): Buffer {
  return Buffer.concat(fields.flatMap(([name, value]) => [Buffer.from([0x00]), hpackString(name), hpackString(value)]));
}

export function headersFrame(streamId: number, fields: [string, string][], endStream: boolean): Buffer {
  return frame(FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId, headerBlock(fields));
}

/** The fields of a request for https://host/path. */
export function requestFields(method: string, host: string, path = '/', extra: [string, string][] = []): [string, string][] {
  return [[':method', method], [':scheme', 'https'], [':authority', host], [':path', path], ...extra];
}

/** A raw HTTP/2 client connection: what it has received, parsed into frames. */
export class RawH2Connection {
  readonly frames: Frame[] = [];
  closed = false;
  private pending = Buffer.alloc(0);

  constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => (this.closed = true));
  }

  /** Open TLS with ALPN h2; unless `preface` is false, send the connection preface and an empty SETTINGS. */
  static open(port: number, servername: string, ca: string, options: { preface?: boolean } = {}): Promise<RawH2Connection> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, servername, ca, ALPNProtocols: ['h2'] }, () => {
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          reject(new Error(`ALPN chose ${String(socket.alpnProtocol)}`));
          return;
        }
        if (options.preface !== false) socket.write(Buffer.concat([PREFACE, settingsFrame()]));
        resolve(new RawH2Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  send(...bytes: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(bytes));
  }

  /** Half-close: the client's FIN, as a client does after it got a GOAWAY. */
  endWriting(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  ofType(type: number): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** The error code of the first GOAWAY received, or undefined. */
  goawayCode(): number | undefined {
    const goaway = this.ofType(FrameType.GOAWAY)[0];
    return goaway === undefined ? undefined : goaway.payload.readUInt32BE(4);
  }

  /** The error code of the RST_STREAM received for a stream, or undefined. */
  resetCode(streamId: number): number | undefined {
    const reset = this.frames.find((f) => f.type === FrameType.RST_STREAM && f.streamId === streamId);
    return reset === undefined ? undefined : reset.payload.readUInt32BE(0);
  }

  /** Whether the server sent response HEADERS on a stream. */
  responded(streamId: number): boolean {
    return this.frames.some((f) => f.type === FrameType.HEADERS && f.streamId === streamId);
  }

  waitFor(condition: () => boolean, ms = 3_000): Promise<boolean> {
    return eventually(condition, ms, 10);
  }

  private receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 9) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < 9 + length) break;
      const received: Frame = {
        type: this.pending[3] as number,
        flags: this.pending[4] as number,
        streamId: this.pending.readUInt32BE(5) & 0x7fffffff,
        payload: Buffer.from(this.pending.subarray(9, 9 + length)),
      };
      this.frames.push(received);
      // Answer the server's PINGs, as every HTTP/2 client does (while it can still write).
      if (received.type === FrameType.PING && (received.flags & Flag.ACK) === 0 && this.socket.writable) {
        this.socket.write(frame(FrameType.PING, Flag.ACK, 0, received.payload));
      }
      this.pending = this.pending.subarray(9 + length);
    }
  }
}
