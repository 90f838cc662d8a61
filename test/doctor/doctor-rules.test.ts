import test from 'ava';
import { checkNames } from '../../dist/doctor/name-checks.js';
import { devtlsCommand } from '../../dist/doctor/check.js';
import { invocation } from '../../dist/invocation.js';
import { localhostResolverFix } from '../../dist/hosts/localhost-resolution.js';
import { isLoopback, probeName } from '../../dist/hosts/name-resolution.js';
import { mergedNoProxy, noProxyCovers, noProxyEntries, splitNoProxy } from '../../dist/trust/no-proxy.js';

const DEBIAN = { platform: 'linux' as const, glibc: true, debian: true, nsswitchHosts: 'files mdns4_minimal [NOTFOUND=return] dns' };
const FEDORA = { platform: 'linux' as const, glibc: true, debian: false, nsswitchHosts: 'files dns' };
const ALPINE = { platform: 'linux' as const, glibc: false, debian: false, nsswitchHosts: '' };
const WITH_MYHOSTNAME = { ...DEBIAN, nsswitchHosts: 'files myhostname mdns4_minimal [NOTFOUND=return] dns' };

test('loopback: 127/8, ::1 and IPv4-mapped 127.x; nothing else', (t) => {
  for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) t.true(isLoopback(address), address);
  for (const address of ['10.0.0.1', '::', '::2', '0.0.0.0', 'fe80::1', 'app.localhost']) t.false(isLoopback(address), address);
  t.is(probeName('*.preview.localhost'), 'devtls-doctor.preview.localhost');
  t.is(probeName('app.test'), 'app.test');
});

test('the *.localhost fix for this system: libnss-myhostname on Debian, the nsswitch.conf edit on other glibc systems, none elsewhere', (t) => {
  t.is(localhostResolverFix(DEBIAN), 'sudo apt-get install libnss-myhostname   (resolves every *.localhost name to loopback)');
  t.is(localhostResolverFix(FEDORA), 'add "myhostname" to the hosts: line of /etc/nsswitch.conf, before "dns" (now: hosts: files dns)');
  t.is(localhostResolverFix(ALPINE), undefined);
  t.is(localhostResolverFix({ ...DEBIAN, platform: 'darwin', glibc: false }), undefined);
  t.is(localhostResolverFix(WITH_MYHOSTNAME), undefined, 'already configured: only a hosts file can help');
});

test('names: each fix matches the system; browsers are said to reach *.localhost by themselves; wildcards never get a hosts line', async (t) => {
  const nothing = async (): Promise<string[]> => [];
  const flags = { hostsFile: '/tmp/h' };
  const hosts = ['app.localhost', 'shop.test', '*.preview.localhost', '*.preview.test'];
  const debian = await checkNames(hosts, nothing, DEBIAN, flags);
  t.deepEqual(
    debian.map((check) => [check.id, check.status, check.fix]),
    [
      ['name:app.localhost', 'fail', `sudo apt-get install libnss-myhostname   (resolves every *.localhost name to loopback), or ${invocation()} hosts --write --hosts-file /tmp/h`],
      ['name:shop.test', 'fail', `${invocation()} hosts --write --hosts-file /tmp/h`],
      ['name:*.preview.localhost', 'fail', 'sudo apt-get install libnss-myhostname   (resolves every *.localhost name to loopback)'],
      ['name:*.preview.test', 'warn', 'add a line per name you use, e.g. "127.0.0.1 devtls-doctor.preview.test", or use names under .localhost'],
    ],
  );
  t.regex(debian[0]?.message ?? '', /^app\.localhost: browsers reach it on loopback by themselves, but the system resolver \(Node, Python, Java, wget\) does not resolve it$/);
  t.notRegex(debian[1]?.message ?? '', /browsers reach it/);
  const alpine = await checkNames(['app.localhost'], nothing, ALPINE, {});
  t.is(alpine[0]?.fix, `${invocation()} hosts --write`);
  const elsewhere = await checkNames(['shop.test'], async () => ['203.0.113.9'], DEBIAN, {});
  t.regex(elsewhere[0]?.message ?? '', /gives 203\.0\.113\.9, not loopback/);
  const fine = await checkNames(['app.localhost', '127.0.0.1'], async () => ['127.0.0.1', '::1'], DEBIAN, {});
  t.deepEqual(fine.map((check) => check.status), ['ok'], 'an IP literal needs no resolving');
});

test('NO_PROXY: an entry covers itself and the names under it (leading . or *. dropped, * covers all, a port ignored)', (t) => {
  t.deepEqual(splitNoProxy(' a.test, .b.test ,,*.c.test '), ['a.test', '.b.test', '*.c.test']);
  t.true(noProxyCovers(['localhost'], 'app.localhost'));
  t.true(noProxyCovers(['.localhost'], 'app.localhost'));
  t.true(noProxyCovers(['*.test'], 'shop.test'));
  t.true(noProxyCovers(['*'], 'anything.example'));
  t.true(noProxyCovers(['shop.test:443'], 'shop.test'));
  t.true(noProxyCovers(['preview.test'], '*.preview.test'));
  t.false(noProxyCovers(['op.test'], 'shop.test'), 'a label boundary, not a string suffix');
  t.false(noProxyCovers(['corp.example'], 'app.localhost'));
  t.deepEqual(noProxyEntries(['app.localhost', 'shop.test', '*.preview.test', 'api.shop.test']), ['localhost', '.localhost', '127.0.0.1', '::1', 'shop.test', '.preview.test']);
  t.is(mergedNoProxy(['corp.example', 'LOCALHOST'], ['localhost', '.localhost']), 'corp.example,LOCALHOST,.localhost');
});

test('fix commands repeat the flags given, quoted for the shell when needed', (t) => {
  const devtls = invocation();
  t.is(devtlsCommand('trust --store nss', { caDir: '/tmp/my ca', config: 'x.json' }, ['caDir']), `${devtls} trust --store nss --ca-dir '/tmp/my ca'`);
  t.is(devtlsCommand('hosts --write', { config: 'a/proxy.json', hostsFile: '/tmp/h' }, ['config', 'hostsFile']), `${devtls} hosts --write --config a/proxy.json --hosts-file /tmp/h`);
  t.is(devtlsCommand('env', {}, ['caDir', 'config']), `${devtls} env`);
});
