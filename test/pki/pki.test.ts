// The root CA and leaf issuance, checked with real tools: openssl and Node's TLS stack.
import test, { type ExecutionContext } from 'ava';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { UserError } from '../../dist/errors.js';
import {
  CertificateAuthority,
  DEFAULT_PERMITTED_NAMES,
  type LeafCertificate,
} from '../../dist/pki/certificate-authority.js';
import {
  KEY_USAGE,
  OID,
  authorityKeyIdentifier,
  basicConstraints,
  buildCertificate,
  encodeName,
  extendedKeyUsage,
  keyIdentifierFor,
  keyUsage,
  parseCertificate,
  randomSerialNumber,
  subjectAltName,
  subjectKeyIdentifier,
  toPem,
} from '../../dist/pki/certificate-builder.js';
import { runTool } from '../helpers/run-tool.js';
import { tempDirFor } from '../helpers/temp-dir.js';
import { invocation } from '../../dist/invocation.js';

const OPENSSL = '/usr/bin/openssl';
const DAY_MS = 24 * 60 * 60 * 1000;

const run = runTool;

const tempDir = (t: ExecutionContext): Promise<string> => tempDirFor(t, 'devtls-pki-');

/** One CA for the read-only tests in this file (each test that changes things makes its own). */
let shared: Promise<{ ca: CertificateAuthority; dir: string }> | undefined;
function sharedCa(): Promise<{ ca: CertificateAuthority; dir: string }> {
  shared ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'devtls-pki-shared-'));
    const { ca } = await CertificateAuthority.open({ dir: join(dir, 'ca') });
    return { ca, dir };
  })();
  return shared;
}
test.after.always(async () => {
  if (shared !== undefined) await rm((await shared).dir, { recursive: true, force: true });
});

async function writeLeaf(dir: string, name: string, leaf: LeafCertificate): Promise<string> {
  const path = join(dir, `${name}.pem`);
  await writeFile(path, leaf.certPem);
  return path;
}

async function opensslVerify(ca: CertificateAuthority, leafPath: string, extra: string[]) {
  return run(OPENSSL, ['verify', '-x509_strict', '-purpose', 'sslserver', ...extra, '-CAfile', ca.certPath, leafPath]);
}

test('open creates a CA once, then loads the same one', async (t) => {
  const dir = join(await tempDir(t), 'ca');
  const first = await CertificateAuthority.open({ dir });
  t.true(first.created);
  const second = await CertificateAuthority.open({ dir });
  t.false(second.created);
  t.is(second.ca.fingerprintSha256, first.ca.fingerprintSha256);
  t.is(second.ca.certPem, await readFile(join(dir, 'rootCA.pem'), 'utf8'));
  t.is(first.ca.certPath, join(dir, 'rootCA.pem'));
  t.is(first.ca.keyPath, join(dir, 'rootCA-key.pem'));
  const loaded = await CertificateAuthority.load(dir);
  t.is(loaded.fingerprintSha256, first.ca.fingerprintSha256);
});

test('the CA certificate has the required fields (openssl x509 -text)', async (t) => {
  const { ca } = await sharedCa();
  const { code, stdout } = await run(OPENSSL, ['x509', '-in', ca.certPath, '-noout', '-text']);
  t.is(code, 0);
  t.regex(stdout, /Signature Algorithm: ecdsa-with-SHA256/);
  t.regex(stdout, /NIST CURVE: P-256/);
  t.regex(stdout, /Subject: CN = devtls local CA \([^)]+@[^)]+\), O = devtls/);
  t.regex(stdout, /X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  t.regex(stdout, /X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
  const ski = /X509v3 Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(stdout)?.[1];
  const aki = /X509v3 Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(stdout)?.[1];
  t.truthy(ski);
  t.is(aki, ski);
  t.regex(stdout, /X509v3 Name Constraints: critical/);
  for (const name of DEFAULT_PERMITTED_NAMES) t.true(stdout.includes(`DNS:${name}\n`), name);
  t.regex(stdout, /IP:127\.0\.0\.0\/255\.0\.0\.0/);
  t.regex(stdout, /IP:0:0:0:0:0:0:0:1\/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF/);
  t.notRegex(stdout, /Excluded/);

  // The fingerprint matches openssl's, and the validity is 10 years.
  const fp = await run(OPENSSL, ['x509', '-in', ca.certPath, '-noout', '-fingerprint', '-sha256', '-serial', '-startdate', '-enddate']);
  t.true(fp.stdout.includes(`sha256 Fingerprint=${ca.fingerprintSha256}\n`), fp.stdout);
  const serial = /serial=([0-9A-F]+)/.exec(fp.stdout)?.[1] ?? '';
  t.true(BigInt(`0x${serial}`) >= 2n ** 64n, `serial ${serial} has at least 64 bits`);
  const start = new Date(/notBefore=(.*)/.exec(fp.stdout)?.[1] ?? '');
  const end = new Date(/notAfter=(.*)/.exec(fp.stdout)?.[1] ?? '');
  t.is(end.getTime(), ca.notAfter.getTime());
  const years = (end.getTime() - start.getTime()) / (365.25 * DAY_MS);
  t.true(years > 9.99 && years < 10.01, `validity ${years} years`);
});

test('the CA reads its own name constraints back', async (t) => {
  const { ca } = await sharedCa();
  t.deepEqual([...ca.permittedNames], [...DEFAULT_PERMITTED_NAMES]);
  t.deepEqual([...ca.permittedIpRanges], ['127.0.0.0/8', '::1/128']);
  t.regex(ca.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  for (const name of ['app.localhost', 'localhost', 'APP.Localhost.', 'a.b.test', 'x.home.arpa', 'printer.local', 'api.example', '*.preview.localhost', '127.0.0.1', '127.9.8.7', '::1', '[::1]']) {
    t.true(ca.permits(name), name);
  }
  for (const name of ['example.com', 'localhost.evil.com', 'evillocalhost', 'arpa', 'google.com', '10.0.0.1', '192.168.1.2', '::2', '::ffff:10.0.0.1', 'bad_name.localhost', '']) {
    t.false(ca.permits(name), name);
  }
});

test('a leaf passes openssl verify -x509_strict -purpose sslserver for its host name only', async (t) => {
  const { ca } = await sharedCa();
  const dir = await tempDir(t);
  const leaf = await ca.issueLeafCertificate(['app.localhost']);
  const path = await writeLeaf(dir, 'app', leaf);
  const ok = await opensslVerify(ca, path, ['-verify_hostname', 'app.localhost']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /: OK/);
  const other = await opensslVerify(ca, path, ['-verify_hostname', 'other.localhost']);
  t.not(other.code, 0);
  t.regex(other.stderr + other.stdout, /hostname mismatch/);

  const text = await run(OPENSSL, ['x509', '-in', path, '-noout', '-text']);
  t.regex(text.stdout, /Signature Algorithm: ecdsa-with-SHA256/);
  t.regex(text.stdout, /NIST CURVE: P-256/);
  t.regex(text.stdout, /Subject: CN = app\.localhost/);
  t.regex(text.stdout, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
  t.regex(text.stdout, /X509v3 Key Usage: critical\s+Digital Signature\n/);
  t.regex(text.stdout, /X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);
  t.regex(text.stdout, /X509v3 Subject Alternative Name:\s*\n\s+DNS:app\.localhost\n/);
  t.regex(text.stdout, /X509v3 Subject Key Identifier/);
  const caSki = (await run(OPENSSL, ['x509', '-in', ca.certPath, '-noout', '-ext', 'subjectKeyIdentifier'])).stdout.trim().split('\n').at(-1)?.trim();
  t.truthy(caSki);
  t.regex(text.stdout, new RegExp(`X509v3 Authority Key Identifier:\\s*\\n\\s*(keyid:)?${caSki}`));
});

test('the localhost leaf verifies for localhost, 127.0.0.1 and ::1', async (t) => {
  const { ca } = await sharedCa();
  const dir = await tempDir(t);
  const leaf = await ca.issueLeafCertificate(['localhost', '127.0.0.1', '::1']);
  t.deepEqual(leaf.names, ['localhost', '127.0.0.1', '::1']);
  const path = await writeLeaf(dir, 'localhost', leaf);
  for (const extra of [['-verify_hostname', 'localhost'], ['-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) {
    const result = await opensslVerify(ca, path, extra);
    t.is(result.code, 0, `${extra.join(' ')}: ${result.stderr}`);
  }
  const wrongIp = await opensslVerify(ca, path, ['-verify_ip', '127.0.0.2']);
  t.not(wrongIp.code, 0);
});

test('a wildcard leaf covers one label below its base', async (t) => {
  const { ca } = await sharedCa();
  const dir = await tempDir(t);
  const leaf = await ca.issueLeafCertificate(['*.preview.localhost']);
  const path = await writeLeaf(dir, 'wild', leaf);
  t.is((await opensslVerify(ca, path, ['-verify_hostname', 'pr-42.preview.localhost'])).code, 0);
  t.not((await opensslVerify(ca, path, ['-verify_hostname', 'a.b.preview.localhost'])).code, 0);
  const text = await run(OPENSSL, ['x509', '-in', path, '-noout', '-subject']);
  t.regex(text.stdout, /CN = \*\.preview\.localhost/);
});

test('validity: default 90 days, backdated one hour, under 398 days, capped at 397', async (t) => {
  const { ca } = await sharedCa();
  const now = new Date('2027-03-01T12:00:00.000Z');
  const leaf = await ca.issueLeafCertificate(['app.localhost'], { now });
  t.is(leaf.notBefore.getTime(), now.getTime() - 60 * 60 * 1000);
  t.is(leaf.notAfter.getTime(), now.getTime() + 90 * DAY_MS);
  t.true(leaf.notAfter.getTime() - leaf.notBefore.getTime() < 398 * DAY_MS);
  const longest = await ca.issueLeafCertificate(['app.localhost'], { validityDays: 397, now });
  t.true(longest.notAfter.getTime() - longest.notBefore.getTime() < 398 * DAY_MS);
  for (const validityDays of [398, 825, 0, -1, Number.NaN]) {
    const error = await t.throwsAsync(ca.issueLeafCertificate(['app.localhost'], { validityDays }), { instanceOf: UserError });
    t.is(error?.code, 'EPKI_VALIDITY');
  }
  // Never beyond the CA's own expiry.
  const late = await ca.issueLeafCertificate(['app.localhost'], { now: new Date(ca.notAfter.getTime() - 10 * DAY_MS) });
  t.true(late.notAfter.getTime() <= ca.notAfter.getTime());
  await t.throwsAsync(ca.issueLeafCertificate(['app.localhost'], { now: new Date(ca.notAfter.getTime() + 2 * 60 * 60 * 1000) }), {
    instanceOf: UserError,
    message: /expired/,
  });
});

test('serial numbers are random, positive, at least 64 bits and unique', async (t) => {
  const { ca } = await sharedCa();
  const leaves = await Promise.all(Array.from({ length: 200 }, (_, i) => ca.issueLeafCertificate([`s${i}.localhost`])));
  const serials = new Set(leaves.map((leaf) => leaf.serialNumber));
  t.is(serials.size, 200);
  for (const serial of serials) {
    t.regex(serial, /^[0-9A-F]+$/);
    t.true(BigInt(`0x${serial}`) >= 2n ** 64n, serial);
  }
  // The serial we report is the one in the certificate.
  const dir = await tempDir(t);
  const first = leaves[0];
  if (first === undefined) return t.fail();
  const printed = await run(OPENSSL, ['x509', '-in', await writeLeaf(dir, 's0', first), '-noout', '-serial']);
  t.is(printed.stdout.trim(), `serial=${first.serialNumber}`);
});

test('names outside the constraints are refused with a UserError naming them', async (t) => {
  const { ca } = await sharedCa();
  const error = await t.throwsAsync(ca.issueLeafCertificate(['example.com']), { instanceOf: UserError });
  t.is(error?.code, 'EPKI_NAME_NOT_PERMITTED');
  t.true(error?.message.includes('"example.com"'));
  t.regex(error?.message ?? '', /only covers \.localhost, \.test, \.internal, \.home\.arpa, \.local, \.example, 127\.0\.0\.0\/8 and ::1/);
  t.regex(error?.hint ?? '', /example\.localhost/);
  // One bad name spoils the lot; nothing is issued.
  await t.throwsAsync(ca.issueLeafCertificate(['app.localhost', 'evil.com']), { instanceOf: UserError, message: /"evil\.com"/ });
  await t.throwsAsync(ca.issueLeafCertificate(['10.0.0.1']), { instanceOf: UserError, message: /"10\.0\.0\.1"/ });
  const wildcard = await t.throwsAsync(ca.issueLeafCertificate(['*.localhost']), { instanceOf: UserError });
  t.is(wildcard?.code, 'EPKI_BAD_WILDCARD');
  t.regex(wildcard?.hint ?? '', /\*\.preview\.localhost/);
  await t.throwsAsync(ca.issueLeafCertificate(['*.test']), { instanceOf: UserError });
  await t.throwsAsync(ca.issueLeafCertificate(['bad_name.localhost']), { instanceOf: UserError, message: /not a valid host name/ });
  await t.throwsAsync(ca.issueLeafCertificate(['a.*.localhost']), { instanceOf: UserError });
});

/** Sign a leaf with the CA key directly (read from its file), bypassing every check in the
 * CertificateAuthority API: only the low-level certificate builder is used. */
async function forgeLeaf(ca: CertificateAuthority, san: { type: 'dns' | 'ip'; value: string }): Promise<{ certPem: string; keyPem: string }> {
  const caKey = createPrivateKey(await readFile(ca.keyPath, 'utf8'));
  const caCert = parseCertificate(new X509Certificate(ca.certPem).raw);
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = buildCertificate(
    {
      serialNumber: randomSerialNumber(),
      issuer: caCert.subject,
      subject: encodeName([{ oid: OID.commonName, value: san.value }]),
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 30 * DAY_MS),
      publicKey: keys.publicKey,
      extensions: [
        basicConstraints(false),
        keyUsage([KEY_USAGE.digitalSignature]),
        extendedKeyUsage([OID.serverAuth]),
        subjectAltName([san.value]),
        subjectKeyIdentifier(keyIdentifierFor(keys.publicKey)),
        authorityKeyIdentifier(keyIdentifierFor(caCert.subjectPublicKeyInfo)),
      ],
    },
    caKey,
  );
  const keyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem };
}

test('a leaf forged with the CA key for a public name is rejected by openssl and Node', async (t) => {
  const { ca } = await sharedCa();
  const dir = await tempDir(t);
  const forged = await forgeLeaf(ca, { type: 'dns', value: 'evil.example.com' });
  const path = join(dir, 'evil.pem');
  await writeFile(path, forged.certPem);
  // The forged certificate is otherwise well-formed: the signature is good...
  const forgedCert = new X509Certificate(forged.certPem);
  const caCert = new X509Certificate(ca.certPem);
  t.true(forgedCert.verify(caCert.publicKey));
  t.true(forgedCert.checkIssued(caCert));
  t.is(forgedCert.subjectAltName, 'DNS:evil.example.com');
  // ...but the chain is refused.
  const result = await opensslVerify(ca, path, ['-verify_hostname', 'evil.example.com']);
  t.not(result.code, 0);
  t.regex(result.stdout + result.stderr, /permitted subtree violation/);
  // ...also by a TLS client.
  const error = await tlsConnect(forged, { servername: 'evil.example.com', ca: ca.certPem });
  t.truthy(error);
  t.regex(`${error?.code} ${error?.message}`, /PERMITTED_SUBTREE_VIOLATION|permitted subtree violation/i);
  // ...and the leaf cache would not take it either.
  t.is(await ca.readLeafCertificate(forged.certPem, forged.keyPem), undefined);

  const forgedIp = await forgeLeaf(ca, { type: 'ip', value: '10.1.2.3' });
  const ipPath = join(dir, 'ip.pem');
  await writeFile(ipPath, forgedIp.certPem);
  const ipResult = await opensslVerify(ca, ipPath, ['-verify_ip', '10.1.2.3']);
  t.not(ipResult.code, 0);
  t.regex(ipResult.stdout + ipResult.stderr, /permitted subtree violation/);
});

interface TlsError extends Error {
  code?: string;
}

/** Serve `leaf` on 127.0.0.1 and connect with the given client options; undefined on success. */
async function tlsConnect(
  leaf: { certPem: string; keyPem: string },
  client: { servername?: string; ca?: string },
): Promise<TlsError | undefined> {
  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('hello'));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  try {
    return await new Promise<TlsError | undefined>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ...client }, () => {
        let data = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (data += chunk));
        socket.on('end', () => resolve(data === 'hello' ? undefined : new Error(`unexpected data ${data}`)));
      });
      socket.on('error', (error: TlsError) => resolve(error));
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('real TLS: Node trusts the leaf with only the CA, for the right name only', async (t) => {
  const { ca } = await sharedCa();
  const leaf = await ca.issueLeafCertificate(['app.localhost']);
  t.is(await tlsConnect(leaf, { servername: 'app.localhost', ca: ca.certPem }), undefined);
  const wrongName = await tlsConnect(leaf, { servername: 'other.localhost', ca: ca.certPem });
  t.is(wrongName?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  const noCa = await tlsConnect(leaf, { servername: 'app.localhost' });
  t.is(noCa?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');

  const other = await CertificateAuthority.open({ dir: join(await tempDir(t), 'other-ca') });
  const wrongCa = await tlsConnect(leaf, { servername: 'app.localhost', ca: other.ca.certPem });
  t.is(wrongCa?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');

  const localhost = await ca.issueLeafCertificate(['localhost', '127.0.0.1', '::1']);
  t.is(await tlsConnect(localhost, { ca: ca.certPem }), undefined, 'by IP 127.0.0.1 (no servername)');
  t.is(await tlsConnect(localhost, { servername: 'localhost', ca: ca.certPem }), undefined);
});

test('extraPermittedNames extend the constraints when creating, and are validated', async (t) => {
  const dir = join(await tempDir(t), 'ca');
  const { ca } = await CertificateAuthority.open({ dir, extraPermittedNames: ['Dev.Acme.COM', 'lan'] });
  t.deepEqual([...ca.permittedNames], [...DEFAULT_PERMITTED_NAMES, 'dev.acme.com', 'lan']);
  t.true(ca.permits('api.dev.acme.com'));
  t.false(ca.permits('acme.com'));
  const text = await run(OPENSSL, ['x509', '-in', ca.certPath, '-noout', '-ext', 'nameConstraints']);
  t.regex(text.stdout, /DNS:dev\.acme\.com/);
  const leaf = await ca.issueLeafCertificate(['api.dev.acme.com']);
  const path = await writeLeaf(await tempDir(t), 'acme', leaf);
  t.is((await opensslVerify(ca, path, ['-verify_hostname', 'api.dev.acme.com'])).code, 0);

  // Only when creating: reopening with other names changes nothing.
  const again = await CertificateAuthority.open({ dir, extraPermittedNames: ['other.acme.com'] });
  t.false(again.created);
  t.false(again.ca.permits('x.other.acme.com'));

  for (const bad of ['dev', 'com', '*.acme.com', '10.0.0.1', 'bad_name.com']) {
    await t.throwsAsync(CertificateAuthority.open({ dir: join(await tempDir(t), 'x'), extraPermittedNames: [bad] }), {
      instanceOf: UserError,
    }, bad);
  }
});

test('load refuses a missing CA with the hint to create it', async (t) => {
  const dir = await tempDir(t);
  const error = await t.throwsAsync(CertificateAuthority.load(join(dir, 'nope')), { instanceOf: UserError });
  t.is(error?.code, 'EPKI_NO_CA');
  t.true(error?.hint?.includes(`run ${invocation()} up or ${invocation()} ca to create it`), error?.hint);
});
