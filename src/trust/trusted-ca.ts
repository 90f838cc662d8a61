/** The CA as trust stores see it: its file, fingerprints and the unique name devtls gives
 * it in each store, so `untrust` removes exactly this CA and several devtls CAs (other
 * users, other CA folders) never collide. */
import { X509Certificate, createHash } from 'node:crypto';

export interface TrustedCa {
  certPem: string;
  certPath: string;
  /** Upper-case hex, no colons. */
  sha256: string;
  sha1: string;
  /** The CA's common name, e.g. `devtls local CA (ada@laptop)`. */
  commonName: string;
  /** `devtls-` + the first 16 hex digits of the SHA-256: file name (without extension) in
   * system stores and nickname in NSS databases. */
  storeName: string;
}

export function trustedCa(ca: { certPem: string; certPath: string }): TrustedCa {
  const certificate = new X509Certificate(ca.certPem);
  const sha256 = hex(certificate.fingerprint256);
  const commonName = /(?:^|\n)CN=([^\n]*)/.exec(certificate.subject)?.[1] ?? 'devtls';
  return {
    certPem: ca.certPem,
    certPath: ca.certPath,
    sha256,
    sha1: hex(certificate.fingerprint),
    commonName,
    storeName: `devtls-${sha256.slice(0, 16).toLowerCase()}`,
  };
}

function hex(colonSeparated: string): string {
  return colonSeparated.replace(/:/g, '').toUpperCase();
}

/** SHA-256 (upper-case hex) of every certificate in a PEM text (a bundle or a single file). */
export function pemFingerprints(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => {
    const der = Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''), 'base64');
    return createHash('sha256').update(der).digest('hex').toUpperCase();
  });
}

/** Normalise a hash as tools print it (`ab cd ef`, `AB:CD`, `abcdef`) to upper-case hex. */
export function normalizeHash(text: string): string {
  return text.replace(/[\s:]/g, '').toUpperCase();
}
