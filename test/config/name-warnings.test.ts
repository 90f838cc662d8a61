/** hostNameAdvice / hostNameWarning: which advice stands whatever the name resolves to. */
import test from 'ava';
import { hostNameAdvice, hostNameWarning } from '../../dist/config/name-warnings.js';

test('names under .localhost need no advice', (t) => {
  for (const host of ['localhost', 'app.localhost', '*.preview.localhost']) {
    t.is(hostNameAdvice(host), undefined, host);
    t.is(hostNameWarning(host), undefined, host);
  }
});

test('a .test name: only the hosts-file line, which a loopback resolution settles', (t) => {
  const advice = hostNameAdvice('app.test');
  t.deepEqual(advice?.always, []);
  t.is(advice?.untilResolved.length, 1);
  t.regex(hostNameWarning('app.test') ?? '', /^host "app\.test": browsers resolve only names under \.localhost to 127\.0\.0\.1 by themselves .*: add "127\.0\.0\.1 app\.test"/);
  t.is(hostNameWarning('app.test', { resolved: true }), undefined);
});

test('a real top-level domain: both the public-domain and hosts-file advice wait on resolution', (t) => {
  const advice = hostNameAdvice('shop.dev');
  t.deepEqual(advice?.always, []);
  t.regex(advice?.untilResolved[0] ?? '', /\.dev is a real top-level domain and on the HSTS preload list/);
  t.is(hostNameWarning('shop.dev', { resolved: true }), undefined);
});

test('.local and single-label names keep their advice when they resolve', (t) => {
  t.regex(hostNameWarning('printer.local', { resolved: true }) ?? '', /multicast DNS/);
  t.regex(hostNameWarning('myapp', { resolved: true }) ?? '', /single-label/);
  t.notRegex(hostNameWarning('myapp', { resolved: true }) ?? '', /\/etc\/hosts/);
});

test('a wildcard outside .localhost: all of it always (it cannot be looked up)', (t) => {
  const advice = hostNameAdvice('*.preview.dev');
  t.deepEqual(advice?.untilResolved, []);
  t.is(advice?.always.length, 2);
  t.regex(advice?.always[0] ?? '', /real top-level domain/);
  t.regex(advice?.always[1] ?? '', /cannot hold wildcards/);
});
