/** One entry of `routes` → a Route with defaults filled in. */
import type { Node } from 'jsonc-parser';
import type { Route, RouteTarget } from '../routes/route.js';
import { ROUTE_KEYS } from './known-keys.js';
import { fail, members, requireBoolean, requireType, wrongType, type Member } from './json-nodes.js';
import { hostProblem } from './host-name-rules.js';
import { normalizePath, pathProblem } from './path-rules.js';
import { PORT_EXPECTED, targetFromPort, targetFromString } from './target-rules.js';
import { headerNameProblem, headerValueProblem } from './header-rules.js';
import type { SourceText } from './source-text.js';
import { quoted } from './source-text.js';

const ROUTE_EXAMPLE = '{ "host": "app.localhost", "target": 8080 }';

export interface ValidatedRoute {
  /** Timeouts are the file's, added once the whole file is read. */
  route: Omit<Route, 'timeouts'>;
  /** Offset of the `host` value, for duplicate and warning positions. */
  hostOffset: number;
}

export function validateRoute(source: SourceText, node: Node, index: number): ValidatedRoute {
  const where = `route ${index + 1}`;
  requireType(source, node, 'object', `each entry of "routes" must be an object`, `a route like ${ROUTE_EXAMPLE}`);
  const fields = members(source, node, ROUTE_KEYS, where);

  const hostMember = fields.get('host');
  if (hostMember === undefined) {
    throw source.error(node.offset, { what: `${where} has no "host"`, found: source.found(node), expected: `a route like ${ROUTE_EXAMPLE}` });
  }
  const host = validateHost(source, hostMember);

  const targetMember = fields.get('target');
  if (targetMember === undefined) {
    throw source.error(node.offset, { what: `${where} has no "target"`, found: source.found(node), expected: `a route like ${ROUTE_EXAMPLE}` });
  }
  const target = validateTarget(source, targetMember);

  const pathMember = fields.get('path');
  const path = pathMember === undefined ? '/' : validatePath(source, pathMember);
  const changeOriginMember = fields.get('changeOrigin');
  const stripPrefixMember = fields.get('stripPrefix');
  const rewriteRedirectsMember = fields.get('rewriteRedirects');
  const headersMember = fields.get('headers');

  return {
    route: {
      host,
      wildcard: host.startsWith('*.'),
      path,
      target,
      changeOrigin: changeOriginMember === undefined ? false : requireBoolean(source, changeOriginMember),
      stripPrefix: stripPrefixMember === undefined ? false : requireBoolean(source, stripPrefixMember),
      rewriteRedirects: rewriteRedirectsMember === undefined ? true : requireBoolean(source, rewriteRedirectsMember),
      headers: headersMember === undefined ? {} : validateHeaders(source, headersMember),
      source: source.file,
      definedAt: source.location(node.offset),
    },
    hostOffset: hostMember.value.offset,
  };
}

function validateHost(source: SourceText, member: Member): string {
  requireType(source, member.value, 'string', '"host" must be a string', `a host name in quotes, like "app.localhost"`);
  const host = member.value.value as string;
  const problem = hostProblem(host);
  if (problem !== undefined) fail(source, member.value, problem);
  return host;
}

function validatePath(source: SourceText, member: Member): string {
  requireType(source, member.value, 'string', '"path" must be a string', 'a path prefix in quotes, like "/api"');
  const path = member.value.value as string;
  const problem = pathProblem(path);
  if (problem !== undefined) fail(source, member.value, problem);
  return normalizePath(path);
}

function validateTarget(source: SourceText, member: Member): RouteTarget {
  const node = member.value;
  let result;
  if (node.type === 'number') {
    result = targetFromPort(node.value as number);
    if ('problem' in result) fail(source, node, { ...result.problem, expected: PORT_EXPECTED });
  } else if (node.type === 'string') {
    result = targetFromString(node.value as string);
  } else {
    return wrongType(source, node, '"target" must be a port or an http URL', 'a port like 8080 or a URL like "http://127.0.0.1:8080"');
  }
  if ('problem' in result) fail(source, node, result.problem);
  return result.target;
}

function validateHeaders(source: SourceText, member: Member): Record<string, string> {
  requireType(source, member.value, 'object', '"headers" must be an object', 'header names mapped to values, like { "x-forwarded-user": "dev" }');
  const headers: Record<string, string> = {};
  const seen = new Map<string, Node>();
  for (const { name, key, value } of members(source, member.value, undefined, '"headers"').values()) {
    const nameProblem = headerNameProblem(name);
    if (nameProblem !== undefined) throw source.error(key.offset, { ...nameProblem, found: quoted(name) });
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) {
      throw source.error(key.offset, {
        what: `header ${quoted(name)} is listed twice (header names ignore case)`,
        found: `${quoted(name)} after ${quoted(String(earlier.value))} on line ${source.position(earlier.offset).line}`,
        expected: 'each header name once',
      });
    }
    seen.set(name.toLowerCase(), key);
    if (value.type === 'number' || value.type === 'boolean') {
      throw source.error(value.offset, { what: 'header values must be strings', found: source.raw(value), expected: quoted(source.raw(value)) });
    }
    requireType(source, value, 'string', 'header values must be strings', 'text in quotes, like "dev"');
    const text = value.value as string;
    const valueProblem = headerValueProblem(text);
    if (valueProblem !== undefined) fail(source, value, valueProblem);
    headers[name] = text;
  }
  return headers;
}
