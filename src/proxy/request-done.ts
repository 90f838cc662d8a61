import type { Route } from '../routes/route.js';

/** How a request reached devtls: HTTP/1.1, HTTP/2, or a WebSocket (an HTTP/1.1 upgrade). */
export type RequestProtocol = 'h1' | 'h2' | 'ws';

/**
 * One finished request (or a WebSocket opening or closing), told to whoever wants an access
 * log. Built only when someone listens: the proxy never allocates it otherwise.
 */
export interface RequestDone {
  /** The route that served it; undefined when devtls answered itself (404, 400, the status page). */
  route: Route | undefined;
  /** The name asked for, without the port. */
  host: string;
  method: string;
  /** The path and query as the browser sent them. */
  path: string;
  status: number;
  /** Response body bytes sent to the browser (for a WebSocket: bytes relayed both ways, at close). */
  bytes: number;
  /** Milliseconds from the request to the end of its answer (for a WebSocket: open time, at close). */
  ms: number;
  protocol: RequestProtocol;
  /** For WebSockets only: the upgrade was answered (`open`) or the connection ended (`close`). */
  websocket?: 'open' | 'close';
}

export type RequestDoneListener = (done: RequestDone) => void;
