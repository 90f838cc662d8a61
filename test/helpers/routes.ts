import type { Route } from '../../dist/routes/route.js';

/** A route as a source would produce it, from the few fields a test cares about. */
export function route(fields: { host: string; target: number | string; path?: string } & Partial<Omit<Route, 'host' | 'target' | 'path'>>): Route {
  const { host, target, path, ...rest } = fields;
  const url = new URL(typeof target === 'number' ? `http://127.0.0.1:${target}` : target);
  const basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return {
    host,
    wildcard: host.startsWith('*.'),
    path: path ?? '/',
    target: { origin: url.origin, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), basePath, ...(typeof target === 'number' ? { anyLoopback: true } : {}) },
    changeOrigin: false,
    stripPrefix: false,
    rewriteRedirects: true,
    headers: {},
    timeouts: { connect: 5_000, response: 120_000 },
    source: 'proxy.config.json',
    definedAt: 'proxy.config.json:1:1',
    ...rest,
  };
}
