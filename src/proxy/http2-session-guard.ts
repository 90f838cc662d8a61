import { constants as h2, type ServerHttp2Session } from 'node:http2';
import { TokenBucket } from '../pki/token-bucket.js';
import type { ConnectionLimits } from './connection-limits.js';

/**
 * Bounds on one HTTP/2 session that Node 20 does not apply itself:
 *
 * - **A peer that is gone.** A session with no frames either way for `http2ProbeMs` gets a
 *   PING; if the ACK does not come within `http2GoawayGraceMs` the session and its socket are
 *   destroyed (its streams' upstream requests are aborted with them). This is what frees a
 *   session nghttp2 has already ended by itself (a GOAWAY for a protocol error it handles,
 *   such as an oversized DATA frame): Node reports no event then and stops reading the
 *   socket, so the client's FIN is never seen and the socket would stay open for good.
 * - **Idle, and really freed.** Silent (but for those PINGs) for `http2IdleMs`: GOAWAY. With
 *   no open streams it ends; open streams (a long poll) may finish, unless the session stays
 *   silent for another `http2IdleMs`.
 * - **A GOAWAY from the client**: Node keeps the session until its streams finish; it is
 *   destroyed `http2GoawayGraceMs` later whatever they are doing.
 * - **Control-frame floods.** Every PING and SETTINGS frame makes nghttp2 queue an ACK, even
 *   for a client that reads nothing. More than `http2ControlFrameBurst` of them at once (refilled
 *   at `http2ControlFramesPerSecond`) ends the session with GOAWAY ENHANCE_YOUR_CALM.
 * - **The RFC 9113 code on connection errors** Node reports as a session error (a bad preface,
 *   a flow-control window overflow): Node's GOAWAY would say INTERNAL_ERROR.
 */
export function guardHttp2Session(session: ServerHttp2Session, limits: ConnectionLimits): void {
  setRfcGoawayCodes(session);
  const bucket = new TokenBucket({ ratePerSecond: limits.http2ControlFramesPerSecond, burst: limits.http2ControlFrameBurst });
  const onControlFrame = (): void => {
    if (!bucket.take() && !session.destroyed) session.destroy(undefined, h2.NGHTTP2_ENHANCE_YOUR_CALM);
  };
  let deadline: NodeJS.Timeout | undefined;
  /** The socket's byte counters after the last answered PING, and how long the session has been silent since. */
  let mark = '';
  let silentMs = 0;
  const tick = Math.min(limits.http2ProbeMs, limits.http2IdleMs);
  const counters = (): string => `${session.socket?.bytesRead ?? 0}/${session.socket?.bytesWritten ?? 0}`;
  /**
   * Is anyone there? A live client answers the PING; a dead session, or one nghttp2 has
   * already ended (after a GOAWAY it sent by itself), does not and is destroyed after the
   * grace period. Asked before any GOAWAY: Node cancels PINGs on a closing session.
   */
  const probe = (): void => {
    clearTimeout(deadline);
    deadline = setTimeout(() => session.destroy(), limits.http2GoawayGraceMs);
    deadline.unref();
    try {
      session.ping((error) => {
        if (error !== null) return;
        clearTimeout(deadline);
        mark = counters();
        if (!session.destroyed) session.setTimeout(tick);
      });
    } catch {
      // PINGs already outstanding that the client never answered: the deadline acts.
    }
  };
  /** No frames either way for `tick` (Node's session timeout), but for the PINGs above. */
  const onQuiet = (): void => {
    if (session.destroyed) return;
    silentMs = counters() === mark ? silentMs + tick : tick;
    if (session.closed) {
      // After its GOAWAY (the client's or the idle one): silent for a whole idle period more,
      // it ends, whatever its streams wait for. (No PING: Node cancels them once closing.)
      if (silentMs >= limits.http2IdleMs) {
        session.destroy();
      } else {
        mark = counters();
        session.setTimeout(tick);
      }
      return;
    }
    probe();
    if (silentMs >= limits.http2IdleMs) {
      session.close();
      silentMs = 0;
    }
  };
  session.on('ping', onControlFrame);
  session.on('remoteSettings', onControlFrame);
  // The client's GOAWAY (Node then closes the session and waits for its streams): the same
  // question, unless this session already asked it.
  session.on('goaway', () => {
    if (!session.destroyed && !session.closed) probe();
  });
  session.on('timeout', onQuiet);
  session.once('close', () => clearTimeout(deadline));
  session.setTimeout(tick);
}

/** nghttp2 error numbers (nghttp2.h) whose connection error RFC 9113 names. */
const RFC_CODE_FOR_NGHTTP2_ERROR = new Map<number, number>([
  [-903, h2.NGHTTP2_PROTOCOL_ERROR], // NGHTTP2_ERR_BAD_CLIENT_MAGIC: not the connection preface (RFC 9113 §3.4)
  [-505, h2.NGHTTP2_PROTOCOL_ERROR], // NGHTTP2_ERR_PROTO
  [-524, h2.NGHTTP2_FLOW_CONTROL_ERROR], // NGHTTP2_ERR_FLOW_CONTROL: a window above 2^31-1 (§6.9.1)
  [-522, h2.NGHTTP2_FRAME_SIZE_ERROR], // NGHTTP2_ERR_FRAME_SIZE_ERROR
]);

/**
 * When nghttp2 rejects what the client sent, Node destroys the session with the nghttp2 error
 * and a GOAWAY saying INTERNAL_ERROR; the GOAWAY should carry the protocol's code. Node
 * offers no option for it, so this session's destroy() maps the code on the way.
 */
function setRfcGoawayCodes(session: ServerHttp2Session): void {
  const destroy = session.destroy.bind(session);
  session.destroy = (error?: Error, code?: number): void => {
    const errno = (error as (Error & { errno?: number }) | undefined)?.errno;
    const mapped = code ?? (errno === undefined ? undefined : RFC_CODE_FOR_NGHTTP2_ERROR.get(errno));
    destroy(error, mapped);
  };
}
