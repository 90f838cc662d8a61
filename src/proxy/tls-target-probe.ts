/**
 * Whether a dev server that closed devtls's plain-HTTP connection without answering serves
 * HTTPS itself (Vite with basic-ssl, `next dev --experimental-https`, webpack-dev-server's
 * `server: 'https'`). Such a server drops a request that is not TLS, so the browser's only
 * clue would be "closed the connection": devtls tries a TLS handshake to say what is wrong.
 * Only after such a failure, never on a request that gets an answer.
 */
import { connect } from 'node:tls';
import type { RouteTarget } from '../routes/route.js';

const PROBE_TIMEOUT_MS = 1_000;
/** One handshake per target at most this often, shared by the requests that failed together. */
const REMEMBER_MS = 10_000;

/** Remembers each target's answer for a while; one per forwarder (no state shared between proxies). */
export class TlsTargetProbe {
  private readonly recent = new Map<string, { at: number; answer: Promise<boolean> }>();

  speaksTls(target: RouteTarget): Promise<boolean> {
    const now = Date.now();
    const known = this.recent.get(target.origin);
    if (known !== undefined && now - known.at < REMEMBER_MS) return known.answer;
    for (const [origin, entry] of this.recent) if (now - entry.at >= REMEMBER_MS) this.recent.delete(origin);
    const answer = handshakes(target.hostname, target.port).then(async (speaks) => speaks || (target.anyLoopback === true && target.hostname !== '::1' && (await handshakes('::1', target.port))));
    this.recent.set(target.origin, { at: now, answer });
    return answer;
  }
}

/** True when `host:port` completes a TLS handshake (any certificate: only the protocol matters). */
function handshakes(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, rejectUnauthorized: false, ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }) });
    const done = (speaks: boolean): void => {
      socket.destroy();
      resolve(speaks);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}
