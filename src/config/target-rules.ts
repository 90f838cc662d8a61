/**
 * A route's `target`: a port number (→ http://127.0.0.1:PORT, or ::1 where the dev server listens only there) or an `http://` URL whose host is a
 * name, an IPv4 address or a bracketed IPv6 address, with an optional base path.
 */
import type { RouteTarget } from '../routes/route.js';
import type { RuleProblem } from './host-name-rules.js';
import { quoted } from './source-text.js';

export const PORT_EXPECTED = 'a whole number from 1 to 65535';
const TARGET_EXPECTED = 'a port like 8080 or a URL like "http://127.0.0.1:8080"';
const LOOPBACK = '127.0.0.1';

export type TargetResult = { target: RouteTarget } | { problem: RuleProblem };

export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function targetFromPort(port: number): TargetResult {
  if (!Number.isFinite(port) || port > 65535 || port < 1) return { problem: { what: '"target" port is out of range', expected: PORT_EXPECTED } };
  if (!Number.isInteger(port)) return { problem: { what: '"target" port must be a whole number', expected: PORT_EXPECTED } };
  if (!isPort(port)) return { problem: { what: '"target" port is out of range', expected: PORT_EXPECTED } };
  return { target: { origin: `http://${LOOPBACK}:${port}`, hostname: LOOPBACK, port, basePath: '', anyLoopback: true } };
}

export function targetFromString(text: string): TargetResult {
  const problem = (what: string, expected: string = TARGET_EXPECTED, hint?: string): TargetResult =>
    ({ problem: { what, expected, ...(hint === undefined ? {} : { hint }) } });

  if (text.trim() === '') return problem('"target" is empty');
  if (text.trim() !== text) return problem('"target" has spaces around it', quoted(text.trim()));
  if (/^\d+$/.test(text)) {
    return problem('"target" port is written as a string', `${Number(text)} (a number, without the quotes)`, `write "target": ${Number(text)}`);
  }
  if (/^:\d+$/.test(text)) return problem('"target" port is written with ":"', `${Number(text.slice(1))} (a number, without ":" and quotes)`);

  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'https') {
    return problem('https targets are not supported yet', quoted(text.replace(/^https:/i, 'http:')) + ' (an http:// URL)',
      'devtls terminates TLS itself; point it at the plain-http port of your dev server (most have one)');
  }
  if (scheme === 'ws' || scheme === 'wss') {
    return problem(`"target" must use http://, not ${scheme}://`, quoted(text.replace(/^wss?:/i, 'http:')), 'WebSocket upgrades are forwarded to the same http:// target');
  }
  if (scheme !== undefined && scheme !== 'http' && !/^[a-z][a-z0-9+.-]*:\d/i.test(text)) {
    return problem(`"target" must be an http:// URL, not ${scheme}:`, TARGET_EXPECTED);
  }
  if (scheme !== 'http') {
    const hostAndPort = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d+(\/|$)/i.test(text);
    return problem('"target" must be a port or an http URL', hostAndPort ? quoted(`http://${text}`) : TARGET_EXPECTED);
  }
  if (!/^http:\/\//i.test(text)) return problem('"target" URL must start with "http://"', quoted(text.replace(/^http:\/*/i, 'http://')));

  const authority = /^http:\/\/([^/?#]*)/i.exec(text)?.[1] ?? '';
  if (authority.includes('@')) {
    return problem('"target" URL cannot contain a user name or password', quoted(text.replace(/\/\/[^/?#]*@/, '//')), 'to send credentials, add an "authorization" entry to "headers"');
  }
  if (/[?#]/.test(text)) {
    return problem('"target" URL cannot have a query string or fragment', quoted(text.replace(/[?#].*$/, '')), 'the query string of each request is passed through unchanged');
  }
  const portText = /:(\d+)$/.exec(authority)?.[1];
  if (portText !== undefined && !isPort(Number(portText))) {
    return problem('"target" URL port is out of range', `${PORT_EXPECTED}, like "http://127.0.0.1:8080"`);
  }
  if (/:$/.test(authority)) return problem('"target" URL has ":" but no port', `a port after ":", like "http://127.0.0.1:8080"`);

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem('"target" is not a valid URL', TARGET_EXPECTED);
  }
  if (url.hostname === '') return problem('"target" URL has no host', TARGET_EXPECTED);
  const port = url.port === '' ? 80 : Number(url.port);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return { target: { origin: url.origin, hostname, port, basePath } };
}
