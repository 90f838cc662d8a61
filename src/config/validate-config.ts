/** The top level of proxy.config.json → ProxyConfig, plus warnings about host names. */
import type { Node } from 'jsonc-parser';
import type { ProxyConfig } from './types.js';
import type { Route, UpstreamTimeouts } from '../routes/route.js';
import { DEFAULT_TIMEOUTS, MAX_TIMEOUT_MS, TIMEOUT_KEYS, TOP_LEVEL_KEYS } from './known-keys.js';
import { members, requireType, type Member, requireBoolean } from './json-nodes.js';
import { validateRoute } from './validate-route.js';
import { hostNameWarning } from './name-warnings.js';
import { isPort, PORT_EXPECTED } from './target-rules.js';
import type { SourceText } from './source-text.js';

export interface ConfigWarning {
  message: string;
  /** `file:line:col` of the host it is about. */
  source: string;
  /** The host name the advice is about (said once per name, not on every reload). */
  host?: string;
  /**
   * Present when the advice depends on what `host` resolves to: what is left to say once it
   * resolves to a loopback address (a hosts-file line was added); `message` undefined: nothing.
   */
  ifLoopback?: { message: string | undefined };
}

export interface ValidationResult {
  config: ProxyConfig;
  warnings: ConfigWarning[];
}

const TOP_EXAMPLE = '{ "routes": [{ "host": "app.localhost", "target": 8080 }] }';

export function validateConfig(source: SourceText, root: Node): ValidationResult {
  requireType(source, root, 'object', 'the top level must be an object', TOP_EXAMPLE);
  const fields = members(source, root, TOP_LEVEL_KEYS, 'the top level');

  const schema = fields.get('$schema');
  if (schema !== undefined) requireType(source, schema.value, 'string', '"$schema" must be a string', 'a path or URL of the JSON schema, like "./node_modules/devtls/proxy.config.schema.json"');

  const routesMember = fields.get('routes');
  if (routesMember === undefined) {
    throw source.error(root.offset, { what: 'there is no "routes" list', found: source.found(root), expected: TOP_EXAMPLE });
  }
  const routeNodes = routesMember.value;
  requireType(source, routeNodes, 'array', '"routes" must be a list', `a list of routes like [{ "host": "app.localhost", "target": 8080 }]`);
  if ((routeNodes.children ?? []).length === 0) {
    throw source.error(routeNodes.offset, { what: '"routes" is empty', found: '[]', expected: 'at least one route like { "host": "app.localhost", "target": 8080 }' });
  }

  const routes: Omit<Route, 'timeouts'>[] = [];
  const warnings: ConfigWarning[] = [];
  const firstByHostAndPath = new Map<string, number>();
  const warnedHosts = new Set<string>();
  (routeNodes.children ?? []).forEach((node, index) => {
    const { route, hostOffset } = validateRoute(source, node, index);
    const key = `${route.host} ${route.path}`;
    const first = firstByHostAndPath.get(key);
    if (first !== undefined) {
      throw source.error(hostOffset, {
        what: `duplicate route: host "${route.host}" with path "${route.path}" is already defined on line ${source.position(first).line}`,
        found: `a second route for ${route.host}${route.path === '/' ? '' : route.path}`,
        expected: 'each host + path combination once',
        hint: 'merge the two routes, or give one of them a different "path"',
      });
    }
    firstByHostAndPath.set(key, node.offset);
    routes.push(route);
    if (!warnedHosts.has(route.host)) {
      warnedHosts.add(route.host);
      const message = hostNameWarning(route.host);
      if (message !== undefined) {
        const warning: ConfigWarning = { message, source: source.location(hostOffset), host: route.host };
        if (!route.wildcard) warning.ifLoopback = { message: hostNameWarning(route.host, { resolved: true }) };
        warnings.push(warning);
      }
    }
  });

  const http2Member = fields.get('http2');
  const https = fields.get('httpsPort');
  const http = fields.get('httpPort');
  const httpsPort = https === undefined ? undefined : portValue(source, https);
  const httpPort = http === undefined ? undefined : httpPortValue(source, http);
  if (httpsPort !== undefined && httpPort !== undefined && httpsPort === httpPort && http !== undefined) {
    throw source.error(http.value.offset, { what: '"httpPort" and "httpsPort" are the same port', found: String(httpPort), expected: 'two different ports, or "httpPort": false' });
  }

  const timeouts = timeoutsValue(source, fields.get('timeouts'));
  return {
    config: {
      file: source.file,
      routes: routes.map((route) => ({ ...route, timeouts })),
      httpsPort,
      httpPort,
      http2: http2Member === undefined ? true : requireBoolean(source, http2Member),
      timeouts,
    },
    warnings,
  };
}

function portValue(source: SourceText, member: Member): number {
  const node = member.value;
  if (node.type === 'string' && /^\d+$/.test(node.value as string)) {
    throw source.error(node.offset, { what: `"${member.name}" must be a number, without quotes`, found: source.raw(node), expected: String(Number(node.value)) });
  }
  requireType(source, node, 'number', `"${member.name}" must be a port number`, PORT_EXPECTED);
  const value = node.value as number;
  if (!isPort(value)) {
    throw source.error(node.offset, { what: `"${member.name}" is not a valid port`, found: source.raw(node), expected: PORT_EXPECTED });
  }
  return value;
}

/** A port, or false / 0 for "no http→https redirect server" (both come back as false). */
function httpPortValue(source: SourceText, member: Member): number | false {
  const node = member.value;
  if (node.type === 'boolean') {
    if (node.value === false) return false;
    throw source.error(node.offset, { what: '"httpPort" must be a port number or false', found: 'true', expected: `${PORT_EXPECTED}, or false to turn the http→https redirect off` });
  }
  if (node.type === 'number' && node.value === 0) return false;
  if (node.type === 'number' || node.type === 'string') return portValue(source, member);
  requireType(source, node, 'number', '"httpPort" must be a port number or false', `${PORT_EXPECTED}, or false to turn the http→https redirect off`);
  return false;
}

function timeoutsValue(source: SourceText, member: Member | undefined): ProxyConfig['timeouts'] {
  const timeouts: UpstreamTimeouts = { ...DEFAULT_TIMEOUTS };
  if (member === undefined) return timeouts;
  requireType(source, member.value, 'object', '"timeouts" must be an object', `{ "connect": ${DEFAULT_TIMEOUTS.connect}, "response": ${DEFAULT_TIMEOUTS.response} } (milliseconds)`);
  for (const { name, value } of members(source, member.value, TIMEOUT_KEYS, '"timeouts"').values()) {
    const expected = `a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, like ${DEFAULT_TIMEOUTS[name as keyof typeof DEFAULT_TIMEOUTS]}`;
    if (value.type === 'string' && /^\d+$/.test(value.value as string)) {
      throw source.error(value.offset, { what: `"timeouts.${name}" must be a number, without quotes`, found: source.raw(value), expected: String(Number(value.value)) });
    }
    requireType(source, value, 'number', `"timeouts.${name}" must be a number of milliseconds`, expected);
    const ms = value.value as number;
    if (!Number.isInteger(ms) || ms < 1 || ms > MAX_TIMEOUT_MS) {
      throw source.error(value.offset, {
        what: `"timeouts.${name}" must be a positive whole number of milliseconds`,
        found: source.raw(value),
        expected,
        ...(ms > 0 && ms < 1000 && !Number.isInteger(ms) ? { hint: 'the unit is milliseconds: 1.5 seconds is 1500' } : {}),
      });
    }
    timeouts[name as 'connect' | 'response'] = ms;
  }
  return timeouts;
}
