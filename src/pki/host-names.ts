/**
 * Host-name rules for certificates: normalising names, what a wildcard may cover, and
 * RFC 5280 name-constraint matching (the same rules OpenSSL, browsers and Node apply to
 * a name-constrained CA). Pure functions, no I/O.
 */
import { domainToASCII } from 'node:url';
import { isIPv4 } from 'node:net';
import { ipVersion } from '../ip-version.js';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case, drop one trailing dot, and turn an internationalised name into its ASCII
 * (punycode) form. IP literals come back in canonical form (`[::1]` → `::1`).
 * Returns undefined for anything that is not a valid DNS name, wildcard name or IP literal. */
export function normalizeHostName(input: string): string | undefined {
  let name = input.trim();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (ipVersion(name) !== 0) return canonicalIp(name);
  name = name.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  const wildcard = name.startsWith('*.');
  const rest = wildcard ? name.slice(2) : name;
  const ascii = /^[\x00-\x7f]*$/.test(rest) ? rest : domainToASCII(rest);
  if (ascii === '' || ascii.length > 253) return undefined;
  if (!ascii.split('.').every((label) => LABEL.test(label))) return undefined;
  // An all-numeric last label would be confused with an IPv4 address.
  if (/^[0-9]+$/.test(ascii.slice(ascii.lastIndexOf('.') + 1))) return undefined;
  return wildcard ? `*.${ascii}` : ascii;
}

export function isIpLiteral(name: string): boolean {
  return ipVersion(name) !== 0;
}

export function isWildcardName(name: string): boolean {
  return name.startsWith('*.');
}

/**
 * Whether a wildcard pattern is acceptable in a certificate: `*.` followed by at least two
 * valid labels, with no other `*`. `*.preview.localhost` is fine; `*.localhost` and `*.test`
 * are not, because Chromium (and the CA/Browser rules it follows) rejects a wildcard directly
 * under a top-level name.
 */
export function wildcardCertificateAllowed(pattern: string): boolean {
  if (!pattern.startsWith('*.')) return false;
  const normalized = normalizeHostName(pattern);
  if (normalized === undefined || normalized !== pattern.toLowerCase().replace(/\.$/, '')) {
    return false;
  }
  return normalized.slice(2).split('.').length >= 2;
}

/**
 * RFC 5280 §4.2.1.10 DNS name constraint: `name` is within `constraint` when it equals it or
 * ends with `.` + constraint (a constraint starting with `.` only covers subdomains).
 * A wildcard name is compared as written, which is what OpenSSL does.
 */
export function dnsNameWithinConstraint(name: string, constraint: string): boolean {
  const n = name.toLowerCase();
  const c = constraint.toLowerCase();
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c) && n.length > c.length;
  return n === c || n.endsWith(`.${c}`);
}

/** An IP range as found in a name constraint: network address bytes and a prefix length. */
export interface IpRange {
  readonly address: Uint8Array; // 4 or 16 bytes
  readonly prefixLength: number;
}

export function ipToBytes(ip: string): Uint8Array | undefined {
  const version = ipVersion(ip);
  if (version === 4) return Uint8Array.from(ip.split('.').map(Number));
  if (version !== 6) return undefined;
  let text = ip;
  // An embedded IPv4 tail (::ffff:127.0.0.1) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const b = v4[1].split('.').map(Number);
    const hi = (((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16);
    const lo = (((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16);
    text = `${text.slice(0, -v4[1].length)}${hi}:${lo}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return canonicalIp(groups.join(':'));
}

/** Canonical text for an IP literal (IPv6 compressed the way Node's URL parser does it). */
export function canonicalIp(ip: string): string {
  if (isIPv4(ip)) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

export function ipWithinRange(ip: string, range: IpRange): boolean {
  const bytes = ipToBytes(ip);
  if (bytes === undefined || bytes.length !== range.address.length) return false;
  let bits = range.prefixLength;
  for (let i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((range.address[i] ?? 0) & mask)) return false;
  }
  return true;
}

export function formatIpRange(range: IpRange): string {
  return `${bytesToIp(range.address)}/${range.prefixLength}`;
}

/** Parse `127.0.0.0/8` or `::1/128`. */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.lastIndexOf('/');
  const address = ipToBytes(slash === -1 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const max = address.length * 8;
  const prefixLength = slash === -1 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max) return undefined;
  return { address, prefixLength };
}
