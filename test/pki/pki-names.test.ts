// Pure rules: wildcard certificates, host-name normalisation, name-constraint matching and
// encoding, and where the CA lives on each platform.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCaDir } from '../../dist/pki/ca-location.js';
import {
  dnsNameWithinConstraint,
  ipWithinRange,
  normalizeHostName,
  parseIpRange,
  wildcardCertificateAllowed,
} from '../../dist/pki/host-names.js';
import { decodeNameConstraints, encodeNameConstraints, nameConstraintsPermit } from '../../dist/pki/name-constraints.js';

test('wildcardCertificateAllowed: at least two labels after "*."', (t) => {
  for (const ok of ['*.preview.localhost', '*.app.test', '*.a.b.internal', '*.x.home.arpa']) t.true(wildcardCertificateAllowed(ok), ok);
  for (const bad of ['*.localhost', '*.test', '*.internal', '*', '*.', 'app.localhost', '*.*.localhost', 'a.*.localhost', '**.app.localhost', '*app.localhost', '*.bad_name.localhost', '*.-x.localhost']) {
    t.false(wildcardCertificateAllowed(bad), bad);
  }
});

test('normalizeHostName: case, trailing dot, IDN, IP literals, junk', (t) => {
  t.is(normalizeHostName('App.LocalHost.'), 'app.localhost');
  t.is(normalizeHostName('*.Preview.localhost'), '*.preview.localhost');
  t.is(normalizeHostName('bücher.localhost'), 'xn--bcher-kva.localhost');
  t.is(normalizeHostName('[::1]'), '::1');
  t.is(normalizeHostName('0:0:0:0:0:0:0:1'), '::1');
  t.is(normalizeHostName('127.0.0.1'), '127.0.0.1');
  for (const bad of ['', '.', 'a..b', '-a.localhost', 'a-.localhost', 'under_score.localhost', 'a b.localhost', 'x/y.localhost', 'app.localhost:8080', `${'a'.repeat(64)}.localhost`, '1.2.3']) {
    t.is(normalizeHostName(bad), undefined, bad);
  }
});

test('dnsNameWithinConstraint follows RFC 5280 (whole labels only)', (t) => {
  t.true(dnsNameWithinConstraint('localhost', 'localhost'));
  t.true(dnsNameWithinConstraint('app.localhost', 'localhost'));
  t.true(dnsNameWithinConstraint('*.preview.localhost', 'localhost'));
  t.false(dnsNameWithinConstraint('evillocalhost', 'localhost'));
  t.false(dnsNameWithinConstraint('localhost.evil.com', 'localhost'));
  t.true(dnsNameWithinConstraint('a.example', '.example'));
  t.false(dnsNameWithinConstraint('example', '.example'));
});

test('IP ranges', (t) => {
  const loopback = parseIpRange('127.0.0.0/8');
  const v6 = parseIpRange('::1/128');
  const odd = parseIpRange('10.16.0.0/12');
  if (loopback === undefined || v6 === undefined || odd === undefined) return t.fail();
  t.true(ipWithinRange('127.255.0.1', loopback));
  t.false(ipWithinRange('128.0.0.1', loopback));
  t.false(ipWithinRange('::1', loopback));
  t.true(ipWithinRange('::1', v6));
  t.true(ipWithinRange('0:0::1', v6));
  t.false(ipWithinRange('::2', v6));
  t.false(ipWithinRange('::ffff:127.0.0.1', v6));
  t.true(ipWithinRange('10.31.255.255', odd));
  t.false(ipWithinRange('10.32.0.0', odd));
  t.is(parseIpRange('1.2.3.4/33'), undefined);
  t.is(parseIpRange('nope/8'), undefined);
});

test('name constraints round-trip, and openssl reads our encoding the same way', async (t) => {
  const ranges = ['127.0.0.0/8', '::1/128', '10.16.0.0/12', 'fd00::/8'].map(parseIpRange);
  const permittedIpRanges = ranges.filter((r) => r !== undefined);
  t.is(permittedIpRanges.length, 4);
  // Enough names to need a long-form DER length.
  const permittedDnsNames = ['localhost', 'test', ...Array.from({ length: 20 }, (_, i) => `project-${i}.example`)];
  const der = encodeNameConstraints({ permittedDnsNames, permittedIpRanges, excludedDnsNames: ['secret.localhost'] });
  const decoded = decodeNameConstraints(der);
  t.deepEqual(decoded.permittedDnsNames, permittedDnsNames);
  t.deepEqual(decoded.excludedDnsNames, ['secret.localhost']);
  t.deepEqual(
    decoded.permittedIpRanges.map((r) => [Array.from(r.address), r.prefixLength]),
    permittedIpRanges.map((r) => [Array.from(r.address), r.prefixLength]),
  );
  t.true(nameConstraintsPermit(decoded, 'app.localhost', false));
  t.false(nameConstraintsPermit(decoded, 'secret.localhost', false));
  t.false(nameConstraintsPermit(decoded, 'a.secret.localhost', false));
  t.true(nameConstraintsPermit(decoded, '10.20.1.1', true));
  t.true(nameConstraintsPermit(decoded, 'fd12::1', true));
  t.false(nameConstraintsPermit(decoded, '10.32.0.1', true));

  // openssl's own ASN.1 parser agrees on the structure.
  const dir = await mkdtemp(join(tmpdir(), 'devtls-pki-names-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'nc.der'), der);
  const parsed = await new Promise<string>((resolve, reject) =>
    execFile('/usr/bin/openssl', ['asn1parse', '-inform', 'DER', '-in', join(dir, 'nc.der'), '-i'], (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  t.regex(parsed, /cont \[ 0 \]/);
  t.regex(parsed, /cont \[ 1 \]/);
  t.is((parsed.match(/cont \[ 2 \]/g) ?? []).length, permittedDnsNames.length + 1);
  t.is((parsed.match(/cont \[ 7 \]/g) ?? []).length, 4);

  t.throws(() => decodeNameConstraints(new Uint8Array([0x30, 0x05, 0xa0])));
  t.throws(() => decodeNameConstraints(new Uint8Array([0x04, 0x00])));
});

test('defaultCaDir for each platform and environment', (t) => {
  t.is(defaultCaDir({}, 'linux', '/home/ada'), '/home/ada/.local/share/devtls');
  t.is(defaultCaDir({ XDG_DATA_HOME: '/data/ada' }, 'linux', '/home/ada'), '/data/ada/devtls');
  t.is(defaultCaDir({ XDG_DATA_HOME: 'relative/path' }, 'linux', '/home/ada'), '/home/ada/.local/share/devtls', 'a relative XDG_DATA_HOME is ignored (XDG spec)');
  t.is(defaultCaDir({ XDG_DATA_HOME: '' }, 'freebsd', '/home/ada'), '/home/ada/.local/share/devtls');
  t.is(defaultCaDir({ XDG_DATA_HOME: '/data/ada' }, 'darwin', '/Users/ada'), '/Users/ada/Library/Application Support/devtls');
  t.is(defaultCaDir({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32', 'C:\\Users\\ada'), 'C:\\Users\\ada\\AppData\\Local\\devtls');
  t.is(defaultCaDir({}, 'win32', 'C:\\Users\\ada'), 'C:\\Users\\ada\\AppData\\Local\\devtls');
  t.is(defaultCaDir({ DEVTLS_CA_DIR: '/srv/ca', XDG_DATA_HOME: '/data' }, 'linux', '/home/ada'), '/srv/ca');
  t.is(defaultCaDir({ DEVTLS_CA_DIR: '/srv/ca' }, 'darwin', '/Users/ada'), '/srv/ca');
  t.is(defaultCaDir({ DEVTLS_CA_DIR: 'D:\\ca' }, 'win32', 'C:\\Users\\ada'), 'D:\\ca');
  t.is(defaultCaDir({ DEVTLS_CA_DIR: 'rel/ca' }, 'linux', '/home/ada'), join(process.cwd(), 'rel/ca'));
  t.is(defaultCaDir({ DEVTLS_CA_DIR: '  ' }, 'linux', '/home/ada'), '/home/ada/.local/share/devtls');
  // Defaults come from the real process.
  t.is(typeof defaultCaDir(), 'string');
});
