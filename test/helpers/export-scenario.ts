/**
 * One config with every route feature, the backends it points to, devtls serving it, and the
 * requests that must behave the same through devtls and through an exported engine.
 */
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { ExecutionContext } from 'ava';
import WebSocket from 'ws';
import { deadPort, startBackend, type EchoReply, type TestBackend } from './backends.js';
import { startTestDevtls, type TestDevtls } from './devtls-instance.js';
import { httpsRequest } from './https-client.js';
import { http2Request, http2Session } from './http2-client.js';

export interface Scenario {
  app: TestBackend;
  api: TestBackend;
  preview: TestBackend;
  /** Accepts requests and never answers (the response timeout). */
  silent: TestBackend;
  devtls: TestDevtls;
  close(): Promise<void>;
}

/** The front a request goes through: devtls or the exported engine. */
export interface Front {
  name: string;
  httpsPort: number;
  httpPort: number;
  ca: string;
}

export const RESPONSE_TIMEOUT_MS = 3000;

export async function startScenario(): Promise<Scenario> {
  const app = await startBackend('app');
  const api = await startBackend('api');
  const preview = await startBackend('preview');
  const silent = await startBackend('silent', () => undefined, { websocket: false });
  const down = await deadPort();
  const config = {
    http2: true,
    timeouts: { connect: 2000, response: RESPONSE_TIMEOUT_MS },
    routes: [
      { host: 'app.localhost', target: app.port },
      { host: 'app.localhost', path: '/api', target: api.port, stripPrefix: true, headers: { 'x-extra': 'a {host} "c" $d \\ e', 'x-tick': 'back`tick "q"' } },
      { host: 'app.localhost', path: '/api/v2', target: preview.port },
      { host: 'app.localhost', path: '/legacy', target: `http://127.0.0.1:${api.port}/base`, changeOrigin: true },
      { host: 'app.localhost', path: '/mount', target: `http://127.0.0.1:${api.port}/base`, stripPrefix: true },
      { host: '*.preview.localhost', target: preview.port },
      { host: 'docs.localhost', path: '/docs', target: app.port },
      { host: 'slow.localhost', target: silent.port },
      { host: 'down.localhost', target: down },
    ],
  };
  const devtls = await startTestDevtls(config);
  return {
    app,
    api,
    preview,
    silent,
    devtls,
    close: async () => {
      await devtls.stop();
      for (const backend of [app, api, preview, silent]) await backend.close();
    },
  };
}

export function devtlsFront(scenario: Scenario): Front {
  return { name: 'devtls', httpsPort: scenario.devtls.httpsPort, httpPort: scenario.devtls.httpPort, ca: scenario.devtls.ca.certPem };
}

interface Case {
  host: string;
  path: string;
  server: string;
  url: string;
  /** The Host the backend must see; default: the browser's. */
  upstreamHost?: (scenario: Scenario) => string;
  extra?: Record<string, string>;
}

const API_HEADERS = { 'x-extra': 'a {host} "c" $d \\ e', 'x-tick': 'back`tick "q"' };

/** Every routing feature: longest prefix, segment boundaries, stripPrefix, base paths, changeOrigin, wildcards, extra headers. */
export const ROUTED_CASES: readonly Case[] = [
  { host: 'app.localhost', path: '/', server: 'app', url: '/' },
  { host: 'app.localhost', path: '/page?x=1&y=%20', server: 'app', url: '/page?x=1&y=%20' },
  { host: 'app.localhost', path: '/api', server: 'api', url: '/', extra: API_HEADERS },
  { host: 'app.localhost', path: '/api?q=1', server: 'api', url: '/?q=1', extra: API_HEADERS },
  { host: 'app.localhost', path: '/api/users/7?sort=asc', server: 'api', url: '/users/7?sort=asc', extra: API_HEADERS },
  { host: 'app.localhost', path: '/apix', server: 'app', url: '/apix' },
  { host: 'app.localhost', path: '/api/v2/items', server: 'preview', url: '/api/v2/items' },
  { host: 'app.localhost', path: '/api/v2', server: 'preview', url: '/api/v2' },
  { host: 'app.localhost', path: '/legacy/old?a=b', server: 'api', url: '/base/legacy/old?a=b', upstreamHost: (s) => `127.0.0.1:${s.api.port}` },
  { host: 'app.localhost', path: '/legacy', server: 'api', url: '/base/legacy', upstreamHost: (s) => `127.0.0.1:${s.api.port}` },
  { host: 'app.localhost', path: '/mount/x/y?z=1', server: 'api', url: '/base/x/y?z=1' },
  { host: 'app.localhost', path: '/mount', server: 'api', url: '/base/' },
  { host: 'feature.preview.localhost', path: '/hello', server: 'preview', url: '/hello' },
  { host: 'docs.localhost', path: '/docs/intro', server: 'app', url: '/docs/intro' },
];

/** Headers a page or client might forge: devtls is the edge, it sets X-Forwarded-* itself and drops the rest. */
const FORGED = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example', 'x-forwarded-port': '1', forwarded: 'for=203.0.113.9', 'x-real-ip': '203.0.113.9' };

/** Send every routed case through `front` and check what the backend received. */
export async function checkRoutedCases(t: ExecutionContext, scenario: Scenario, front: Front): Promise<void> {
  for (const item of ROUTED_CASES) {
    const label = `${front.name}: https://${item.host}${item.path}`;
    const res = await httpsRequest({ port: front.httpsPort, host: item.host, path: item.path, ca: front.ca, headers: FORGED });
    t.is(res.status, 200, `${label} → ${res.status} ${res.text.slice(0, 200)}`);
    if (res.status !== 200) continue;
    const reply = JSON.parse(res.text) as EchoReply;
    t.is(reply.server, item.server, `${label}: backend`);
    t.is(reply.url, item.url, `${label}: path`);
    const authority = `${item.host}:${front.httpsPort}`;
    t.is(reply.headers['host'], item.upstreamHost?.(scenario) ?? authority, `${label}: Host`);
    t.is(reply.headers['x-forwarded-for'], '127.0.0.1', `${label}: X-Forwarded-For`);
    t.is(reply.headers['forwarded'], undefined, `${label}: Forwarded dropped`);
    t.is(reply.headers['x-real-ip'], undefined, `${label}: X-Real-IP dropped`);
    t.is(reply.headers['x-forwarded-proto'], 'https', `${label}: X-Forwarded-Proto`);
    t.is(reply.headers['x-forwarded-host'], authority, `${label}: X-Forwarded-Host`);
    t.is(reply.headers['x-forwarded-port'], String(front.httpsPort), `${label}: X-Forwarded-Port`);
    for (const [name, value] of Object.entries(item.extra ?? {})) t.is(reply.headers[name], value, `${label}: ${name}`);
    if (item.extra === undefined) t.is(reply.headers['x-extra'], undefined, `${label}: no extra header`);
  }
}

/** Unknown hosts, a second label under a wildcard, and an unrouted path: 404, never forwarded. */
export async function checkNotFound(t: ExecutionContext, scenario: Scenario, front: Front): Promise<void> {
  const marker = `/never-${front.name}`;
  for (const [host, path] of [
    ['nope.example', marker],
    ['a.b.preview.localhost', marker],
    ['docs.localhost', `${marker}/other`],
  ] as const) {
    const res = await httpsRequest({ port: front.httpsPort, host: 'app.localhost', path, ca: front.ca, headers: { host: `${host}:${front.httpsPort}` } });
    t.is(res.status, 404, `${front.name}: ${host}${path} → ${res.status}`);
  }
  const forwarded = [scenario.app, scenario.api, scenario.preview].flatMap((backend) => backend.requests).filter((req) => (req.url ?? '').includes(marker));
  t.is(forwarded.length, 0, `${front.name}: nothing reached a backend`);
}

/** A dev server that is down gives 502; one that never answers gives 504 after the response timeout. */
export async function checkUpstreamFailures(t: ExecutionContext, front: Front): Promise<void> {
  const down = await httpsRequest({ port: front.httpsPort, host: 'down.localhost', ca: front.ca });
  t.is(down.status, 502, `${front.name}: a dead target`);
  const slow = await httpsRequest({ port: front.httpsPort, host: 'slow.localhost', ca: front.ca });
  t.is(slow.status, 504, `${front.name}: a silent target`);
}

/** A WebSocket opens through the front, with stripPrefix applied, and echoes. */
export async function checkWebSocket(t: ExecutionContext, front: Front): Promise<void> {
  const ws = new WebSocket(`wss://127.0.0.1:${front.httpsPort}/api/socket?room=1`, {
    servername: 'app.localhost',
    headers: { host: `app.localhost:${front.httpsPort}` },
    ca: front.ca,
  } as WebSocket.ClientOptions);
  await once(ws, 'open');
  ws.send('hello');
  const [message] = (await once(ws, 'message')) as [Buffer];
  t.is(message.toString(), 'api:/socket?room=1:hello', `${front.name}: WebSocket echo`);
  ws.close();
  await once(ws, 'close');
}

/** Plain http: 308 to the same URL on https for a configured host, 404 for another. */
export async function checkRedirect(t: ExecutionContext, front: Front): Promise<void> {
  for (const host of ['app.localhost', 'feature.preview.localhost']) {
    const res = await plainHttp(front.httpPort, host, '/x/y?z=1', 'POST');
    t.is(res.status, 308, `${front.name}: http ${host}`);
    t.is(res.location, `https://${host}:${front.httpsPort}/x/y?z=1`, `${front.name}: redirect target`);
  }
  const unknown = await plainHttp(front.httpPort, 'nope.example', '/', 'GET');
  t.is(unknown.status, 404, `${front.name}: http unknown host`);
}

/** HTTP/2 to the client (ALPN h2), forwarded with the same path and headers. */
export async function checkHttp2(t: ExecutionContext, front: Front): Promise<void> {
  const session = await http2Session(front.httpsPort, 'app.localhost', front.ca);
  try {
    t.is(session.alpnProtocol, 'h2', `${front.name}: ALPN`);
    const res = await http2Request(session, { ':method': 'GET', ':path': '/api/h2?x=1' });
    t.is(res.status, 200, `${front.name}: h2 status`);
    const reply = JSON.parse(res.body.toString()) as EchoReply;
    t.is(reply.server, 'api');
    t.is(reply.url, '/h2?x=1');
    t.is(reply.headers['x-forwarded-host'], `app.localhost:${front.httpsPort}`, `${front.name}: h2 X-Forwarded-Host`);
    t.is(reply.headers['x-extra'], API_HEADERS['x-extra']);
    t.is(reply.headers['x-forwarded-for'], '127.0.0.1', `${front.name}: h2 X-Forwarded-For`);
  } finally {
    session.close();
  }
}

function plainHttp(port: number, host: string, path: string, method: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: { host: `${host}:${port}`, 'content-length': 0 }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}
