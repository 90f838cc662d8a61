import test from 'ava';
import { downstreamResponseHeaders, headerObject, upstreamRequestHeaders } from '../../dist/proxy/upstream-headers.js';
import { route } from '../helpers/routes.js';

const context = { host: 'app.localhost:8443', clientAddress: '127.0.0.1', port: 8443, proto: 'https' as const };

/** What upstreamRequestHeaders reads of a request: its raw header list and the parsed object. */
function request(raw: string[]): Parameters<typeof upstreamRequestHeaders>[0] {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[(raw[i] as string).toLowerCase()] ??= raw[i + 1] as string;
  return { rawHeaders: raw, headers } as unknown as Parameters<typeof upstreamRequestHeaders>[0];
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([(flat[i] as string).toLowerCase(), flat[i + 1] as string]);
  return out;
}

test('hop-by-hop, Connection-named and client forwarding headers are dropped; devtls sets each X-Forwarded-* once', (t) => {
  const out = pairs(
    upstreamRequestHeaders(
      request([
        'Host', 'app.localhost:8443',
        'Connection', 'keep-alive, X-Secret',
        'X-Secret', 'x',
        'Keep-Alive', 'timeout=5',
        'TE', 'trailers',
        'X-Forwarded-For', '6.6.6.6',
        'X-Forwarded-Host', 'evil.example',
        'Forwarded', 'for=6.6.6.6',
        'X-Real-IP', '6.6.6.6',
        'Accept', 'text/html',
      ]),
      route({ host: 'app.localhost', target: 8080 }),
      context,
    ),
  );
  t.deepEqual(out, [
    ['accept', 'text/html'],
    ['host', 'app.localhost:8443'],
    ['x-forwarded-for', '127.0.0.1'],
    ['x-forwarded-proto', 'https'],
    ['x-forwarded-host', 'app.localhost:8443'],
    ['x-forwarded-port', '8443'],
  ]);
});

test('HTTP/2 pseudo-headers are dropped and cookies joined; changeOrigin and route headers apply', (t) => {
  const out = pairs(
    upstreamRequestHeaders(
      request([':authority', 'app.localhost', ':path', '/', 'cookie', 'a=1', 'cookie', 'b=2', 'x-user', 'browser']),
      route({ host: 'app.localhost', target: 'http://[::1]:3000', changeOrigin: true, headers: { 'X-User': 'dev' } }),
      context,
    ),
  );
  t.deepEqual(out.find(([name]) => name === 'cookie'), ['cookie', 'a=1; b=2']);
  t.deepEqual(out.find(([name]) => name === 'host'), ['host', '[::1]:3000']);
  t.deepEqual(out.filter(([name]) => name === 'x-user'), [['x-user', 'dev']], 'the route header replaces the browser\'s');
  t.false(out.some(([name]) => name.startsWith(':')));
});

test('an upgrade keeps Upgrade and gets Connection: Upgrade, once', (t) => {
  const out = pairs(
    upstreamRequestHeaders(
      request(['Host', 'app.localhost', 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k']),
      route({ host: 'app.localhost', target: 8080 }),
      context,
      true,
    ),
  );
  t.deepEqual(out.filter(([name]) => name === 'connection' || name === 'upgrade'), [['connection', 'Upgrade'], ['upgrade', 'websocket']]);
  t.deepEqual(out.find(([name]) => name === 'sec-websocket-key'), ['sec-websocket-key', 'k']);
});

test('response headers lose hop-by-hop and Connection-named ones; repeated Set-Cookie stays separate', (t) => {
  const out = downstreamResponseHeaders({
    'content-type': 'text/html',
    connection: 'keep-alive, x-internal',
    'keep-alive': 'timeout=5',
    'x-internal': 'secret',
    'transfer-encoding': 'chunked',
    'set-cookie': ['a=1', 'b=2'],
  });
  t.deepEqual(out, ['content-type', 'text/html', 'set-cookie', 'a=1', 'set-cookie', 'b=2']);
});

test('headerObject joins repeated names', (t) => {
  t.deepEqual(headerObject(['A', '1', 'a', '2', 'B', '3']), { a: '1, 2', b: '3' });
});
