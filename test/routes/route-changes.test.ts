import test from 'ava';
import { describeRouteChanges } from '../../dist/routes/route-changes.js';
import { formatHost, hostWithPort, routeLabel, targetLabel, targetUrl } from '../../dist/routes/labels.js';
import { upstreamPath } from '../../dist/routes/upstream-path.js';
import { route } from '../helpers/routes.js';

test('a reload summary names what was added, changed and removed', (t) => {
  const before = [route({ host: 'app.localhost', target: 8080 }), route({ host: 'old.localhost', target: 8081 })];
  const after = [route({ host: 'app.localhost', target: 9090 }), route({ host: 'api.app.localhost', target: 8090 }), route({ host: 'app.localhost', path: '/api', target: 'http://10.0.0.2:8000/v1' })];
  const changes = describeRouteChanges(before, after);
  t.is(changes.summary, '+ api.app.localhost → :8090, + app.localhost/api → http://10.0.0.2:8000/v1, ~ app.localhost → :9090, - old.localhost');
  t.deepEqual(changes.removed.map((r) => r.host), ['old.localhost']);
  t.is(describeRouteChanges(before, before).summary, 'no route changed');
});

test('labels: route, target, hosts with ports', (t) => {
  t.is(routeLabel(route({ host: 'a.localhost', target: 1 })), 'a.localhost');
  t.is(routeLabel(route({ host: 'a.localhost', path: '/x', target: 1 })), 'a.localhost/x');
  t.is(targetLabel(route({ host: 'a.localhost', target: 'http://localhost:3000' })), ':3000');
  t.is(targetLabel(route({ host: 'a.localhost', target: 'http://127.0.0.1:3000/base' })), 'http://127.0.0.1:3000/base');
  t.is(targetUrl(route({ host: 'a.localhost', target: 'http://127.0.0.1:3000/base' }).target), 'http://127.0.0.1:3000/base');
  t.is(formatHost('::1'), '[::1]');
  t.is(formatHost('127.0.0.1'), '127.0.0.1');
  t.is(hostWithPort('::1', 8080, 80), '[::1]:8080');
  t.is(hostWithPort('app.localhost', 443, 443), 'app.localhost');
});

test('upstreamPath strips the prefix when asked and prepends the target base path', (t) => {
  const plain = route({ host: 'a.localhost', path: '/api', target: 1 });
  const stripped = route({ host: 'a.localhost', path: '/api', target: 1, stripPrefix: true });
  const based = route({ host: 'a.localhost', path: '/api', target: 'http://127.0.0.1:1/base', stripPrefix: true });
  t.is(upstreamPath(plain, '/api/users?x=1'), '/api/users?x=1');
  t.is(upstreamPath(stripped, '/api/users?x=1'), '/users?x=1');
  t.is(upstreamPath(stripped, '/api'), '/');
  t.is(upstreamPath(stripped, '/api?q'), '/?q');
  t.is(upstreamPath(based, '/api/users'), '/base/users');
});
