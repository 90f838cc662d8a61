// The leaf-certificate cache: memory, disk, renewal, foreign or corrupt files, concurrency.
import test, { type ExecutionContext } from 'ava';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../dist/errors.js';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { LeafCertificateStore, fileStemForHostKey } from '../../dist/pki/leaf-store.js';
import { runTool } from '../helpers/run-tool.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const run = runTool;

async function setup(t: ExecutionContext): Promise<{ base: string; ca: CertificateAuthority; certs: string }> {
  const base = await mkdtemp(join(tmpdir(), 'devtls-pki-store-'));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const { ca } = await CertificateAuthority.open({ dir: join(base, 'ca') });
  return { base, ca, certs: join(base, 'project', 'certs') };
}

test('get issues once, writes to disk, and a new store instance reuses the disk copy', async (t) => {
  const { ca, certs } = await setup(t);
  const first = await new LeafCertificateStore(ca, certs).get('app.localhost');
  t.deepEqual(first.names, ['app.localhost']);
  t.is(await readFile(join(certs, 'app.localhost.pem'), 'utf8'), first.certPem);
  t.is(await readFile(join(certs, 'app.localhost-key.pem'), 'utf8'), first.keyPem);

  const second = await new LeafCertificateStore(ca, certs).get('app.localhost');
  t.is(second.serialNumber, first.serialNumber);
  t.is(second.certPem, first.certPem);
  t.is(second.notAfter.getTime(), first.notAfter.getTime());

  // The CA loaded afresh from disk (as a new devtls process would) also accepts it.
  const reloaded = await CertificateAuthority.load(ca.dir);
  t.is((await new LeafCertificateStore(reloaded, certs).get('app.localhost')).serialNumber, first.serialNumber);

  // And what the store hands out verifies with openssl.
  const verify = await run('/usr/bin/openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'app.localhost', '-CAfile', ca.certPath, join(certs, 'app.localhost.pem')]);
  t.is(verify.code, 0, verify.stderr);
});

test('memory first: the same object is returned without reading the disk again', async (t) => {
  const { ca, certs } = await setup(t);
  const store = new LeafCertificateStore(ca, certs);
  const first = await store.get('app.localhost');
  await rm(certs, { recursive: true });
  t.is(await store.get('app.localhost'), first);
  t.is(await store.get('APP.localhost.'), first, 'host keys are normalised');
});

test('needsRenewal and re-issue inside the renewal window', async (t) => {
  const { ca, certs } = await setup(t);
  const start = new Date();
  const store = new LeafCertificateStore(ca, certs, { now: () => start });
  const leaf = await store.get('app.localhost');
  t.false(store.needsRenewal(leaf));
  t.is(leaf.notAfter.getTime() - start.getTime(), 90 * DAY_MS - (start.getTime() % 1000));

  // 31 days before expiry: still fine with the default 30-day window.
  const early = new LeafCertificateStore(ca, certs, { now: () => new Date(leaf.notAfter.getTime() - 31 * DAY_MS) });
  t.false(early.needsRenewal(leaf));
  t.is((await early.get('app.localhost')).serialNumber, leaf.serialNumber);

  // 29 days before expiry: inside the window, so a new one is issued and replaces the file.
  const late = new LeafCertificateStore(ca, certs, { now: () => new Date(leaf.notAfter.getTime() - 29 * DAY_MS) });
  t.true(late.needsRenewal(leaf));
  const renewed = await late.get('app.localhost');
  t.not(renewed.serialNumber, leaf.serialNumber);
  t.false(late.needsRenewal(renewed));
  t.true(renewed.notAfter.getTime() > leaf.notAfter.getTime());
  t.is(await readFile(join(certs, 'app.localhost.pem'), 'utf8'), renewed.certPem);

  // Expired, or not yet valid by this clock: renew.
  t.true(new LeafCertificateStore(ca, certs, { now: () => new Date(leaf.notAfter.getTime() + 1000) }).needsRenewal(leaf));
  t.true(new LeafCertificateStore(ca, certs, { now: () => new Date(leaf.notBefore.getTime() - 1000) }).needsRenewal(leaf));

  // A store's memory copy is renewed too when its clock moves into the window.
  let now = start;
  const moving = new LeafCertificateStore(ca, join(certs, '..', 'other-certs'), { now: () => now });
  const a = await moving.get('app.localhost');
  t.is(await moving.get('app.localhost'), a);
  now = new Date(a.notAfter.getTime() - DAY_MS);
  const b = await moving.get('app.localhost');
  t.not(b.serialNumber, a.serialNumber);
});

test('custom validity and renewal window are honoured and checked', async (t) => {
  const { ca, certs } = await setup(t);
  const store = new LeafCertificateStore(ca, certs, { validityDays: 30, renewBeforeDays: 10 });
  const leaf = await store.get('app.localhost');
  const days = (leaf.notAfter.getTime() - leaf.notBefore.getTime()) / DAY_MS;
  t.true(days > 30 && days < 30.1, String(days));
  t.throws(() => new LeafCertificateStore(ca, certs, { validityDays: 30, renewBeforeDays: 30 }), { instanceOf: UserError });
  t.throws(() => new LeafCertificateStore(ca, certs, { renewBeforeDays: -1 }), { instanceOf: UserError });
  await t.throwsAsync(new LeafCertificateStore(ca, certs, { validityDays: 500, renewBeforeDays: 30 }).get('x.localhost'), { instanceOf: UserError });
});

test('a cached leaf signed by a different CA is replaced', async (t) => {
  const { base, ca, certs } = await setup(t);
  const old = await new LeafCertificateStore(ca, certs).get('app.localhost');
  const { ca: other } = await CertificateAuthority.open({ dir: join(base, 'other-ca') });
  t.is(await other.readLeafCertificate(old.certPem, old.keyPem), undefined);
  const fresh = await new LeafCertificateStore(other, certs).get('app.localhost');
  t.not(fresh.serialNumber, old.serialNumber);
  t.truthy(await other.readLeafCertificate(fresh.certPem, fresh.keyPem));
  t.is(await readFile(join(certs, 'app.localhost.pem'), 'utf8'), fresh.certPem);
  const verify = await run('/usr/bin/openssl', ['verify', '-CAfile', other.certPath, join(certs, 'app.localhost.pem')]);
  t.is(verify.code, 0, verify.stderr);
});

test('corrupt, mismatched or exposed cache files are re-issued, not a crash', async (t) => {
  const { ca, certs } = await setup(t);
  const original = await new LeafCertificateStore(ca, certs).get('app.localhost');
  const certPath = join(certs, 'app.localhost.pem');
  const keyPath = join(certs, 'app.localhost-key.pem');

  await writeFile(certPath, '-----BEGIN CERTIFICATE-----\nAAAA garbage\n-----END CERTIFICATE-----\n');
  const afterCorruptCert = await new LeafCertificateStore(ca, certs).get('app.localhost');
  t.not(afterCorruptCert.serialNumber, original.serialNumber);

  await writeFile(keyPath, 'not a key', { mode: 0o600 });
  const afterCorruptKey = await new LeafCertificateStore(ca, certs).get('app.localhost');
  t.not(afterCorruptKey.serialNumber, afterCorruptCert.serialNumber);

  // A key from another host's pair (e.g. two processes interleaving writes).
  const other = await new LeafCertificateStore(ca, certs).get('other.localhost');
  await writeFile(keyPath, other.keyPem, { mode: 0o600 });
  const afterMismatch = await new LeafCertificateStore(ca, certs).get('app.localhost');
  t.not(afterMismatch.serialNumber, afterCorruptKey.serialNumber);

  // A leaf whose SANs do not cover the host key (someone copied files around).
  await writeFile(certPath, other.certPem);
  await writeFile(keyPath, other.keyPem, { mode: 0o600 });
  const afterWrongName = await new LeafCertificateStore(ca, certs).get('app.localhost');
  t.deepEqual(afterWrongName.names, ['app.localhost']);

  // A key others could read is not reused; the replacement is 0600.
  await chmod(keyPath, 0o644);
  const afterExposed = await new LeafCertificateStore(ca, certs).get('app.localhost');
  t.not(afterExposed.serialNumber, afterWrongName.serialNumber);
  t.is((await stat(keyPath)).mode & 0o777, 0o600);

  // Empty files.
  await writeFile(certPath, '');
  t.truthy(await new LeafCertificateStore(ca, certs).get('app.localhost'));
});

test('concurrent get() for one host key issues once', async (t) => {
  const { ca, certs } = await setup(t);
  const store = new LeafCertificateStore(ca, certs);
  const leaves = await Promise.all(Array.from({ length: 20 }, () => store.get('app.localhost')));
  t.is(new Set(leaves.map((leaf) => leaf.serialNumber)).size, 1);
  t.true(leaves.every((leaf) => leaf === leaves[0]));
  // Different keys in parallel each get their own.
  const many = await Promise.all(['a.localhost', 'b.localhost', 'a.localhost', 'b.localhost'].map((key) => store.get(key)));
  t.is(many[0], many[2]);
  t.is(many[1], many[3]);
  t.not(many[0]?.serialNumber, many[1]?.serialNumber);
  t.deepEqual((await readdir(certs)).sort(), [
    '.gitignore', 'a.localhost-key.pem', 'a.localhost.pem', 'app.localhost-key.pem', 'app.localhost.pem', 'b.localhost-key.pem', 'b.localhost.pem',
  ]);
});

test('host keys: localhost gets loopback IPs, wildcards get a wildcard SAN and a safe file name', async (t) => {
  const { ca, certs } = await setup(t);
  const store = new LeafCertificateStore(ca, certs);
  const localhost = await store.get('localhost');
  t.deepEqual(localhost.names, ['localhost', '127.0.0.1', '::1']);
  const wildcard = await store.get('*.preview.localhost');
  t.deepEqual(wildcard.names, ['*.preview.localhost']);
  t.deepEqual(store.pathsFor('*.preview.localhost'), {
    certPath: join(certs, '_wildcard.preview.localhost.pem'),
    keyPath: join(certs, '_wildcard.preview.localhost-key.pem'),
  });
  t.is(await readFile(join(certs, '_wildcard.preview.localhost.pem'), 'utf8'), wildcard.certPem);
  const verify = await run('/usr/bin/openssl', ['verify', '-purpose', 'sslserver', '-verify_hostname', 'pr-1.preview.localhost', '-CAfile', ca.certPath, join(certs, '_wildcard.preview.localhost.pem')]);
  t.is(verify.code, 0, verify.stderr);
  t.is(fileStemForHostKey('::1'), '__1');
  t.is(fileStemForHostKey('../../etc/passwd'), '.._.._etc_passwd');
  // Reused from disk with the IP SANs intact.
  t.is((await new LeafCertificateStore(ca, certs).get('localhost')).serialNumber, localhost.serialNumber);
});

test('names the CA may not issue for are a UserError, and nothing is written', async (t) => {
  const { ca, certs } = await setup(t);
  const store = new LeafCertificateStore(ca, certs);
  for (const key of ['example.com', '*.localhost', 'bad_name.localhost', '10.0.0.1']) {
    await t.throwsAsync(store.get(key), { instanceOf: UserError }, key);
  }
  // A failure is not cached: the next call tries again (and still fails).
  await t.throwsAsync(store.get('example.com'), { instanceOf: UserError, message: /"example\.com"/ });
  const files = await readdir(certs).catch(() => []);
  t.deepEqual(files, []);
});
