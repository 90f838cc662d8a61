/**
 * What every export needs to know about a set of routes, worked out once: the sites (one per
 * host pattern, its routes longest path first, as RouteTable matches them), how each route
 * rewrites the path on its way to the target, and the Host it sends. Pure functions over
 * Route[]; the engine modules only decide how to write these facts down.
 */
import type { Route } from '../routes/route.js';
import { hostWithPort, routeLabel } from '../routes/labels.js';

export type ExportFormat = 'caddy' | 'nginx' | 'kubernetes';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['caddy', 'nginx', 'kubernetes'];

/** Where certificates come from: devtls's CA (files written beside the config) or the engine itself. */
export type TlsMode = 'devtls' | 'acme';

/** What the exported server listens on and how, shared by every format. */
export interface ExportSettings {
  /** The config file as the user named it (for the header comment). */
  source: string;
  httpsPort: number;
  /** The http→https redirect port; false: no redirect listener. */
  httpPort: number | false;
  http2: boolean;
  tls: TlsMode;
  /** Addresses to listen on; empty: every interface (what a shared server wants). */
  bind: readonly string[];
}

/** One generated file: its name inside the output folder, its text, and what did not carry over. */
export interface RenderedConfig {
  fileName: string;
  text: string;
  /** One line each, also written as comments in `text`: what the engine cannot do as devtls does. */
  notes: string[];
}

/** One host pattern and its routes, longest path first. */
export interface Site {
  host: string;
  wildcard: boolean;
  routes: Route[];
  /** True when a `/` route covers every path; else unmatched paths must answer 404. */
  coversEveryPath: boolean;
}

/** Sites in the order their hosts first appear in the routes. */
export function sitesOf(routes: readonly Route[]): Site[] {
  const byHost = new Map<string, Route[]>();
  for (const route of routes) {
    const list = byHost.get(route.host);
    if (list === undefined) byHost.set(route.host, [route]);
    else list.push(route);
  }
  return [...byHost].map(([host, list]) => {
    const sorted = [...list].sort((a, b) => b.path.length - a.path.length);
    return { host, wildcard: host.startsWith('*.'), routes: sorted, coversEveryPath: sorted.some((route) => route.path === '/') };
  });
}

/**
 * How the path changes on its way upstream (see routes/upstream-path.ts): `strip` is the prefix
 * removed (undefined: none), then `prepend` is added in front (the target's base path; '' for none).
 */
export interface PathRewrite {
  strip: string | undefined;
  prepend: string;
}

export function pathRewriteOf(route: Route): PathRewrite {
  return { strip: route.stripPrefix && route.path !== '/' ? route.path : undefined, prepend: route.target.basePath };
}

export function rewritesPath(route: Route): boolean {
  const rewrite = pathRewriteOf(route);
  return rewrite.strip !== undefined || rewrite.prepend !== '';
}

/** The Host header sent upstream when the route rewrites it (`changeOrigin`), else undefined. */
export function upstreamHostOverride(route: Route): string | undefined {
  return route.changeOrigin ? hostWithPort(route.target.hostname, route.target.port, 80) : undefined;
}

/** `127.0.0.1:8080` (IPv6 in brackets): where the engine connects. */
export function targetAddress(route: Route): string {
  return hostWithPort(route.target.hostname, route.target.port, -1);
}

/** Extra headers as [name, value] pairs in the config's order. */
export function extraHeaders(route: Route): Array<[string, string]> {
  return Object.entries(route.headers);
}

/** File names for a host's certificate, as `devtls cert` names them (`*` → `_wildcard`). */
export function certificateFileNames(host: string): { cert: string; key: string } {
  const base = host.replace(/\*/g, '_wildcard').replace(/[^a-z0-9._-]/g, '_');
  return { cert: `certs/${base}.pem`, key: `certs/${base}-key.pem` };
}

/** The devtls CA certificate written beside the leaves, for clients of the exported server. */
export const CA_CERTIFICATE_FILE = 'certs/devtls-ca.pem';

/** `app.localhost/api → http://127.0.0.1:8090` for comments. */
export function describeRoute(route: Route): string {
  return `${routeLabel(route)} → ${route.target.origin}${route.target.basePath}`;
}

/** The `# ` comment block for the top of a file: header lines, then what did not carry over. */
export function commentBlock(prefix: string, header: readonly string[], notes: readonly string[]): string {
  const lines = [...header];
  if (notes.length > 0) {
    lines.push('', 'Not carried over exactly (devtls does it differently):');
    for (const note of notes) lines.push(`  - ${note}`);
  }
  return lines.map((line) => (line === '' ? prefix.trimEnd() : `${prefix}${line}`)).join('\n');
}

/** A path prefix as the engines match it: percent-decoded (they decode before matching). */
export function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** What none of the engines' exports reproduces, for the notes of each file. */
export function commonNotes(routes: readonly Route[], format: ExportFormat): string[] {
  const notes: string[] = [];
  if (routes.some((route) => route.rewriteRedirects)) {
    notes.push('redirects pass unchanged: devtls rewrites a Location, Content-Location or Refresh that points at the target (http://127.0.0.1:PORT/…) or at the host over http into the public https URL ("rewriteRedirects").');
  }
  if (format !== 'kubernetes' && routes.some((route) => route.target.anyLoopback === true)) {
    notes.push('a target given as a bare port is reached on 127.0.0.1 only; devtls also tries ::1 for a dev server that listens only there.');
  }
  return notes;
}

/** `:8443` after a host in an https URL; nothing for 443. */
export function httpsPortSuffix(settings: ExportSettings): string {
  return settings.httpsPort === 443 ? '' : `:${settings.httpsPort}`;
}

/** A duration both engines read: `5000ms`. */
export function formatMs(ms: number): string {
  return `${ms}ms`;
}
