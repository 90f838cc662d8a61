import { isIPv4, isIPv6 } from 'node:net';

/**
 * `net.isIP`, without compiling Node's IPv6 pattern for text that cannot be IPv6: that
 * pattern takes ~4 ms to build at its first use, and host names (the usual input) have no
 * colon. Returns 4, 6 or 0 like `net.isIP`.
 */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (isIPv4(text)) return 4;
  return text.includes(':') && isIPv6(text) ? 6 : 0;
}
