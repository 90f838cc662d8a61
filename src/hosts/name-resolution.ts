/**
 * What a routed name resolves to, the way programs other than browsers see it: through the
 * system resolver (getaddrinfo, which Node's dns.lookup, Python, Java and wget use).
 * Browsers resolve `localhost` and every `*.localhost` name to loopback by themselves.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { ipToBytes, isIpLiteral } from '../pki/host-names.js';
import { addressesIn } from './hosts-file.js';

/** Addresses a name resolves to ([] when it does not resolve). */
export type Resolver = (name: string) => Promise<string[]>;

/** getaddrinfo, as every non-browser client calls it. */
export const systemResolver: Resolver = async (name) => {
  try {
    return (await lookup(name, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
};

/** A hosts file read first, then the system resolver: what glibc does with `hosts: files …`,
 * for a hosts file other than the system's (`--hosts-file`). */
export function resolverWithHostsFile(path: string, fallback: Resolver = systemResolver): Resolver {
  return async (name) => {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch {
      // No file yet: nothing in it.
    }
    const fromFile = addressesIn(text, name);
    return fromFile.length > 0 ? fromFile : fallback(name);
  };
}

export function isLoopback(address: string): boolean {
  const bytes = ipToBytes(address);
  if (bytes === undefined) return false;
  if (bytes.length === 4) return bytes[0] === 127;
  // ::1, or an IPv4-mapped 127.x address.
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) || (mapped && bytes[12] === 127);
}

export function isLocalhostName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

/** The name to look up for a routed host: a wildcard stands for any one label under it. */
export function probeName(host: string): string {
  return host.startsWith('*.') ? `devtls-doctor.${host.slice(2)}` : host;
}

export interface NameResolution {
  host: string;
  /** The name actually looked up (`devtls-doctor.preview.localhost` for `*.preview.localhost`). */
  probe: string;
  addresses: string[];
  /** The system resolver gives loopback addresses only. */
  loopback: boolean;
  /** Browsers reach it on loopback (built in for *.localhost, else as the system resolves). */
  browsersLoopback: boolean;
}

export async function resolveHosts(hosts: readonly string[], resolver: Resolver): Promise<NameResolution[]> {
  const results: NameResolution[] = [];
  for (const host of hosts) {
    if (isIpLiteral(host)) continue;
    const probe = probeName(host);
    const addresses = await resolver(probe);
    const loopback = addresses.length > 0 && addresses.every(isLoopback);
    results.push({ host, probe, addresses, loopback, browsersLoopback: loopback || isLocalhostName(probe) });
  }
  return results;
}

/** Names a hosts file can fix: not loopback through the resolver, and not wildcards (a
 * hosts file holds whole names only). */
export function namesNeedingHostsLines(resolutions: readonly NameResolution[]): string[] {
  return resolutions.filter((resolution) => !resolution.loopback && !resolution.host.startsWith('*.')).map((resolution) => resolution.host);
}

/** The system's hosts file. */
export function defaultHostsFile(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return `${env['SystemRoot'] ?? 'C:\\Windows'}\\System32\\drivers\\etc\\hosts`;
  return '/etc/hosts';
}
