/**
 * A TCP port a dev server can listen on: free on 127.0.0.1 and, where the machine has IPv6
 * loopback, on ::1 too. Dev servers that listen on "localhost" bind whichever of the two
 * the resolver lists first, so a port taken on the other one would fail or split traffic.
 */
import { createServer } from 'node:net';

const ATTEMPTS = 50;

export async function pickFreePort(): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = await listenBriefly('127.0.0.1', 0);
    if (port === undefined) continue;
    const onIpv6 = await listenBriefly('::1', port);
    if (onIpv6 !== undefined || !(await hasIpv6Loopback())) return port;
  }
  throw new Error(`no TCP port was free on both 127.0.0.1 and ::1 after ${ATTEMPTS} attempts`);
}

/** Whether this process may listen on `host:port` now (not taken, not privileged). */
export async function mayListen(host: string, port: number): Promise<boolean> {
  return (await listenBriefly(host, port)) !== undefined;
}

/** Bind and release `host:port`; the port bound, or undefined when it is taken. */
function listenBriefly(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

let ipv6: Promise<boolean> | undefined;

/** Whether ::1 can be bound at all (containers often have no IPv6 loopback). */
function hasIpv6Loopback(): Promise<boolean> {
  ipv6 ??= listenBriefly('::1', 0).then((port) => port !== undefined);
  return ipv6;
}
