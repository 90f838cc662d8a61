/** Host-name warnings: left out once the name resolves to loopback, and said once per name. */
import test from 'ava';
import { isLoopbackAddress, NameWarningFilter, resolvesToLoopback } from '../../dist/config/name-warning-filter.js';
import { parseConfig } from '../../dist/config/parse-config.js';

function warningsFor(hosts: string[]) {
  const routes = hosts.map((host, i) => `{ "host": "${host}", "target": ${8000 + i} }`).join(',\n');
  return parseConfig(`{ "routes": [\n${routes}\n] }`, 'proxy.config.json').warnings;
}

/** A lookup that answers from a set, and counts the lookups. */
function fakeLookup(loopbackNames: Set<string>) {
  const asked: string[] = [];
  return { asked, check: async (name: string) => (asked.push(name), loopbackNames.has(name)) };
}

test('a .test name that does not resolve: warned once, not again on later reloads', async (t) => {
  const lookup = fakeLookup(new Set());
  const filter = new NameWarningFilter(lookup.check);
  const first = await filter.select(warningsFor(['app.test', 'app.localhost']));
  t.is(first.length, 1);
  t.regex(first[0]?.message ?? '', /add "127\.0\.0\.1 app\.test"/);
  t.deepEqual(await filter.select(warningsFor(['app.localhost', 'app.test'])), [], 'the same name on a reload, even on another line');
  t.deepEqual(lookup.asked, ['app.test'], 'no lookup for a name already warned about');
  t.is((await filter.select(warningsFor(['app.test', 'api.test']))).length, 1, 'a new name is warned about');
});

test('a name that resolves to loopback (a hosts-file line exists) gets no hosts-file advice', async (t) => {
  const lookup = fakeLookup(new Set(['app.test', 'printer.local', 'mysite.com', 'myapp']));
  const filter = new NameWarningFilter(lookup.check);
  const selected = await filter.select(warningsFor(['app.test', 'printer.local', 'mysite.com', 'myapp']));
  const messages = selected.map((warning) => warning.message);
  t.is(messages.length, 2, messages.join('\n'));
  t.regex(messages[0] ?? '', /^host "printer\.local": \.local is reserved for multicast DNS/);
  t.regex(messages[1] ?? '', /^host "myapp": "myapp" is a single-label name/);
  for (const message of messages) t.notRegex(message, /\/etc\/hosts|real top-level/);
});

test('wildcards are never looked up (a hosts file cannot hold them), and warned once', async (t) => {
  const lookup = fakeLookup(new Set(['*.preview.test']));
  const filter = new NameWarningFilter(lookup.check);
  t.is((await filter.select(warningsFor(['*.preview.test']))).length, 1);
  t.is((await filter.select(warningsFor(['*.preview.test']))).length, 0);
  t.deepEqual(lookup.asked, []);
});

test('warnings that are not about a host pass through every time', async (t) => {
  const filter = new NameWarningFilter(async () => false);
  const other = { message: 'something else', source: 'proxy.config.json:1:1' };
  t.deepEqual(await filter.select([other]), [other]);
  t.deepEqual(await filter.select([other]), [other]);
});

test('loopback addresses', (t) => {
  for (const address of ['127.0.0.1', '127.0.1.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) t.true(isLoopbackAddress(address), address);
  for (const address of ['10.0.0.1', '128.0.0.1', '::', '::2', '1::1', 'fe80::1', '::ffff:10.0.0.1', 'localhost', '']) t.false(isLoopbackAddress(address), address);
});

test('the real resolver: localhost resolves to loopback, a .invalid name does not', async (t) => {
  t.true(await resolvesToLoopback('localhost'));
  t.false(await resolvesToLoopback('devtls-no-such-name.invalid'));
});
