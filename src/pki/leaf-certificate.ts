/**
 * Issuing and inspecting leaf (server) certificates. The policy checks (which names are
 * allowed) live in naming-policy.ts, applied by CertificateAuthority; this module only builds and reads certificates.
 */
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import {
  KEY_USAGE,
  OID,
  authorityKeyIdentifier,
  basicConstraints,
  buildCertificate,
  decodeSubjectAltName,
  encodeName,
  extendedKeyUsage,
  formatSerialNumber,
  keyIdentifierFor,
  keyUsage,
  parseCertificate,
  randomSerialNumber,
  subjectAltName,
  subjectKeyIdentifier,
  toPem,
  type ParsedCertificate,
} from './certificate-builder.js';
import { canonicalIp, isIpLiteral } from './host-names.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A server certificate and its private key, ready for `tls.createSecureContext`. */
export interface LeafCertificate {
  /** The subjectAltName entries: DNS names (possibly `*.` wildcards) and IP literals, in order. */
  names: string[];
  certPem: string;
  /** PKCS#8 PEM. Never log it. */
  keyPem: string;
  notBefore: Date;
  notAfter: Date;
  /** Upper-case hex, as `openssl x509 -serial` prints it. */
  serialNumber: string;
}

export const DEFAULT_LEAF_VALIDITY_DAYS = 90;
/** Browsers reject TLS server certificates valid for more than 398 days. */
export const MAX_LEAF_VALIDITY_DAYS = 397;
/** notBefore is set this far in the past, so a client whose clock is a little behind accepts it. */
export const CLOCK_SKEW_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What is needed to sign: the issuing certificate, its private key and its key identifier. */
export interface Issuer {
  /** The issuing certificate as OpenSSL reads it (signature checks, checkIssued). */
  readonly certificate: X509Certificate;
  /** The issuer's subject Name DER exactly as in its certificate: copied into each leaf's issuer. */
  readonly subjectName: Uint8Array;
  readonly notAfter: Date;
  readonly privateKey: KeyObject;
  /** Hex subjectKeyIdentifier of the issuer, copied into the leaf's authorityKeyIdentifier. */
  readonly keyIdentifier: string;
}

function wholeSeconds(time: number): Date {
  return new Date(Math.floor(time / 1000) * 1000);
}

/**
 * Build and sign a leaf for `names`, which must already be normalised and allowed.
 * Subject CN = the first DNS name (or the first name when there are only IPs).
 * Validity: `now - 1 h` to `now + validityDays`, cut at the issuer's own expiry.
 */
export async function createLeafCertificate(
  issuer: Issuer,
  names: readonly string[],
  options: { validityDays: number; now: Date },
): Promise<LeafCertificate> {
  const commonName = names.find((name) => !isIpLiteral(name)) ?? names[0];
  if (commonName === undefined) throw new TypeError('createLeafCertificate needs at least one name');
  const keys = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });

  const notBefore = wholeSeconds(options.now.getTime() - CLOCK_SKEW_MS);
  const notAfter = wholeSeconds(Math.min(options.now.getTime() + options.validityDays * DAY_MS, issuer.notAfter.getTime()));
  const serialNumber = randomSerialNumber();
  const der = buildCertificate(
    {
      serialNumber,
      issuer: issuer.subjectName,
      subject: encodeName([{ oid: OID.commonName, value: commonName }]),
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      extensions: [
        basicConstraints(false),
        keyUsage([KEY_USAGE.digitalSignature]),
        extendedKeyUsage([OID.serverAuth]),
        subjectAltName(names),
        subjectKeyIdentifier(keyIdentifierFor(keys.publicKey)),
        authorityKeyIdentifier(Buffer.from(issuer.keyIdentifier, 'hex')),
      ],
    },
    issuer.privateKey,
  );
  return {
    names: [...names],
    certPem: toPem(der, 'CERTIFICATE'),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    notBefore,
    notAfter,
    serialNumber: formatSerialNumber(serialNumber),
  };
}

/** The subjectAltName entries of a certificate as plain strings (DNS names and IPs). */
export function subjectAltNames(certificate: ParsedCertificate): string[] {
  const san = certificate.extensions.get(OID.subjectAltName);
  if (san === undefined) return [];
  return decodeSubjectAltName(san.value).map((n) => (n.type === 'ip' ? canonicalIp(n.value) : n.value.toLowerCase()));
}

/**
 * Read a leaf back from PEM and check it belongs to `issuer`: it parses, its signature
 * verifies with the issuer's public key, its issuer name matches, and the private key is
 * the one for its public key. Returns undefined (never throws) for anything else, so a
 * corrupt or foreign cache entry is simply re-issued.
 */
export async function readLeafCertificate(
  issuer: Pick<Issuer, 'certificate'>,
  certPem: string,
  keyPem: string,
): Promise<LeafCertificate | undefined> {
  try {
    const certificate = new X509Certificate(certPem);
    // Issuer name (and key identifiers) match, then the signature is the CA's.
    if (!certificate.checkIssued(issuer.certificate)) return undefined;
    if (!certificate.verify(issuer.certificate.publicKey)) return undefined;
    const parsed = parseCertificate(certificate.raw);
    const publicFromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    if (!publicFromKey.equals(parsed.subjectPublicKeyInfo)) return undefined;
    return {
      names: subjectAltNames(parsed),
      certPem,
      keyPem,
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
      serialNumber: formatSerialNumber(parsed.serialNumber),
    };
  } catch {
    return undefined;
  }
}
