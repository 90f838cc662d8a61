import test from 'ava';
import { hostWithoutPort } from '../../dist/proxy/host-header.js';

test('hostWithoutPort lower-cases, drops the port and a trailing dot, and unwraps IPv6', (t) => {
  t.is(hostWithoutPort('App.Localhost:8443'), 'app.localhost');
  t.is(hostWithoutPort('app.localhost.'), 'app.localhost');
  t.is(hostWithoutPort('[::1]:443'), '::1');
  t.is(hostWithoutPort('[::1'), '');
  t.is(hostWithoutPort(''), '');
  t.is(hostWithoutPort(undefined), '');
});
