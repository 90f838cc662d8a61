// The naming policy alone: which names a CA with given nameConstraints may sign, how its
// scope reads, and which extra names a new CA accepts. Pure: no files, no keys.
import test from 'ava';
import { UserError } from '../../dist/errors.js';
import { parseIpRange, type IpRange } from '../../dist/pki/host-names.js';
import { DEFAULT_PERMITTED_IP_RANGES, DEFAULT_PERMITTED_NAMES, NamingPolicy, constraintsForNewCa } from '../../dist/pki/naming-policy.js';

function ranges(...texts: string[]): IpRange[] {
  return texts.map((text) => parseIpRange(text) as IpRange);
}

function policy(names: string[], ipRanges: string[], excluded: { names?: string[]; ipRanges?: string[] } = {}): NamingPolicy {
  return new NamingPolicy({
    permittedDnsNames: names,
    permittedIpRanges: ranges(...ipRanges),
    excludedDnsNames: excluded.names ?? [],
    excludedIpRanges: ranges(...(excluded.ipRanges ?? [])),
  });
}

const standard = policy([...DEFAULT_PERMITTED_NAMES], [...DEFAULT_PERMITTED_IP_RANGES]);

test('permits: local names and loopback addresses, whole labels only', (t) => {
  for (const ok of ['localhost', 'app.localhost', 'App.LocalHost.', 'a.b.test', '*.preview.localhost', 'x.home.arpa', 'box.local', 'site.example', '127.0.0.1', '127.255.0.9', '::1', '[::1]']) {
    t.true(standard.permits(ok), ok);
  }
  for (const bad of ['example.com', 'localhost.evil.com', 'evillocalhost', 'arpa', '10.0.0.1', '::2', '192.168.1.1', 'bad_name.localhost', '', 'app.localhost:443']) {
    t.false(standard.permits(bad), bad);
  }
});

test('permits follows the constraints it was given, excluded subtrees winning', (t) => {
  const narrow = policy(['corp.lan'], ['127.0.0.0/24'], { names: ['secret.corp.lan'], ipRanges: ['127.0.0.9/32'] });
  t.true(narrow.permits('a.corp.lan'));
  t.false(narrow.permits('a.localhost'));
  t.false(narrow.permits('x.secret.corp.lan'));
  t.true(narrow.permits('127.0.0.8'));
  t.false(narrow.permits('127.0.0.9'));
  t.false(narrow.permits('127.0.1.1'));
  t.false(narrow.permits('::1'), 'with permitted IPv4 ranges only, IPv6 is outside too (one permitted iPAddress subtree constrains every address)');
});

test('describeScope and listScope read the ranges from the constraints', (t) => {
  t.is(standard.describeScope(), '.localhost, .test, .internal, .home.arpa, .local, .example, 127.0.0.0/8 and ::1');
  t.is(standard.listScope(), '.localhost .test .internal .home.arpa .local .example 127.0.0.0/8 ::1');
  const other = policy(['lan'], ['10.1.0.0/16', '127.0.0.1/32']);
  t.is(other.listScope(), '.lan 10.1.0.0/16 127.0.0.1');
  t.is(other.describeScope(), '.lan, 10.1.0.0/16 and 127.0.0.1');
  t.deepEqual([...other.permittedIpRanges], ['10.1.0.0/16', '127.0.0.1/32']);
  t.is(policy([], []).describeScope(), 'nothing');
});

test('checkedName normalises or says why not, with a code and a hint', (t) => {
  t.is(standard.checkedName('App.Localhost.'), 'app.localhost');
  t.is(standard.checkedName('[0:0:0:0:0:0:0:1]'), '::1');
  const cases: Array<[string, string, RegExp]> = [
    ['bad_name.localhost', 'EPKI_BAD_NAME', /not a valid host name/],
    ['*.localhost', 'EPKI_BAD_WILDCARD', /too broad for a wildcard/],
    ['www.example.com', 'EPKI_NAME_NOT_PERMITTED', /only covers \.localhost/],
    ['10.0.0.1', 'EPKI_NAME_NOT_PERMITTED', /only covers/],
  ];
  for (const [name, code, message] of cases) {
    const error = t.throws(() => standard.checkedName(name), { instanceOf: UserError }, name);
    t.is(error?.code, code, name);
    t.regex(error?.message ?? '', message);
    t.truthy(error?.hint, name);
  }
  t.regex(t.throws(() => standard.checkedName('www.example.com'), { instanceOf: UserError })?.hint ?? '', /www\.localhost/);
  t.regex(t.throws(() => standard.checkedName('10.0.0.1'), { instanceOf: UserError })?.hint ?? '', /loopback/);
});

test('constraintsForNewCa: the defaults plus private extra names; public ones refused', (t) => {
  const plain = constraintsForNewCa();
  t.deepEqual(plain.permittedDnsNames, [...DEFAULT_PERMITTED_NAMES]);
  t.deepEqual(plain.permittedIpRanges.map((range) => `${Array.from(range.address).join('.')}/${range.prefixLength}`).slice(0, 1), ['127.0.0.0/8']);
  t.is(plain.permittedIpRanges.length, 2);
  t.deepEqual(constraintsForNewCa(['Dev.Acme.COM', 'lan', 'localhost']).permittedDnsNames, [...DEFAULT_PERMITTED_NAMES, 'dev.acme.com', 'lan']);
  for (const bad of ['dev', 'com', '*.acme.com', '10.0.0.1', 'bad_name.com', '']) {
    const error = t.throws(() => constraintsForNewCa([bad]), { instanceOf: UserError }, bad);
    t.is(error?.code, 'EPKI_BAD_NAME');
  }
});
