/**
 * Opening TCP connections to a dev server. A target given as a bare port means "this
 * machine": dev servers listen on 127.0.0.1 or, since Node 17 resolves `localhost` to ::1
 * first, often on ::1 only (Vite among them). Both are tried, and the address that
 * answered is tried first from then on, so the common case costs one connect.
 */
import { connect, type Socket } from 'node:net';
import type { RouteTarget } from '../routes/route.js';

export type ConnectCallback = (...args: [null, Socket] | [Error, null]) => void;
export type Connector = (options: { hostname?: string; port?: string | number }, callback: ConnectCallback) => void;

/** The addresses a target's connections try, in order. */
export function addressesFor(target: RouteTarget): string[] {
  return target.anyLoopback === true ? ['127.0.0.1', '::1'] : [target.hostname];
}

/**
 * A connector (undici's `connect` option, also used for WebSocket upgrades) for one
 * target: each address in turn on "refused" or "no such address", one deadline for all.
 */
export function targetConnector(target: RouteTarget, timeoutMs: number): Connector {
  const order = addressesFor(target);
  return (_options, callback) => {
    const deadline = setTimeout(() => finish(codeError('UND_ERR_CONNECT_TIMEOUT', `connect timed out after ${timeoutMs} ms`)), timeoutMs);
    let socket: Socket | undefined;
    let done = false;
    const finish = (error: Error | null, connected?: Socket): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      if (error === null && connected !== undefined) callback(null, connected);
      else {
        socket?.destroy();
        callback(error ?? new Error('connect failed'), null);
      }
    };
    const attempt = (index: number): void => {
      const address = order[index] as string;
      const current = connect({ host: address, port: target.port, noDelay: true });
      socket = current;
      current.once('connect', () => {
        current.removeAllListeners('error');
        current.setKeepAlive(true, 60_000);
        if (index > 0) order.push(...order.splice(0, index)); // remember what answered
        finish(null, current);
      });
      current.once('error', (error: NodeJS.ErrnoException) => {
        if (done) return;
        const next = index + 1 < order.length && (error.code === 'ECONNREFUSED' || error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT');
        if (next) attempt(index + 1);
        else finish(order.length > 1 ? Object.assign(error, { triedAddresses: [...order] }) : error);
      });
    };
    attempt(0);
  };
}

function codeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
