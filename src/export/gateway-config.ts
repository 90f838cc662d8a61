/**
 * Routes → gateway.yaml for Kubernetes Gateway API v1: one Gateway (an HTTPS listener per host,
 * an HTTP listener for the redirect) and one HTTPRoute per host. Values a cluster must supply
 * (the GatewayClass, TLS Secrets, Service names) are marked "fill in".
 */
import type { Route } from '../routes/route.js';
import { commentBlock, commonNotes, describeRoute, extraHeaders, pathRewriteOf, sitesOf, type ExportSettings, type RenderedConfig, type Site } from './route-analysis.js';

export interface GatewaySettings extends ExportSettings {
  /** Service names by target port (`--service 8080=web`). */
  services: ReadonlyMap<number, string>;
  /** metadata.name of the Gateway. */
  gatewayName?: string;
}

export function renderGatewayYaml(routes: readonly Route[], settings: GatewaySettings): RenderedConfig {
  const sites = sitesOf(routes);
  const gateway = settings.gatewayName ?? 'devtls';
  const services = serviceNames(routes, settings.services);
  const notes = gatewayNotes(routes, settings, services);
  const header = [
    `gateway.yaml written by \`devtls export kubernetes\` from ${settings.source} (${routes.length} route${routes.length === 1 ? '' : 's'}).`,
    'Kubernetes Gateway API v1 (gateway.networking.k8s.io/v1): kubectl apply -f gateway.yaml',
    'Values marked "fill in" depend on your cluster.',
    '',
    'Routes:',
    ...routes.map((route) => `  https://${describeRoute(route)}`),
  ];
  const docs: string[] = [commentBlock('# ', header, notes)];
  docs.push(gatewayDocument(sites, settings, gateway));
  for (const site of sites) docs.push(httpRouteDocument(site, settings, gateway, services));
  if (settings.httpPort !== false) docs.push(redirectDocument(sites, settings, gateway));
  return { fileName: 'gateway.yaml', text: `${docs.join('\n---\n')}\n`, notes };
}

function gatewayNotes(routes: readonly Route[], settings: GatewaySettings, services: Map<string, ServiceName>): string[] {
  const notes: string[] = commonNotes(routes, 'kubernetes');
  if (routes.some((route) => route.wildcard)) {
    notes.push('a wildcard host matches any number of labels in Gateway API (a.b.preview.localhost too); devtls matches exactly one.');
  }
  if (settings.httpPort !== false) notes.push('the http→https redirect is 301: Gateway API v1 allows only 301 and 302 (devtls sends 308, which keeps a POST a POST).');
  notes.push('X-Forwarded-For/-Proto/-Host/-Port are set by your Gateway implementation, not by this file (devtls sets all four from the connection it saw and drops Forwarded and X-Real-IP from the client).');
  notes.push(`timeouts (connect ${describeTimeouts(routes, 'connect')}, response headers ${describeTimeouts(routes, 'response')}): Gateway API has no such fields (rules[].timeouts would also cut WebSockets and streams); set them in your implementation's policy.`);
  notes.push('WebSockets and HTTP/2 to clients depend on the implementation (Envoy Gateway, Istio, Cilium, NGINX Gateway Fabric pass WebSockets; most offer h2).');
  if (routes.some((route) => route.changeOrigin)) notes.push('changeOrigin: the Host sent upstream is the Service name (URLRewrite hostname), not the local host:port.');
  if ([...services.values()].some((service) => service.derived)) notes.push('Service names not given with --service are derived from the route: fill them in.');
  return notes;
}

function describeTimeouts(routes: readonly Route[], kind: 'connect' | 'response'): string {
  return [...new Set(routes.map((route) => `${route.timeouts[kind]}ms`))].join(', ');
}

interface ServiceName {
  name: string;
  port: number;
  derived: boolean;
  origin: string;
}

/** One Service per target (origin), named by --service PORT=NAME or after the first host that uses it. */
function serviceNames(routes: readonly Route[], given: ReadonlyMap<number, string>): Map<string, ServiceName> {
  const names = new Map<string, ServiceName>();
  const used = new Set<string>();
  for (const route of routes) {
    const origin = route.target.origin;
    if (names.has(origin)) continue;
    const port = route.target.port;
    const explicit = given.get(port);
    if (explicit !== undefined) {
      names.set(origin, { name: explicit, port, derived: false, origin });
      used.add(explicit);
      continue;
    }
    const label = route.host.split('.').find((part) => part !== '*') ?? 'app';
    let name = dnsLabel(`${label}-${port}`);
    for (let n = 2; used.has(name); n++) name = dnsLabel(`${label}-${port}-${n}`);
    used.add(name);
    names.set(origin, { name, port, derived: true, origin });
  }
  return names;
}

/** A DNS-1123 label (what metadata names and Service names must be). */
export function dnsLabel(text: string): string {
  const label = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return label === '' ? 'devtls' : label;
}

/** `app.localhost` → `app-localhost`; `*.preview.localhost` → `wildcard-preview-localhost`. */
export function resourceNameFor(host: string): string {
  return dnsLabel(host.replace(/^\*\./, 'wildcard.').replace(/\./g, '-'));
}

function gatewayDocument(sites: readonly Site[], settings: GatewaySettings, gateway: string): string {
  const lines = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: Gateway',
    'metadata:',
    `  name: ${gateway}`,
    'spec:',
    '  gatewayClassName: example  # fill in: your cluster\'s GatewayClass (kubectl get gatewayclass)',
    '  listeners:',
  ];
  for (const site of sites) {
    const name = resourceNameFor(site.host);
    lines.push(
      `    - name: https-${name}`,
      `      hostname: ${yamlString(site.host)}`,
      `      port: ${settings.httpsPort}`,
      '      protocol: HTTPS',
      '      tls:',
      '        mode: Terminate',
      '        certificateRefs:',
      `          - name: ${name}-tls  # fill in: a kubernetes.io/tls Secret for ${site.host} (kubectl create secret tls ${name}-tls --cert=… --key=…)`,
    );
  }
  if (settings.httpPort !== false) {
    lines.push('    - name: http', `      port: ${settings.httpPort}`, '      protocol: HTTP');
  }
  return lines.join('\n');
}

function httpRouteDocument(site: Site, settings: GatewaySettings, gateway: string, services: Map<string, ServiceName>): string {
  const name = resourceNameFor(site.host);
  const lines = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: HTTPRoute',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  parentRefs:',
    `    - name: ${gateway}`,
    `      sectionName: https-${name}`,
    '  hostnames:',
    `    - ${yamlString(site.host)}`,
    '  # PathPrefix matches whole path segments and the longest prefix wins, as in devtls;',
    '  # a path no rule matches gets 404.',
    '  rules:',
  ];
  for (const route of site.routes) lines.push(...ruleLines(route, services));
  void settings;
  return lines.join('\n');
}

function ruleLines(route: Route, services: Map<string, ServiceName>): string[] {
  const service = services.get(route.target.origin) as ServiceName;
  const lines = [
    `    # ${describeRoute(route)}`,
    '    - matches:',
    '        - path:',
    '            type: PathPrefix',
    `            value: ${yamlString(route.path)}`,
  ];
  const filters: string[] = [];
  const rewrite = pathRewriteOf(route);
  const replacement = rewrite.strip !== undefined ? rewrite.prepend || '/' : rewrite.prepend !== '' ? `${rewrite.prepend}${route.path === '/' ? '' : route.path}` : undefined;
  if (replacement !== undefined || route.changeOrigin) {
    filters.push('        - type: URLRewrite', '          urlRewrite:');
    if (route.changeOrigin) filters.push(`            hostname: ${service.name}  # changeOrigin: the Service's name as Host`);
    if (replacement !== undefined) {
      filters.push('            path:', '              type: ReplacePrefixMatch', `              replacePrefixMatch: ${yamlString(replacement)}`);
    }
  }
  const headers = extraHeaders(route);
  if (headers.length > 0) {
    filters.push('        - type: RequestHeaderModifier', '          requestHeaderModifier:', '            set:');
    for (const [headerName, value] of headers) filters.push(`              - name: ${yamlString(headerName)}`, `                value: ${yamlString(value)}`);
  }
  if (filters.length > 0) lines.push('      filters:', ...filters);
  lines.push(
    '      backendRefs:',
    `        - name: ${service.name}${service.derived ? `  # fill in: the Service in front of ${service.origin} (or --service ${service.port}=NAME)` : ''}`,
    `          port: ${service.port}`,
  );
  return lines;
}

function redirectDocument(sites: readonly Site[], settings: GatewaySettings, gateway: string): string {
  const lines = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: HTTPRoute',
    'metadata:',
    `  name: ${gateway}-https-redirect`,
    'spec:',
    '  parentRefs:',
    `    - name: ${gateway}`,
    '      sectionName: http',
    '  hostnames:',
    ...sites.map((site) => `    - ${yamlString(site.host)}`),
    '  rules:',
    '    - filters:',
    '        - type: RequestRedirect',
    '          requestRedirect:',
    '            scheme: https',
    `            port: ${settings.httpsPort}`,
    '            statusCode: 301  # devtls sends 308; Gateway API v1 allows 301 or 302',
  ];
  return lines.join('\n');
}

/** A YAML scalar: plain when unambiguous, else a JSON string (valid YAML). */
export function yamlString(text: string): string {
  if (/^[A-Za-z0-9/_.-][A-Za-z0-9/_.\-]*$/.test(text) && !/^(true|false|yes|no|on|off|null|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?)$/i.test(text)) return text;
  return JSON.stringify(text);
}
