/**
 * Issuing and inspecting leaf (server) certificates. The policy checks (which names are
 * allowed) live in CertificateAuthority; this module only builds and reads certificates.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { canonicalIp, isIpLiteral } from './host-names.js';
import { EC_KEY_ALGORITHM, SIGNING_ALGORITHM, formatSerialNumber, randomSerialNumber, toPem, x509 } from './x509.js';

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
  readonly certificate: x509.X509Certificate;
  readonly privateKey: CryptoKey;
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
  const subtle = globalThis.crypto.subtle;
  const keys = (await subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const commonName = names.find((name) => !isIpLiteral(name)) ?? names[0];
  if (commonName === undefined) throw new TypeError('createLeafCertificate needs at least one name');

  const notBefore = wholeSeconds(options.now.getTime() - CLOCK_SKEW_MS);
  const notAfter = wholeSeconds(
    Math.min(options.now.getTime() + options.validityDays * DAY_MS, issuer.certificate.notAfter.getTime()),
  );
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: [{ CN: [commonName] }],
    issuer: issuer.certificate.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuer.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIpLiteral(value) ? ('ip' as const) : ('dns' as const), value })),
        false,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.AuthorityKeyIdentifierExtension(issuer.keyIdentifier),
    ],
  });
  const keyDer = await subtle.exportKey('pkcs8', keys.privateKey);
  return {
    names: [...names],
    certPem: toPem(certificate.rawData, 'CERTIFICATE'),
    keyPem: toPem(keyDer, 'PRIVATE KEY'),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    serialNumber: formatSerialNumber(certificate.serialNumber),
  };
}

/** The subjectAltName entries of a certificate as plain strings (DNS names and IPs). */
export function subjectAltNames(certificate: x509.X509Certificate): string[] {
  const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
  if (san === null) return [];
  return san.names.items.filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => (n.type === 'ip' ? canonicalIp(n.value) : n.value.toLowerCase()));
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
    const certificate = new x509.X509Certificate(certPem);
    if (certificate.issuer !== issuer.certificate.subject) return undefined;
    const signed = await certificate.verify({ publicKey: issuer.certificate.publicKey, signatureOnly: true });
    if (!signed) return undefined;
    const publicFromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    if (!publicFromKey.equals(Buffer.from(certificate.publicKey.rawData))) return undefined;
    return {
      names: subjectAltNames(certificate),
      certPem,
      keyPem,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      serialNumber: formatSerialNumber(certificate.serialNumber),
    };
  } catch {
    return undefined;
  }
}
