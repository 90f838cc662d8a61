/**
 * X.509 v3 certificates (RFC 5280) built and read with der.ts and node:crypto: exactly the
 * fields and extensions devtls's CA and leaves use, all ECDSA P-256 signed with SHA-256.
 *
 *   Certificate    ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { version [0] EXPLICIT 2 (v3), serialNumber INTEGER,
 *                                 signature AlgorithmIdentifier, issuer Name, validity,
 *                                 subject Name, subjectPublicKeyInfo, extensions [3] EXPLICIT }
 *
 * Reading parses only what devtls checks; signature checks and everything else go to
 * `crypto.X509Certificate` (OpenSSL).
 */
import { createHash, getRandomValues, sign, type KeyObject } from 'node:crypto';
import {
  TAG,
  bitString,
  boolean,
  childrenOf,
  decodeBitString,
  decodeBoolean,
  decodeOid,
  decodeTime,
  explicit,
  implicit,
  integer,
  integerHex,
  namedBits,
  octetString,
  oid,
  readOnly,
  readTlvs,
  sequence,
  set,
  time,
  utf8String,
  type Tlv,
} from './der.js';
import { bytesToIp, ipToBytes, isIpLiteral } from './host-names.js';

export const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  nameConstraints: '2.5.29.30',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

// ---------------------------------------------------------------------------------------
// Building

export interface Extension {
  oid: string;
  critical: boolean;
  /** DER of the extension's value (what goes inside extnValue's OCTET STRING). */
  value: Uint8Array;
}

export interface CertificateFields {
  /** Unsigned big-endian hex; see randomSerialNumber. */
  serialNumber: string;
  /** DER Name of the issuer: for a leaf, the CA certificate's subject bytes exactly. */
  issuer: Uint8Array;
  /** DER Name of the subject (see encodeName). */
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** The subject's public key; its SPKI DER is copied in as is. */
  publicKey: KeyObject;
  extensions: readonly Extension[];
}

const SIGNATURE_ALGORITHM = sequence(oid(OID.ecdsaWithSha256)); // no parameters (RFC 5758)

/** Build the TBSCertificate, sign it with `signingKey` (P-256, SHA-256) and return the DER. */
export function buildCertificate(fields: CertificateFields, signingKey: KeyObject): Buffer {
  const spki = fields.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(fields.serialNumber),
    SIGNATURE_ALGORITHM,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    spki,
    explicit(3, sequence(...fields.extensions.map(encodeExtension))),
  );
  const signature = sign('sha256', tbs, { key: signingKey, dsaEncoding: 'der' });
  return Buffer.from(sequence(tbs, SIGNATURE_ALGORITHM, bitString(signature)));
}

function encodeExtension(extension: Extension): Uint8Array {
  // critical BOOLEAN DEFAULT FALSE: DER omits the default.
  return extension.critical
    ? sequence(oid(extension.oid), boolean(true), octetString(extension.value))
    : sequence(oid(extension.oid), octetString(extension.value));
}

/** A Name of one-attribute RDNs in the given order, each value a UTF8String. */
export function encodeName(attributes: ReadonlyArray<{ oid: string; value: string }>): Uint8Array {
  return sequence(...attributes.map((attribute) => set(sequence(oid(attribute.oid), utf8String(attribute.value)))));
}

export function basicConstraints(ca: boolean, pathLength?: number): Extension {
  const body = ca ? [boolean(true), ...(pathLength === undefined ? [] : [integer(pathLength)])] : [];
  return { oid: OID.basicConstraints, critical: true, value: sequence(...body) };
}

export function keyUsage(bits: readonly number[]): Extension {
  return { oid: OID.keyUsage, critical: true, value: namedBits(bits) };
}

export function extendedKeyUsage(purposes: readonly string[]): Extension {
  return { oid: OID.extKeyUsage, critical: false, value: sequence(...purposes.map(oid)) };
}

/** subjectAltName: dNSName [2] for names, iPAddress [7] for IP literals. */
export function subjectAltName(names: readonly string[]): Extension {
  const generalNames = names.map((name) => {
    if (isIpLiteral(name)) {
      const bytes = ipToBytes(name);
      if (bytes === undefined) throw new TypeError(`bad IP ${name}`);
      return implicit(7, bytes);
    }
    return implicit(2, Buffer.from(name, 'ascii'));
  });
  return { oid: OID.subjectAltName, critical: false, value: sequence(...generalNames) };
}

export function subjectKeyIdentifier(keyId: Uint8Array): Extension {
  return { oid: OID.subjectKeyIdentifier, critical: false, value: octetString(keyId) };
}

/** authorityKeyIdentifier with keyIdentifier [0] only. */
export function authorityKeyIdentifier(keyId: Uint8Array): Extension {
  return { oid: OID.authorityKeyIdentifier, critical: false, value: sequence(implicit(0, keyId)) };
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
export function keyIdentifierFor(publicKey: KeyObject | Uint8Array): Buffer {
  const spki = publicKey instanceof Uint8Array ? publicKey : publicKey.export({ type: 'spki', format: 'der' });
  const [, keyBits] = childrenOf(readOnly(spki, TAG.SEQUENCE, 'SubjectPublicKeyInfo'), TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  if (keyBits?.tag !== TAG.BIT_STRING) throw new Error('SubjectPublicKeyInfo has no BIT STRING');
  return createHash('sha1').update(decodeBitString(keyBits.content).bytes).digest();
}

/** A random positive serial number as hex: 16 bytes (at least 120 random bits), top bit clear. */
export function randomSerialNumber(): string {
  const bytes = getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return Buffer.from(bytes).toString('hex');
}

export function toPem(der: Uint8Array, tag: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  const body = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${tag}-----\n${body}\n-----END ${tag}-----\n`;
}

/** Serial number as upper-case hex without leading zero bytes (as `openssl x509 -serial` prints it). */
export function formatSerialNumber(hex: string): string {
  return hex.toUpperCase().replace(/^(00)+(?=.)/, '');
}

// ---------------------------------------------------------------------------------------
// Reading

export interface ParsedCertificate {
  /** Upper-case hex of the serial INTEGER as encoded. */
  serialNumber: string;
  /** The issuer and subject Names' complete DER (views into the input). */
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER (a view into the input). */
  subjectPublicKeyInfo: Uint8Array;
  extensions: ReadonlyMap<string, { critical: boolean; value: Uint8Array }>;
}

/** Walk a DER certificate to the fields devtls reads. Throws on malformed input. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const [tbs] = childrenOf(readOnly(der, TAG.SEQUENCE, 'Certificate'), TAG.SEQUENCE, 'Certificate');
  if (tbs === undefined) throw new Error('Certificate has no TBSCertificate');
  const fields = childrenOf(tbs, TAG.SEQUENCE, 'TBSCertificate');
  let i = fields[0]?.tag === 0xa0 ? 1 : 0; // version [0], absent in v1
  const next = (tag: number, what: string): Tlv => {
    const field = fields[i++];
    if (field?.tag !== tag) throw new Error(`TBSCertificate: bad or missing ${what}`);
    return field;
  };
  const serial = next(TAG.INTEGER, 'serialNumber');
  next(TAG.SEQUENCE, 'signature');
  const issuer = next(TAG.SEQUENCE, 'issuer');
  const [notBefore, notAfter] = childrenOf(next(TAG.SEQUENCE, 'validity'), TAG.SEQUENCE, 'Validity');
  if (notBefore === undefined || notAfter === undefined) throw new Error('Validity needs two times');
  const subject = next(TAG.SEQUENCE, 'subject');
  const spki = next(TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  for (const field of fields.slice(i)) {
    if (field.tag !== 0xa3) continue; // issuerUniqueID [1] / subjectUniqueID [2]
    const [list] = [...readTlvs(field.content)];
    if (list === undefined) throw new Error('empty extensions');
    for (const extension of childrenOf(list, TAG.SEQUENCE, 'Extensions')) {
      const parts = childrenOf(extension, TAG.SEQUENCE, 'Extension');
      const id = parts[0];
      const hasCritical = parts[1]?.tag === TAG.BOOLEAN;
      const value = parts[hasCritical ? 2 : 1];
      if (id?.tag !== TAG.OID || value?.tag !== TAG.OCTET_STRING) throw new Error('bad Extension');
      const extnId = decodeOid(id.content);
      if (extensions.has(extnId)) throw new Error(`duplicate extension ${extnId}`);
      extensions.set(extnId, { critical: hasCritical && decodeBoolean(parts[1]?.content ?? new Uint8Array()), value: value.content });
    }
  }
  return {
    serialNumber: integerHex(serial.content),
    issuer: issuer.encoded,
    subject: subject.encoded,
    notBefore: decodeTime(notBefore),
    notAfter: decodeTime(notAfter),
    subjectPublicKeyInfo: spki.encoded,
    extensions,
  };
}

export function decodeBasicConstraints(value: Uint8Array): { ca: boolean; pathLength?: number } {
  const parts = childrenOf(readOnly(value, TAG.SEQUENCE, 'BasicConstraints'), TAG.SEQUENCE, 'BasicConstraints');
  let ca = false;
  let rest = parts;
  if (parts[0]?.tag === TAG.BOOLEAN) {
    ca = decodeBoolean(parts[0].content);
    rest = parts.slice(1);
  }
  const length = rest[0];
  if (length === undefined) return { ca };
  if (length.tag !== TAG.INTEGER) throw new Error('bad pathLenConstraint');
  return { ca, pathLength: parseInt(integerHex(length.content), 16) };
}

/** The subjectKeyIdentifier as lower-case hex. */
export function decodeSubjectKeyIdentifier(value: Uint8Array): string {
  return Buffer.from(readOnly(value, TAG.OCTET_STRING, 'SubjectKeyIdentifier').content).toString('hex');
}

/** The keyIdentifier [0] of an authorityKeyIdentifier as lower-case hex, if present. */
export function decodeAuthorityKeyIdentifier(value: Uint8Array): string | undefined {
  const parts = childrenOf(readOnly(value, TAG.SEQUENCE, 'AuthorityKeyIdentifier'), TAG.SEQUENCE, 'AuthorityKeyIdentifier');
  const keyId = parts.find((part) => part.tag === 0x80);
  return keyId === undefined ? undefined : Buffer.from(keyId.content).toString('hex');
}

/** The KeyUsage bit numbers that are set. */
export function decodeKeyUsage(value: Uint8Array): number[] {
  const { bytes } = decodeBitString(readOnly(value, TAG.BIT_STRING, 'KeyUsage').content);
  const bits: number[] = [];
  bytes.forEach((byte, index) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) bits.push(index * 8 + bit);
  });
  return bits;
}

/** dNSName and iPAddress entries of a subjectAltName, in order (other forms skipped). */
export function decodeSubjectAltName(value: Uint8Array): Array<{ type: 'dns' | 'ip'; value: string }> {
  const names: Array<{ type: 'dns' | 'ip'; value: string }> = [];
  for (const name of childrenOf(readOnly(value, TAG.SEQUENCE, 'SubjectAltName'), TAG.SEQUENCE, 'SubjectAltName')) {
    if (name.tag === 0x82) names.push({ type: 'dns', value: Buffer.from(name.content).toString('ascii') });
    else if (name.tag === 0x87) {
      if (name.content.length !== 4 && name.content.length !== 16) throw new Error('bad iPAddress length');
      names.push({ type: 'ip', value: bytesToIp(name.content) });
    }
  }
  return names;
}

const SHORT_NAMES: Record<string, string> = {
  [OID.commonName]: 'CN',
  [OID.organizationName]: 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
};

/** A Name as text in encoding order, `CN=devtls local CA (ada@laptop), O=devtls`; the
 * RFC 4514 special characters in values are backslash-escaped. */
export function formatName(nameDer: Uint8Array): string {
  const rdns = childrenOf(readOnly(nameDer, TAG.SEQUENCE, 'Name'), TAG.SEQUENCE, 'Name');
  return rdns
    .map((rdn) =>
      childrenOf(rdn, TAG.SET, 'RelativeDistinguishedName')
        .map((attribute) => {
          const [type, value] = childrenOf(attribute, TAG.SEQUENCE, 'AttributeTypeAndValue');
          if (type?.tag !== TAG.OID || value === undefined) throw new Error('bad AttributeTypeAndValue');
          const id = decodeOid(type.content);
          const text = Buffer.from(value.content).toString(value.tag === TAG.UTF8_STRING ? 'utf8' : 'latin1');
          const escaped = text.replace(/[,+"\\<>;]/g, '\\$&').replace(/^[ #]/, '\\$&').replace(/ $/, '\\ ');
          return `${SHORT_NAMES[id] ?? id}=${escaped}`;
        })
        .join('+'),
    )
    .join(', ');
}
