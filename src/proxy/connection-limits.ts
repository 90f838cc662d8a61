/**
 * How long a browser-side connection may take, or sit idle, before devtls closes it, and how
 * large a request head may be. Chosen deliberately (documented in SECURITY.md); the defaults
 * suit browsers on the same machine. Tests pass shorter ones to DevProxy.
 */
export interface ConnectionLimits {
  /** A new TCP connection must send its first byte (a TLS ClientHello) and finish the TLS handshake within this. */
  handshakeMs: number;
  /**
   * HTTP/1.1: a request's whole head (request line + headers) must arrive within this,
   * counted from the connection's start or the request's first byte. Stops slowloris (headers
   * trickled a byte at a time) and connections opened and left silent.
   */
  headersMs: number;
  /** HTTP/1.1: the whole request, body included, must arrive within this (0 = no limit). */
  requestMs: number;
  /** HTTP/1.1: an idle keep-alive connection (between requests) is closed after this. */
  keepAliveMs: number;
  /** How often Node checks HTTP/1.1 connections against headersMs/requestMs. */
  checkIntervalMs: number;
  /**
   * HTTP/2: a session with no frames either way for this long gets a GOAWAY; it closes at
   * once when idle. Streams still open (a long poll) may finish, unless the session stays
   * silent for this long again.
   */
  http2IdleMs: number;
  /** HTTP/2: a session silent this long gets a PING; unanswered within http2GoawayGraceMs, it is destroyed. */
  http2ProbeMs: number;
  /**
   * HTTP/2: after a GOAWAY from the client, or a PING of devtls's, the session and its socket
   * are destroyed this long after unless the client answers the PING, whatever its streams are doing.
   */
  http2GoawayGraceMs: number;
  /** HTTP/2: PING and SETTINGS frames a session may send at once (each makes devtls queue an ACK); past it, GOAWAY ENHANCE_YOUR_CALM. */
  http2ControlFrameBurst: number;
  /** HTTP/2: how fast that allowance refills. */
  http2ControlFramesPerSecond: number;
  /** HTTP/1.1: bytes of request head; larger gets 431. (HTTP/2 has nghttp2's own 64 KiB limit.) */
  maxHeaderBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  handshakeMs: 10_000,
  headersMs: 20_000,
  requestMs: 300_000,
  keepAliveMs: 60_000,
  checkIntervalMs: 1_000,
  http2IdleMs: 120_000,
  http2ProbeMs: 10_000,
  http2GoawayGraceMs: 5_000,
  http2ControlFrameBurst: 1_000,
  http2ControlFramesPerSecond: 100,
  maxHeaderBytes: 16_384,
};

export function connectionLimits(overrides: Partial<ConnectionLimits> | undefined): ConnectionLimits {
  return { ...DEFAULT_CONNECTION_LIMITS, ...overrides };
}
