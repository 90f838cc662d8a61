import test from 'ava';
import { RouteTable, pathHasPrefix } from '../../dist/routes/route-table.js';
import { route } from '../helpers/routes.js';

test('an exact host beats a wildcard, and the longest path prefix wins', (t) => {
  const table = new RouteTable([
    route({ host: 'app.localhost', target: 1 }),
    route({ host: 'app.localhost', path: '/api', target: 2 }),
    route({ host: 'app.localhost', path: '/api/v2', target: 3 }),
    route({ host: '*.localhost', target: 4 }),
  ]);
  const port = (host: string, path: string): number | undefined => table.match(host, path)?.target.port;
  t.is(port('app.localhost', '/'), 1);
  t.is(port('app.localhost', '/api'), 2);
  t.is(port('app.localhost', '/api/users?x=1'), 2);
  t.is(port('app.localhost', '/api/v2/x'), 3);
  t.is(port('app.localhost', '/apix'), 1, 'a prefix matches at a / boundary only');
  t.is(port('other.localhost', '/'), 4);
});

test('a wildcard matches exactly one more label, as wildcard certificates do', (t) => {
  const table = new RouteTable([route({ host: '*.preview.localhost', target: 1 })]);
  t.is(table.match('pr-1.preview.localhost', '/')?.target.port, 1);
  t.is(table.match('a.b.preview.localhost', '/'), undefined);
  t.is(table.match('preview.localhost', '/'), undefined);
  t.is(table.match('.preview.localhost', '/'), undefined);
  t.is(table.hostPatternFor('pr-1.preview.localhost'), '*.preview.localhost');
  t.is(table.hostPatternFor('a.b.preview.localhost'), undefined);
});

test('a host routed only under a path does not match other paths; routesForHost lists its paths', (t) => {
  const table = new RouteTable([route({ host: 'api.localhost', path: '/v1', target: 1 }), route({ host: 'api.localhost', path: '/v2', target: 2 })]);
  t.is(table.match('api.localhost', '/'), undefined);
  t.deepEqual(
    table.routesForHost('api.localhost').map((r) => r.path).sort(),
    ['/v1', '/v2'],
  );
  t.deepEqual(table.routesForHost('nothing.localhost'), []);
});

test('hostPatterns lists each host once in route order', (t) => {
  const table = new RouteTable([route({ host: 'b.localhost', target: 1 }), route({ host: 'a.localhost', target: 2 }), route({ host: 'b.localhost', path: '/x', target: 3 })]);
  t.deepEqual(table.hostPatterns(), ['b.localhost', 'a.localhost']);
});

test('pathHasPrefix: a query or a slash may follow the prefix, nothing else', (t) => {
  t.true(pathHasPrefix('/anything', '/'));
  t.true(pathHasPrefix('/api', '/api'));
  t.true(pathHasPrefix('/api/', '/api'));
  t.true(pathHasPrefix('/api?x', '/api'));
  t.false(pathHasPrefix('/apis', '/api'));
  t.false(pathHasPrefix('/ap', '/api'));
});

test('movedVersionOf: the same route with only its target moved; nothing for a route kept, gone, or changed otherwise', (t) => {
  const app = route({ host: 'app.localhost', target: 3000 });
  const api = route({ host: 'app.localhost', path: '/api', target: 8090, headers: { 'x-team': 'a' } });
  const moved = route({ host: 'app.localhost', target: 3001 });
  const table = new RouteTable([moved, api]);
  t.is(table.movedVersionOf(app), moved);
  t.is(table.movedVersionOf(api), undefined, 'kept as it was: nothing to move to');
  t.is(new RouteTable([api]).movedVersionOf(app), undefined, 'gone');
  const otherwise = [
    route({ host: 'app.localhost', target: 3001, changeOrigin: true }),
    route({ host: 'app.localhost', target: 3001, stripPrefix: true }),
    route({ host: 'app.localhost', target: 'http://127.0.0.1:3001/base' }),
    route({ host: 'app.localhost', target: 3001, headers: { 'x-team': 'b' } }),
    route({ host: 'app.localhost', target: 3001, source: 'devtls run -- vite' }),
    route({ host: 'app.localhost', path: '/v2', target: 3001 }),
  ];
  for (const candidate of otherwise) t.is(new RouteTable([candidate]).movedVersionOf(app), undefined, JSON.stringify(candidate));
});
