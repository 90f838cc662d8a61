import type { Dispatcher } from 'undici';
import type { RouteTarget } from '../routes/route.js';
import { Client } from './undici-parts.js';

export interface FreshConnectionTimeouts {
  connect: number;
  response: number;
}

/**
 * One request on a brand-new connection of its own, closed after the answer: how an
 * idempotent request is retried when the dev server closed a kept-alive connection under
 * it. Never on the hot path (only after such a failure), so a Client per retry is fine.
 */
export class FreshConnections {
  private timeouts: FreshConnectionTimeouts;

  constructor(timeouts: FreshConnectionTimeouts) {
    this.timeouts = timeouts;
  }

  setTimeouts(timeouts: FreshConnectionTimeouts): void {
    this.timeouts = timeouts;
  }

  dispatch(target: RouteTarget, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    const client = new Client(target.origin, {
      connectTimeout: this.timeouts.connect,
      headersTimeout: this.timeouts.response,
      bodyTimeout: 0,
      pipelining: 1,
    });
    client.dispatch({ ...options, reset: true }, handler);
    // Closes once that one request is done (or failed); nothing else is ever queued on it.
    void client.close().catch(() => undefined);
  }
}
