/**
 * A TCP port a dev server can listen on: free on 127.0.0.1 and, where the machine has IPv6
 * loopback, on ::1 too. Dev servers that listen on "localhost" bind whichever of the two
 * the resolver lists first, so a port taken on the other one would fail or split traffic.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const ATTEMPTS = 50;
/** Ports below this are left to servers people start by hand (3000, 5173, 8080…). */
const LOWEST = 10_000;

/**
 * The port is taken from below the system's ephemeral range, at random: a port the kernel
 * hands to `listen(0)` or to an outgoing connection is soon handed out again, so one picked
 * that way could be taken by another program before a slow dev server listens on it.
 */
export async function pickFreePort(): Promise<number> {
  const below = ephemeralRangeStart();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const wanted = below - LOWEST >= 1_000 ? LOWEST + Math.floor(Math.random() * (below - LOWEST)) : 0;
    const port = await listenBriefly('127.0.0.1', wanted);
    if (port === undefined) continue;
    const onIpv6 = await listenBriefly('::1', port);
    if (onIpv6 !== undefined || !(await hasIpv6Loopback())) return port;
  }
  throw new Error(`no TCP port was free on both 127.0.0.1 and ::1 after ${ATTEMPTS} attempts`);
}

/** The first port of the kernel's ephemeral range (Linux; elsewhere the IANA range, 49152). */
export function ephemeralRangeStart(read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')): number {
  try {
    const first = Number(read().trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 && first <= 65535 ? first : 49152;
  } catch {
    return 49152;
  }
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
