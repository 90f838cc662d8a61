import type { Server } from 'node:net';
import { listen } from './listen.js';
import type { Logger } from './logger.js';

export type ListenRole = 'HTTPS' | 'HTTP';

/** Servers of one role, one per address, all on the same port. */
export interface BoundServers<S extends Server> {
  servers: S[];
  port: number;
  /** The addresses actually bound (an address this machine lacks is skipped). */
  hosts: string[];
}

/**
 * One server per listen address, all on the same port (the first one's, when asked for 0).
 * A second loopback address this machine lacks (no IPv6) is skipped with a warning; any
 * other failure closes what was opened and rejects, so nothing is left half-bound.
 */
export async function bindAll<S extends Server>(role: ListenRole, port: number, hosts: readonly string[], create: () => S, logger: Logger): Promise<BoundServers<S>> {
  const bound: BoundServers<S> = { servers: [], port, hosts: [] };
  try {
    for (const host of hosts) {
      const server = create();
      if (await bindOptional(server, bound.port, host, role, hosts, logger)) {
        bound.servers.push(server);
        bound.hosts.push(host);
        bound.port = portOf(server);
      }
    }
  } catch (error) {
    for (const server of bound.servers) server.close();
    throw error;
  }
  return bound;
}

async function bindOptional(server: Server, port: number, host: string, role: ListenRole, hosts: readonly string[], logger: Logger): Promise<boolean> {
  try {
    await listen(server, port, host, role);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const optional = hosts.length > 1 && host !== hosts[0];
    if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
      logger.warn(`Not listening on ${host} (${role}): this machine has no such address.`);
      return false;
    }
    throw error;
  }
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
