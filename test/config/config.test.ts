/** Valid files parse to the exact ProxyConfig; host names get the right warnings. */
import test from 'ava';
import { parseConfig } from '../../dist/config/parse-config.js';
import { starterConfigText } from '../../dist/config/starter-config.js';
import type { ProxyConfig } from '../../dist/config/types.js';
import type { Route } from '../../dist/routes/route.js';

const FILE = 'proxy.config.json';

const THREE_FORMS = `{
  "routes": [
    { "host": "app.localhost", "target": 8080 },
    { "host": "app.localhost", "path": "/api", "target": "http://127.0.0.1:8090" },
    { "host": "*.preview.localhost", "target": 8090 }
  ]
}
`;

function route(overrides: Partial<Route> & Pick<Route, 'host' | 'definedAt'>): Route {
  return {
    source: 'proxy.config.json',
    wildcard: false,
    path: '/',
    target: { origin: 'http://127.0.0.1:8080', hostname: '127.0.0.1', port: 8080, basePath: '', anyLoopback: true },
    changeOrigin: false,
    stripPrefix: false,
    rewriteRedirects: true,
    headers: {},
    timeouts: { connect: 5000, response: 120000 },
    ...overrides,
  };
}

test('the three contract forms parse with every default filled in', (t) => {
  const { config, warnings } = parseConfig(THREE_FORMS, FILE);
  const expected: ProxyConfig = {
    file: FILE,
    routes: [
      route({ host: 'app.localhost', definedAt: 'proxy.config.json:3:5' }),
      route({
        host: 'app.localhost',
        path: '/api',
        target: { origin: 'http://127.0.0.1:8090', hostname: '127.0.0.1', port: 8090, basePath: '' },
        definedAt: 'proxy.config.json:4:5',
      }),
      route({
        host: '*.preview.localhost',
        wildcard: true,
        target: { origin: 'http://127.0.0.1:8090', hostname: '127.0.0.1', port: 8090, basePath: '', anyLoopback: true },
        definedAt: 'proxy.config.json:5:5',
      }),
    ],
    httpsPort: undefined,
    httpPort: undefined,
    http2: true,
    timeouts: { connect: 5000, response: 120000 },
  };
  t.deepEqual(config, expected);
  t.deepEqual(warnings, []);
});

test('every key, with normalisation of path and target', (t) => {
  const text = `\ufeff{
  "$schema": "./proxy.config.schema.json",
  "httpsPort": 8443,
  "httpPort": false,
  "timeouts": { "connect": 1000 },
  "routes": [
    {
      "host": "api.localhost",
      "path": "/v1/",
      "target": "http://[::1]/base/",
      "changeOrigin": true,
      "stripPrefix": true,
      "headers": { "X-Forwarded-User": "dev", "authorization": "Bearer abc\\tdef" }
    },
    { "host": "named.localhost", "target": "HTTP://LocalHost:3000" },
    { "host": "xn--bcher-kva.localhost", "target": 65535 }
  ]
}`;
  const { config, warnings } = parseConfig(text, 'dir/p.json');
  t.deepEqual(config, {
    file: 'dir/p.json',
    httpsPort: 8443,
    httpPort: false,
    http2: true,
    timeouts: { connect: 1000, response: 120000 },
    routes: [
      {
        host: 'api.localhost',
        wildcard: false,
        path: '/v1',
        target: { origin: 'http://[::1]', hostname: '::1', port: 80, basePath: '/base' },
        changeOrigin: true,
        stripPrefix: true,
        rewriteRedirects: true,
        headers: { 'X-Forwarded-User': 'dev', authorization: 'Bearer abc\tdef' },
        timeouts: { connect: 1000, response: 120000 },
        source: 'dir/p.json',
        definedAt: 'dir/p.json:7:5',
      },
      route({ host: 'named.localhost', target: { origin: 'http://localhost:3000', hostname: 'localhost', port: 3000, basePath: '' }, source: 'dir/p.json', definedAt: 'dir/p.json:15:5', timeouts: { connect: 1000, response: 120000 } }),
      route({ host: 'xn--bcher-kva.localhost', target: { origin: 'http://127.0.0.1:65535', hostname: '127.0.0.1', port: 65535, basePath: '', anyLoopback: true }, source: 'dir/p.json', definedAt: 'dir/p.json:16:5', timeouts: { connect: 1000, response: 120000 } }),
    ],
  });
  t.deepEqual(warnings, []);
});

test('httpPort 0 means no redirect server, like false', (t) => {
  const { config } = parseConfig('{ "httpPort": 0, "routes": [{ "host": "a.localhost", "target": 1 }] }', FILE);
  t.is(config.httpPort, false);
  const other = parseConfig('{ "httpPort": 8080, "routes": [{ "host": "a.localhost", "target": 1 }] }', FILE);
  t.is(other.config.httpPort, 8080);
});

test('the same host with different paths, and a wildcard over the same name, are not duplicates', (t) => {
  const text = '{ "routes": [{ "host": "a.localhost", "target": 1 }, { "host": "a.localhost", "path": "/x", "target": 2 }, { "host": "*.a.localhost", "target": 3 }] }';
  t.is(parseConfig(text, FILE).config.routes.length, 3);
});

test('a target URL with a deeper base path and an IPv4 host', (t) => {
  const { config } = parseConfig('{ "routes": [{ "host": "a.localhost", "target": "http://10.0.0.2:8000/app/v2" }] }', FILE);
  t.deepEqual(config.routes[0]?.target, { origin: 'http://10.0.0.2:8000', hostname: '10.0.0.2', port: 8000, basePath: '/app/v2' });
});

test('the starter file is valid, has $schema and the three forms, and gives no warnings', (t) => {
  const text = starterConfigText();
  t.true(text.endsWith('\n'));
  const parsed = JSON.parse(text) as { $schema: string };
  t.is(parsed.$schema, './node_modules/devtls/proxy.config.schema.json');
  const { config, warnings } = parseConfig(text, FILE);
  t.deepEqual(warnings, []);
  const fromThreeForms = parseConfig(THREE_FORMS, FILE).config.routes.map(({ definedAt: _definedAt, ...rest }) => rest);
  t.deepEqual(config.routes.map(({ definedAt: _definedAt, ...rest }) => rest), fromThreeForms);
  t.is(JSON.parse(starterConfigText({ schema: './proxy.config.schema.json' })).$schema, './proxy.config.schema.json');
});

// --- warnings ---

function warningsFor(hosts: string[]) {
  const routes = hosts.map((host, i) => `    { "host": "${host}", "target": ${8000 + i} }`).join(',\n');
  return parseConfig(`{\n  "routes": [\n${routes}\n  ]\n}`, FILE).warnings;
}

test('no warnings for names under .localhost', (t) => {
  t.deepEqual(warningsFor(['localhost', 'app.localhost', '*.preview.localhost', 'a.b.c.localhost']), []);
});

test('.dev: real, HSTS-preloaded top-level domain', (t) => {
  const warnings = warningsFor(['app.localhost', 'app.dev']);
  t.is(warnings.length, 1);
  t.is(warnings[0]?.source, 'proxy.config.json:4:15');
  t.regex(warnings[0]?.message ?? '', /\.dev is a real top-level domain and on the HSTS preload list/);
  t.regex(warnings[0]?.message ?? '', /127\.0\.0\.1 app\.dev/);
});

test('.com: real top-level domain, not preloaded', (t) => {
  const [warning] = warningsFor(['mysite.com']);
  t.regex(warning?.message ?? '', /\.com is a real top-level domain: /);
  t.notRegex(warning?.message ?? '', /HSTS/);
});

test('.local: mDNS, and a hosts-file entry', (t) => {
  const [warning, ...rest] = warningsFor(['printer.local']);
  t.deepEqual(rest, []);
  t.regex(warning?.message ?? '', /multicast DNS/);
  t.regex(warning?.message ?? '', /macOS/);
  t.regex(warning?.message ?? '', /127\.0\.0\.1 printer\.local/);
  t.notRegex(warning?.message ?? '', /real top-level/);
});

test('app.test: needs a hosts-file entry only', (t) => {
  const [warning, ...rest] = warningsFor(['app.test']);
  t.deepEqual(rest, []);
  t.is(warning?.source, 'proxy.config.json:3:15');
  t.regex(warning?.message ?? '', /add "127\.0\.0\.1 app\.test"/);
  t.regex(warning?.message ?? '', /\/etc\/hosts/);
  t.notRegex(warning?.message ?? '', /real top-level|multicast/);
});

test('wildcards outside .localhost: hosts files cannot hold wildcards', (t) => {
  const [warning] = warningsFor(['*.preview.test']);
  t.regex(warning?.message ?? '', /cannot hold wildcards/);
});

test('reserved names (.internal, .example, home.arpa) are not called real domains', (t) => {
  for (const warning of warningsFor(['a.internal', 'b.example', 'c.home.arpa'])) {
    t.notRegex(warning.message, /real top-level/);
    t.regex(warning.message, /\/etc\/hosts/);
  }
});

test('one warning per distinct host, at its first route', (t) => {
  const text = '{ "routes": [\n{ "host": "app.test", "target": 1 },\n{ "host": "app.test", "path": "/api", "target": 2 },\n{ "host": "b.test", "target": 3 }\n] }';
  const { warnings } = parseConfig(text, FILE);
  t.deepEqual(warnings.map((w) => w.source), ['proxy.config.json:2:11', 'proxy.config.json:4:11']);
});

test('a single-label name is flagged', (t) => {
  const [warning] = warningsFor(['myapp']);
  t.regex(warning?.message ?? '', /single-label/);
});

test('each host-name warning says what is left once the name resolves to loopback', (t) => {
  const byHost = new Map(warningsFor(['app.test', 'printer.local', 'mysite.com', 'myapp', '*.preview.test']).map((w) => [w.host, w]));
  t.deepEqual(byHost.get('app.test')?.ifLoopback, { message: undefined }, 'nothing: the hosts-file line was all');
  t.deepEqual(byHost.get('mysite.com')?.ifLoopback, { message: undefined }, 'resolving locally, it cannot reach a public server');
  t.regex(byHost.get('printer.local')?.ifLoopback?.message ?? '', /^host "printer\.local": \.local is reserved for multicast DNS/);
  t.regex(byHost.get('myapp')?.ifLoopback?.message ?? '', /^host "myapp": "myapp" is a single-label name/);
  for (const host of ['printer.local', 'myapp']) t.notRegex(byHost.get(host)?.ifLoopback?.message ?? '', /\/etc\/hosts/);
  t.is(byHost.get('*.preview.test')?.ifLoopback, undefined, 'a wildcard cannot be looked up');
});
