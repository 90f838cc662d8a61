import test from 'ava';
import { startBackend, type EchoReply, type TestBackend } from '../helpers/backends.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { httpsRequest } from '../helpers/https-client.js';

let app: TestBackend;
let api: TestBackend;
let preview: TestBackend;
let redirecting: TestBackend;
let hostChecking: TestBackend;
let devtls: TestDevtls;

test.before(async () => {
  [app, api, preview] = await Promise.all([startBackend('app'), startBackend('api'), startBackend('preview')]);
  // A dev server that only knows its own address, as most do behind a proxy.
  redirecting = await startBackend('redirecting', (req, res) => {
    const own = `http://127.0.0.1:${redirecting.port}`;
    const location = req.url === '/away' ? 'http://example.com/elsewhere' : `${own}/dashboard?tab=1`;
    res.writeHead(302, { location, 'content-location': `${own}/login`, refresh: `3; url=${own}/later`, 'content-length': 0 });
    res.end();
  });
  // Vite's answer to a Host it does not allow.
  hostChecking = await startBackend('host-checking', (req, res) => {
    if (req.url === '/forbidden') {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('Forbidden: not an admin');
      return;
    }
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end(`Blocked request. This host ("${String(req.headers.host).split(':')[0]}") is not allowed.\nTo allow this host, add it to \`server.allowedHosts\` in vite.config.js.`);
  });
  devtls = await startTestDevtls({
    routes: [
      { host: 'app.localhost', target: app.port },
      { host: 'app.localhost', path: '/api', target: `http://127.0.0.1:${api.port}` },
      { host: 'app.localhost', path: '/api/v2', target: preview.port, stripPrefix: true },
      { host: '*.preview.localhost', target: preview.port },
      { host: 'exact.preview.localhost', target: app.port },
      { host: '*.localhost', target: api.port },
      { host: 'rewrite.localhost', target: `http://localhost:${api.port}/base`, changeOrigin: true, headers: { 'X-Extra': 'yes' } },
      { host: 'redirect.localhost', target: redirecting.port },
      { host: 'redirect-off.localhost', target: redirecting.port, rewriteRedirects: false },
      { host: 'vite.localhost', target: hostChecking.port },
    ],
  });
});

test.after.always(async () => {
  await devtls?.stop();
  await Promise.all([app, api, preview, redirecting, hostChecking].map((backend) => backend?.close()));
});

async function get(host: string, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; reply: EchoReply }> {
  const res = await httpsRequest({ port: devtls.httpsPort, host, path, ca: devtls.ca.certPem, headers });
  return { status: res.status, reply: JSON.parse(res.text) as EchoReply };
}

test('a host route reaches its target, with the original Host kept', async (t) => {
  const { status, reply } = await get('app.localhost', '/index.html?x=1');
  t.is(status, 200);
  t.is(reply.server, 'app');
  t.is(reply.url, '/index.html?x=1');
  t.is(reply.headers['host'], `app.localhost:${devtls.httpsPort}`);
});

test('the longest path prefix wins, at a path-segment boundary', async (t) => {
  t.is((await get('app.localhost', '/api/users')).reply.server, 'api');
  t.is((await get('app.localhost', '/api')).reply.server, 'api');
  t.is((await get('app.localhost', '/api?q=1')).reply.server, 'api');
  t.is((await get('app.localhost', '/apiary')).reply.server, 'app');
  const v2 = await get('app.localhost', '/api/v2/items?id=3');
  t.is(v2.reply.server, 'preview');
  t.is(v2.reply.url, '/items?id=3', 'stripPrefix removes the route path');
  t.is((await get('app.localhost', '/api/v2')).reply.url, '/');
});

test('a wildcard route serves sub-domains; an exact host beats it', async (t) => {
  t.is((await get('feature-1.preview.localhost')).reply.server, 'preview');
  t.is((await get('exact.preview.localhost')).reply.server, 'app');
  t.is((await get('other.localhost')).reply.server, 'api', '*.localhost gets a per-host certificate at the handshake');
  t.is((await get('APP.LOCALHOST')).reply.server, 'app', 'host names are case-insensitive');
});

test('changeOrigin, a target base path and extra headers', async (t) => {
  const { reply } = await get('rewrite.localhost', '/x?y=1');
  t.is(reply.headers['host'], `localhost:${api.port}`);
  t.is(reply.url, '/base/x?y=1');
  t.is(reply.headers['x-extra'], 'yes');
  t.is(reply.headers['x-forwarded-host'], `rewrite.localhost:${devtls.httpsPort}`);
});

test('X-Forwarded-* are set by devtls from what it saw; a client cannot forge them or Forwarded/X-Real-IP', async (t) => {
  const { reply } = await get('app.localhost', '/', {
    'x-forwarded-proto': 'gopher',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-for': '203.0.113.9',
    'x-forwarded-port': '1',
    forwarded: 'for=203.0.113.9;proto=http',
    'x-real-ip': '203.0.113.9',
    connection: 'keep-alive, x-secret',
    'x-secret': 'hop-by-hop',
  });
  t.is(reply.headers['x-forwarded-proto'], 'https');
  t.is(reply.headers['x-forwarded-host'], `app.localhost:${devtls.httpsPort}`);
  t.is(reply.headers['x-forwarded-port'], String(devtls.httpsPort));
  t.is(reply.headers['x-forwarded-for'], '127.0.0.1', 'devtls is the edge: the dev server sees only the address devtls saw');
  t.is(reply.headers['forwarded'], undefined);
  t.is(reply.headers['x-real-ip'], undefined);
  t.is(reply.headers['x-secret'], undefined, 'headers named in Connection are hop-by-hop');
  for (const name of ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']) {
    t.is(reply.headerNames.filter((received) => received === name).length, 1, `${name} reaches the dev server exactly once`);
  }
});

test('an unknown host gets a 404 page listing the configured hosts, and is never forwarded', async (t) => {
  const res = await httpsRequest({ port: devtls.httpsPort, host: 'app.localhost', path: '/never-forwarded', ca: devtls.ca.certPem, headers: { host: 'nope.example' } });
  t.is(res.status, 404);
  t.regex(res.text, /no route for nope\.example\/never-forwarded/);
  t.true(res.text.includes(`https://app.localhost:${devtls.httpsPort}/`));
  const forwarded = [app, api, preview].flatMap((backend) => backend.requests).filter((req) => req.url === '/never-forwarded');
  t.is(forwarded.length, 0);
  const json = await httpsRequest({
    port: devtls.httpsPort,
    host: 'app.localhost',
    ca: devtls.ca.certPem,
    headers: { host: 'nope.example', accept: 'application/json' },
  });
  t.is(json.status, 404);
  const body = JSON.parse(json.text) as { hosts: string[]; status: number };
  t.is(body.status, 404);
  t.true(body.hosts.includes(`https://rewrite.localhost:${devtls.httpsPort}/`));
});

test('redirects to the dev server\'s own address come back as the public https URL; others stay', async (t) => {
  const origin = `https://redirect.localhost:${devtls.httpsPort}`;
  const res = await httpsRequest({ port: devtls.httpsPort, host: 'redirect.localhost', path: '/', ca: devtls.ca.certPem });
  t.is(res.status, 302);
  t.is(res.headers['location'], `${origin}/dashboard?tab=1`);
  t.is(res.headers['content-location'], `${origin}/login`);
  t.is(res.headers['refresh'], `3; url=${origin}/later`);
  const away = await httpsRequest({ port: devtls.httpsPort, host: 'redirect.localhost', path: '/away', ca: devtls.ca.certPem });
  t.is(away.headers['location'], 'http://example.com/elsewhere');
  const off = await httpsRequest({ port: devtls.httpsPort, host: 'redirect-off.localhost', path: '/', ca: devtls.ca.certPem });
  t.is(off.headers['location'], `http://127.0.0.1:${redirecting.port}/dashboard?tab=1`, '"rewriteRedirects": false leaves it as sent');
});

test('a dev server\'s host-check refusal gets a page and a terminal line naming the setting; other 403s pass as sent', async (t) => {
  const res = await httpsRequest({ port: devtls.httpsPort, host: 'vite.localhost', path: '/', ca: devtls.ca.certPem });
  t.is(res.status, 403);
  t.regex(res.text, /Blocked by the dev server/);
  t.regex(res.text, /add &#34;vite\.localhost&#34; to server\.allowedHosts in vite\.config/);
  t.true(devtls.logger.lines.some((line) => /403 vite\.localhost → .*Vite's host check refused vite\.localhost: add "vite\.localhost" to server\.allowedHosts/.test(line)), devtls.logger.lines.join('\n'));
  const plain = await httpsRequest({ port: devtls.httpsPort, host: 'vite.localhost', path: '/forbidden', ca: devtls.ca.certPem });
  t.is(plain.status, 403);
  t.is(plain.text, 'Forbidden: not an admin');
});
