import type { Dispatcher } from 'undici';
import type { Route } from '../routes/route.js';
import { Client, Pool } from './undici-parts.js';
import { targetConnector } from './target-connector.js';

/**
 * Keep-alive connection pools to the dev servers, one per target origin and timeouts, so a
 * reload that changes a route's timeouts gets a new pool instead of mutating one that has
 * requests in flight. Pools outlive reloads that keep their key, so reloading never throws
 * warm sockets away. undici's Pool is used because it is the fastest correct HTTP/1.1
 * client on Node: its parser and pooling cost less per request than node:http's Agent.
 */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  /** The pool of each route object, so the per-request lookup builds no key. */
  private readonly byRoute = new WeakMap<Route, Pool>();

  poolFor(route: Route): Pool {
    let pool = this.byRoute.get(route);
    if (pool !== undefined && !pool.closed) return pool;
    const key = poolKey(route);
    pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new Pool(route.target.origin, {
        connect: targetConnector(route.target, route.timeouts.connect),
        headersTimeout: route.timeouts.response,
        // Streams (server-sent events, long polls, slow downloads) may pause for any time.
        bodyTimeout: 0,
        keepAliveTimeout: 4_000,
        pipelining: 1,
      });
      this.pools.set(key, pool);
    }
    this.byRoute.set(route, pool);
    return pool;
  }

  /** After a reload: close the pools no route uses any more, letting their requests finish. */
  retainOnly(routes: readonly Route[]): void {
    const keys = new Set(routes.map(poolKey));
    for (const [key, pool] of this.pools) {
      if (keys.has(key)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
  }

  /**
   * One request on a brand-new connection of its own, closed after the answer: how an
   * idempotent request is retried when the dev server closed a kept-alive connection under
   * it. Only after such a failure, never on the hot path, so a Client per retry is fine.
   */
  dispatchOnFreshConnection(route: Route, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    const client = new Client(route.target.origin, {
      connect: targetConnector(route.target, route.timeouts.connect),
      headersTimeout: route.timeouts.response,
      bodyTimeout: 0,
      pipelining: 1,
    });
    client.dispatch({ ...options, reset: true }, handler);
    // Closes once that one request is done (or failed); nothing else is ever queued on it.
    void client.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy(null).catch(() => undefined)));
  }
}

function poolKey(route: Route): string {
  return `${route.target.origin} ${route.target.anyLoopback === true ? 'any' : 'one'} ${route.timeouts.connect} ${route.timeouts.response}`;
}
