// The DER writer/reader and certificate builder, checked byte by byte and against OpenSSL's
// own parser (openssl asn1parse, openssl x509, crypto.X509Certificate).
import test, { type ExecutionContext } from 'ava';
import { X509Certificate, createHash, generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import {
  KEY_USAGE,
  OID,
  authorityKeyIdentifier,
  basicConstraints,
  buildCertificate,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeKeyUsage,
  decodeSubjectAltName,
  decodeSubjectKeyIdentifier,
  encodeName,
  extendedKeyUsage,
  formatName,
  keyIdentifierFor,
  keyUsage,
  parseCertificate,
  subjectAltName,
  subjectKeyIdentifier,
  toPem,
} from '../../dist/pki/certificate-builder.js';
import {
  bitString,
  boolean,
  decodeOid,
  decodeTime,
  encodeLength,
  explicit,
  implicit,
  integer,
  namedBits,
  octetString,
  oid,
  printableString,
  readTlv,
  readTlvs,
  sequence,
  set,
  time,
  utf8String,
} from '../../dist/pki/der.js';
import { LeafCertificateStore } from '../../dist/pki/leaf-store.js';
import { runTool } from '../helpers/run-tool.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const OPENSSL = '/usr/bin/openssl';
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const run = runTool;

const tempDir = (t: ExecutionContext): Promise<string> => tempDirFor(t, 'devtls-pki-der-');

test('lengths: short form below 128, minimal long form above', (t) => {
  t.is(hex(encodeLength(0)), '00');
  t.is(hex(encodeLength(127)), '7f');
  t.is(hex(encodeLength(128)), '8180');
  t.is(hex(encodeLength(255)), '81ff');
  t.is(hex(encodeLength(256)), '820100');
  t.is(hex(encodeLength(65535)), '82ffff');
  t.is(hex(encodeLength(65536)), '83010000');
  const long = octetString(new Uint8Array(300));
  t.is(hex(long.subarray(0, 4)), '0482012c');
  t.is(long.length, 304);
});

test('INTEGER: positive and minimal, a leading 0 when the high bit is set', (t) => {
  t.is(hex(integer(0)), '020100');
  t.is(hex(integer(2)), '020102');
  t.is(hex(integer(127)), '02017f');
  t.is(hex(integer(128)), '02020080');
  t.is(hex(integer(255)), '020200ff');
  t.is(hex(integer(256)), '02020100');
  t.is(hex(integer('00007f')), '02017f', 'leading zero bytes dropped');
  t.is(hex(integer('0080')), '02020080', 'but one kept for a high bit');
  t.is(hex(integer('f')), '0201' + '0f');
  t.is(hex(integer(Uint8Array.of(0x80, 1, 2))), '020400800102');
  t.is(hex(integer(2n ** 64n)), '0209010000000000000000');
  t.throws(() => integer(-1));
});

test('OBJECT IDENTIFIER, BOOLEAN, BIT STRING, strings, SET order, context tags', (t) => {
  t.is(hex(oid('1.2.840.10045.4.3.2')), '06082a8648ce3d040302');
  t.is(hex(oid('2.5.29.30')), '0603551d1e');
  t.is(hex(oid('1.3.6.1.5.5.7.3.1')), '06082b06010505070301');
  t.is(decodeOid(oid('1.2.840.10045.4.3.2').subarray(2)), '1.2.840.10045.4.3.2');
  t.is(decodeOid(oid('2.999.3').subarray(2)), '2.999.3');
  t.is(hex(boolean(true)), '0101ff');
  t.is(hex(boolean(false)), '010100');
  t.is(hex(bitString(Uint8Array.of(0xab))), '030200ab');
  t.is(hex(namedBits([KEY_USAGE.digitalSignature])), '03020780');
  t.is(hex(namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])), '03020106');
  t.is(hex(namedBits([0, 8])), '0303078080');
  t.is(hex(utf8String('é')), '0c02c3a9');
  t.is(hex(printableString('devtls')), '1306646576746c73');
  t.throws(() => printableString('a@b'));
  t.is(hex(set(Uint8Array.of(0x02, 0x01, 0x05), Uint8Array.of(0x02, 0x01, 0x01))), '3106020101020105', 'DER sorts SET OF');
  t.is(hex(sequence(integer(1), boolean(true))), '30060201010101ff');
  t.is(hex(explicit(0, integer(2))), 'a003020102');
  t.is(hex(explicit(3, sequence())), 'a3023000');
  t.is(hex(implicit(2, Buffer.from('a'))), '820161');
  t.is(hex(implicit(0, Uint8Array.of(1), true)), 'a00101');
});

test('times: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280), and back', (t) => {
  const cases: Array<[string, string]> = [
    ['2049-12-31T23:59:59.999Z', '170d3439313233313233353935395a'],
    ['2050-01-01T00:00:00Z', '180f32303530303130313030303030305a'],
    ['1950-01-01T00:00:00Z', '170d3530303130313030303030305a'],
    ['1949-12-31T23:59:59Z', '180f31393439313233313233353935395a'],
    ['2026-03-05T07:08:09Z', '170d3236303330353037303830395a'],
  ];
  for (const [iso, expected] of cases) {
    const encoded = time(new Date(iso));
    t.is(hex(encoded), expected, iso);
    t.is(decodeTime(readTlv(encoded)).getTime(), Math.floor(new Date(iso).getTime() / 1000) * 1000, iso);
  }
  t.is(Buffer.from(time(new Date('2049-06-01T00:00:00Z')).subarray(2)).toString(), '490601000000Z');
});

test('the reader walks TLVs and refuses what DER forbids', (t) => {
  const value = sequence(integer(1), octetString(new Uint8Array(200)), utf8String('x'));
  const outer = readTlv(value);
  t.is(outer.tag, 0x30);
  t.is(outer.encoded.length, value.length);
  const children = [...readTlvs(outer.content)];
  t.deepEqual(children.map((c) => c.tag), [0x02, 0x04, 0x0c]);
  t.is(children[1]?.content.length, 200);
  t.throws(() => readTlv(Uint8Array.of(0x30, 0x80, 0, 0)), { message: /indefinite/ });
  t.throws(() => readTlv(Uint8Array.of(0x04, 0x81, 0x05, 1, 2, 3, 4, 5)), { message: /non-minimal/ });
  t.throws(() => readTlv(Uint8Array.of(0x04, 0x82, 0x00, 0x80, ...new Uint8Array(128))), { message: /non-minimal/ });
  t.throws(() => readTlv(Uint8Array.of(0x04, 0x05, 1, 2)), { message: /truncated/ });
  t.throws(() => readTlv(Uint8Array.of(0x1f, 0x01, 0x00)), { message: /multi-byte/ });
});

/** `openssl asn1parse` rows: offset, depth, header length, content length, constructed. */
function parseAsn1parse(output: string): Array<[number, number, number, number, boolean]> {
  return output
    .trim()
    .split('\n')
    .map((line) => {
      const m = /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(cons|prim):/.exec(line);
      if (m === null) throw new Error(`unexpected asn1parse line ${line}`);
      return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), m[5] === 'cons'];
    });
}

/** The same rows from our own reader. */
function walk(bytes: Uint8Array, base = 0, depth = 0): Array<[number, number, number, number, boolean]> {
  const rows: Array<[number, number, number, number, boolean]> = [];
  let offset = 0;
  for (const item of readTlvs(bytes)) {
    const header = item.encoded.length - item.content.length;
    const constructed = (item.tag & 0x20) !== 0;
    rows.push([base + offset, depth, header, item.content.length, constructed]);
    if (constructed) rows.push(...walk(item.content, base + offset + header, depth + 1));
    offset += item.encoded.length;
  }
  return rows;
}

test('a built certificate parses in openssl asn1parse exactly as our reader walks it (long lengths, high-bit serial, both time types)', async (t) => {
  const dir = await tempDir(t);
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // 24 SANs make the subjectAltName value longer than 255 bytes; a 150-character CN puts a
  // length between 128 and 255 into the subject.
  const names = Array.from({ length: 24 }, (_, i) => `host-${i}.preview.localhost`);
  const serial = '80' + 'a5'.repeat(15);
  const caName = encodeName([{ oid: OID.commonName, value: 'DER test CA' }, { oid: OID.organizationName, value: 'devtls' }]);
  const der = buildCertificate(
    {
      serialNumber: serial,
      issuer: caName,
      subject: encodeName([{ oid: OID.commonName, value: 'c'.repeat(150) }]),
      notBefore: new Date('2049-12-31T23:59:59Z'),
      notAfter: new Date('2050-01-01T00:00:00Z'),
      publicKey: keys.publicKey,
      extensions: [
        basicConstraints(false),
        keyUsage([KEY_USAGE.digitalSignature]),
        extendedKeyUsage([OID.serverAuth]),
        subjectAltName([...names, '127.0.0.1', '::1']),
        subjectKeyIdentifier(keyIdentifierFor(keys.publicKey)),
        authorityKeyIdentifier(keyIdentifierFor(caKeys.publicKey)),
      ],
    },
    caKeys.privateKey,
  );
  const path = join(dir, 'built.pem');
  await writeFile(path, toPem(der, 'CERTIFICATE'));

  const parsed = await run(OPENSSL, ['asn1parse', '-in', path]);
  t.is(parsed.code, 0, parsed.stderr);
  const rows = parseAsn1parse(parsed.stdout);
  t.deepEqual(walk(der), rows, 'every offset, depth, header and length agrees with OpenSSL');
  t.true(rows.some(([, , hl, l]) => hl === 4 && l > 255), 'a length above 255 (two length bytes)');
  t.true(rows.some(([, , hl, l]) => hl === 3 && l > 127 && l <= 255), 'a length of 128..255 (one length byte)');
  t.regex(parsed.stdout, /prim: INTEGER\s+:80A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5\n/);
  t.true(hex(der).includes('021100' + serial), 'serial INTEGER has a leading 00 before the high bit');
  t.regex(parsed.stdout, /prim: UTCTIME\s+:491231235959Z\n/);
  t.regex(parsed.stdout, /prim: GENERALIZEDTIME\s+:20500101000000Z\n/);

  const text = await run(OPENSSL, ['x509', '-in', path, '-noout', '-text']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /Not Before: Dec 31 23:59:59 2049 GMT/);
  t.regex(text.stdout, /Not After : Jan  1 00:00:00 2050 GMT/);
  t.regex(text.stdout, /Serial Number:\s*\n\s*80:a5:a5/);
  t.regex(text.stdout, /Issuer: CN = DER test CA, O = devtls/);
  t.true(text.stdout.includes('DNS:host-23.preview.localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1'));

  // Our reader gets the same values back.
  const back = parseCertificate(der);
  t.is(back.serialNumber, `00${serial}`.toUpperCase());
  t.is(back.notBefore.toISOString(), '2049-12-31T23:59:59.000Z');
  t.is(back.notAfter.toISOString(), '2050-01-01T00:00:00.000Z');
  t.is(formatName(back.issuer), 'CN=DER test CA, O=devtls');
  t.deepEqual(
    decodeSubjectAltName(back.extensions.get(OID.subjectAltName)?.value ?? new Uint8Array()).map((n) => n.value),
    [...names, '127.0.0.1', '::1'],
  );
  const node = new X509Certificate(der);
  t.true(node.verify(caKeys.publicKey));
  t.false(node.verify(keys.publicKey));
});

test('crypto.X509Certificate parses the CA and a leaf; the leaf verifies with and was issued by the CA', async (t) => {
  const dir = await tempDir(t);
  const { ca } = await CertificateAuthority.open({ dir: join(dir, 'ca') });
  const issued = await ca.issueLeafCertificate(['app.localhost', '127.0.0.1']);
  const caCert = new X509Certificate(ca.certPem);
  const leaf = new X509Certificate(issued.certPem);
  t.true(caCert.ca);
  t.false(leaf.ca);
  t.regex(caCert.subject, /^CN=devtls local CA \(.+@.+\)\nO=devtls$/);
  t.is(leaf.subject, 'CN=app.localhost');
  t.is(leaf.issuer, caCert.subject);
  t.is(leaf.subjectAltName, 'DNS:app.localhost, IP Address:127.0.0.1');
  t.is(leaf.serialNumber.replace(/^(00)+/, ''), issued.serialNumber);
  t.is(new Date(leaf.validTo).getTime(), issued.notAfter.getTime());
  t.is(new Date(leaf.validFrom).getTime(), issued.notBefore.getTime());
  t.is(caCert.fingerprint256, ca.fingerprintSha256);
  t.true(leaf.verify(caCert.publicKey));
  t.true(leaf.checkIssued(caCert));
  t.true(caCert.checkIssued(caCert), 'self-issued');
  t.true(caCert.verify(caCert.publicKey), 'self-signed');
  t.true(leaf.checkHost('app.localhost') === 'app.localhost');

  // Our reader agrees on the extensions devtls relies on.
  const caParsed = parseCertificate(caCert.raw);
  const leafParsed = parseCertificate(leaf.raw);
  const ski = decodeSubjectKeyIdentifier(caParsed.extensions.get(OID.subjectKeyIdentifier)?.value ?? new Uint8Array());
  const spki = caCert.publicKey.export({ type: 'spki', format: 'der' });
  t.is(ski, createHash('sha1').update(spki.subarray(spki.length - 65)).digest('hex'), 'SKI = SHA-1 of the key bits');
  t.is(decodeAuthorityKeyIdentifier(caParsed.extensions.get(OID.authorityKeyIdentifier)?.value ?? new Uint8Array()), ski);
  t.is(decodeAuthorityKeyIdentifier(leafParsed.extensions.get(OID.authorityKeyIdentifier)?.value ?? new Uint8Array()), ski);
  t.deepEqual(decodeBasicConstraints(caParsed.extensions.get(OID.basicConstraints)?.value ?? new Uint8Array()), { ca: true, pathLength: 0 });
  t.deepEqual(decodeBasicConstraints(leafParsed.extensions.get(OID.basicConstraints)?.value ?? new Uint8Array()), { ca: false });
  t.true(caParsed.extensions.get(OID.basicConstraints)?.critical);
  t.true(caParsed.extensions.get(OID.nameConstraints)?.critical);
  t.deepEqual(decodeKeyUsage(caParsed.extensions.get(OID.keyUsage)?.value ?? new Uint8Array()), [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]);
  t.deepEqual(decodeKeyUsage(leafParsed.extensions.get(OID.keyUsage)?.value ?? new Uint8Array()), [KEY_USAGE.digitalSignature]);
  t.is(hex(leafParsed.issuer), hex(caParsed.subject), "the leaf's issuer is the CA's subject, byte for byte");

  // A leaf from another CA is neither verified nor issued by this one.
  const other = await CertificateAuthority.open({ dir: join(dir, 'other') });
  const foreign = new X509Certificate((await other.ca.issueLeafCertificate(['app.localhost'])).certPem);
  t.false(foreign.verify(caCert.publicKey));
  t.false(foreign.checkIssued(caCert));
  t.is(await ca.readLeafCertificate((await other.ca.issueLeafCertificate(['app.localhost'])).certPem, issued.keyPem), undefined);
});
