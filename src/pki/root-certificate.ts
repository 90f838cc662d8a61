/**
 * The root certificate itself: making a new one (ECDSA P-256, self-signed, CA:TRUE with
 * pathlen 0 and a critical nameConstraints extension) and reading one back with every check
 * that makes it a devtls CA (key type, key matches, CA flag, name constraints present).
 */
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';
import type { IpRange } from './host-names.js';
import { CLOCK_SKEW_MS } from './leaf-certificate.js';
import { NAME_CONSTRAINTS_OID, decodeNameConstraints, encodeNameConstraints, type NameConstraintSet } from './name-constraints.js';
import { damagedCaFile, notDevtlsCa, type CaPaths } from './ca-files.js';
import {
  KEY_USAGE,
  OID,
  authorityKeyIdentifier,
  basicConstraints,
  buildCertificate,
  decodeBasicConstraints,
  decodeSubjectKeyIdentifier,
  encodeName,
  keyIdentifierFor,
  keyUsage,
  parseCertificate,
  randomSerialNumber,
  subjectKeyIdentifier,
  toPem,
  type ParsedCertificate,
} from './certificate-builder.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const CA_VALIDITY_YEARS = 10;

/** A root certificate and its key, read and checked. */
export interface RootCertificate {
  certificate: X509Certificate;
  parsed: ParsedCertificate;
  privateKey: KeyObject;
  keyIdentifier: string;
  constraints: NameConstraintSet;
}

/** A new self-signed root limited to these names and ranges, as PEM. */
export async function createRootCertificate(constraints: {
  permittedDnsNames: readonly string[];
  permittedIpRanges: readonly IpRange[];
}): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const notBefore = new Date(Math.floor((now - CLOCK_SKEW_MS) / 1000) * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const keyId = keyIdentifierFor(keys.publicKey);
  const name = encodeName([
    { oid: OID.commonName, value: caCommonName() },
    { oid: OID.organizationName, value: 'devtls' },
  ]);
  const der = buildCertificate(
    {
      serialNumber: randomSerialNumber(),
      issuer: name,
      subject: name,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      extensions: [
        basicConstraints(true, 0),
        keyUsage([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]),
        subjectKeyIdentifier(keyId),
        authorityKeyIdentifier(keyId),
        { oid: NAME_CONSTRAINTS_OID, critical: true, value: encodeNameConstraints(constraints) },
      ],
    },
    keys.privateKey,
  );
  return {
    certPem: toPem(der, 'CERTIFICATE'),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/**
 * Parse and check a root read from `paths`. UserError when either half is damaged, they do
 * not belong together, or the certificate is not a name-constrained ECDSA P-256 CA.
 */
export function readRootCertificate(paths: CaPaths, certPem: string, keyPem: string): RootCertificate {
  let certificate: X509Certificate;
  let parsed: ParsedCertificate;
  try {
    certificate = new X509Certificate(certPem);
    parsed = parseCertificate(certificate.raw);
  } catch (error) {
    throw damagedCaFile(paths, 'is not a valid PEM certificate', error);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (error) {
    if (error instanceof UserError) throw error;
    // Deliberately not echoing the parser's message: keep anything near key bytes out of output.
    throw damagedCaFile(paths, 'is not a valid PEM private key', undefined);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw notDevtlsCa(paths, 'its key is not ECDSA P-256');
  }
  const publicFromKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!publicFromKey.equals(parsed.subjectPublicKeyInfo)) {
    throw damagedCaFile(paths, `does not match the key in ${paths.keyPath}`, undefined);
  }
  let isCa: boolean;
  try {
    const basic = parsed.extensions.get(OID.basicConstraints);
    isCa = basic !== undefined && decodeBasicConstraints(basic.value).ca;
  } catch (error) {
    throw damagedCaFile(paths, 'has an unreadable basicConstraints extension', error);
  }
  if (!isCa) throw notDevtlsCa(paths, 'it is not a CA certificate');
  const constraintsExtension = parsed.extensions.get(NAME_CONSTRAINTS_OID);
  if (constraintsExtension === undefined) {
    throw notDevtlsCa(
      paths,
      'it has no name constraints, so it could sign for any web site (a mkcert CA, for example); devtls only uses a name-constrained CA',
    );
  }
  let constraints: NameConstraintSet;
  try {
    constraints = decodeNameConstraints(constraintsExtension.value);
  } catch (error) {
    throw damagedCaFile(paths, 'has an unreadable nameConstraints extension', error);
  }
  let keyIdentifier: string;
  try {
    const ski = parsed.extensions.get(OID.subjectKeyIdentifier);
    keyIdentifier = ski === undefined ? keyIdentifierFor(parsed.subjectPublicKeyInfo).toString('hex') : decodeSubjectKeyIdentifier(ski.value);
  } catch (error) {
    throw damagedCaFile(paths, 'has an unreadable subjectKeyIdentifier extension', error);
  }
  return { certificate, parsed, privateKey, keyIdentifier, constraints };
}

function caCommonName(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env['USER'] ?? process.env['USERNAME'] ?? 'user';
  }
  // X.509 caps a CN at 64 characters; "devtls local CA (" + ")" leaves 46.
  const who = `${user}@${hostname()}`.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 46);
  return `devtls local CA (${who})`;
}
