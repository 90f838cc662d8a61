/**
 * Checks that a value received from another process is a well-formed Route before it is
 * served. The shared instance trusts no shape it did not build: a client of a newer or
 * broken version gets a one-line refusal, never a crash of everyone's proxy.
 */
import type { Route } from './route.js';
import { MANAGED_HEADERS } from './managed-headers.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const LABELS = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/;

export function routeShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'a route is not an object';
  const route = value as Partial<Route>;
  if (typeof route.host !== 'string' || !LABELS.test(route.host) || route.host.length > 253) return `bad host ${JSON.stringify(route.host)}`;
  if (route.wildcard !== route.host.startsWith('*.')) return `bad wildcard flag for ${route.host}`;
  if (typeof route.path !== 'string' || !route.path.startsWith('/')) return `bad path for ${route.host}`;
  const target = route.target;
  if (typeof target !== 'object' || target === null) return `no target for ${route.host}`;
  if (typeof target.origin !== 'string' || !/^http:\/\//.test(target.origin)) return `bad target for ${route.host}`;
  if (typeof target.hostname !== 'string' || typeof target.basePath !== 'string') return `bad target for ${route.host}`;
  if (!Number.isInteger(target.port) || (target.port as number) < 1 || (target.port as number) > 65535) return `bad target port for ${route.host}`;
  if (typeof route.changeOrigin !== 'boolean' || typeof route.stripPrefix !== 'boolean' || typeof route.rewriteRedirects !== 'boolean') return `bad flags for ${route.host}`;
  if (typeof route.headers !== 'object' || route.headers === null) return `bad headers for ${route.host}`;
  for (const [name, headerValue] of Object.entries(route.headers)) {
    // The WebSocket relay writes these as raw header lines: no line breaks, no managed names.
    if (!TOKEN.test(name) || MANAGED_HEADERS.has(name.toLowerCase()) || typeof headerValue !== 'string' || !VALUE.test(headerValue)) {
      return `bad header ${JSON.stringify(name)} for ${route.host}`;
    }
  }
  const timeouts = route.timeouts;
  if (typeof timeouts !== 'object' || timeouts === null || !(timeouts.connect > 0) || !(timeouts.response > 0)) return `bad timeouts for ${route.host}`;
  if (typeof route.source !== 'string' || typeof route.definedAt !== 'string') return `bad source for ${route.host}`;
  return undefined;
}
