import type { RouteTarget } from '../routes/route.js';
import { Pool } from './undici-parts.js';

export interface UpstreamTimeouts {
  /** Milliseconds to open a TCP connection to the target. */
  connect: number;
  /** Milliseconds to wait for the target's response headers. */
  response: number;
}

/**
 * One keep-alive connection pool per target origin, shared by every route that points
 * there and kept across config reloads, so reloading never throws warm sockets away.
 * undici's Pool is used because it is the fastest correct HTTP/1.1 client on Node:
 * its parser and pooling cost less per request than node:http's Agent.
 */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private timeouts: UpstreamTimeouts;

  constructor(timeouts: UpstreamTimeouts) {
    this.timeouts = timeouts;
  }

  poolFor(target: RouteTarget): Pool {
    let pool = this.pools.get(target.origin);
    if (pool === undefined) {
      pool = new Pool(target.origin, {
        connectTimeout: this.timeouts.connect,
        headersTimeout: this.timeouts.response,
        // Streams (server-sent events, long polls, slow downloads) may pause for any time.
        bodyTimeout: 0,
        keepAliveTimeout: 4_000,
        pipelining: 1,
      });
      this.pools.set(target.origin, pool);
    }
    return pool;
  }

  /** New timeouts apply to new pools; existing ones finish their requests and are replaced. */
  setTimeouts(timeouts: UpstreamTimeouts): void {
    if (timeouts.connect === this.timeouts.connect && timeouts.response === this.timeouts.response) return;
    this.timeouts = timeouts;
    const old = [...this.pools.values()];
    this.pools.clear();
    for (const pool of old) void pool.close().catch(() => undefined);
  }

  /** Drop pools no route uses any more (after a reload), letting their requests finish. */
  retainOnly(origins: ReadonlySet<string>): void {
    for (const [origin, pool] of this.pools) {
      if (origins.has(origin)) continue;
      this.pools.delete(origin);
      void pool.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy(null).catch(() => undefined)));
  }
}
