/**
 * The per-user root CA as callers use it: opened (created once) from its folder, asked which
 * names it may sign, and used to issue and recognise leaf certificates. The parts live
 * beside it: the files on disk (ca-files.ts), the root certificate (root-certificate.ts)
 * and the naming policy (naming-policy.ts).
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { caFilesAbsent, caPaths, prepareCaDir, publishCaFiles, readCaFiles, waitForCertificate, type CaPaths } from './ca-files.js';
import { formatName } from './certificate-builder.js';
import {
  CLOCK_SKEW_MS,
  DEFAULT_LEAF_VALIDITY_DAYS,
  MAX_LEAF_VALIDITY_DAYS,
  createLeafCertificate,
  readLeafCertificate,
  type Issuer,
  type LeafCertificate,
} from './leaf-certificate.js';
import { NamingPolicy, constraintsForNewCa } from './naming-policy.js';
import { createRootCertificate, readRootCertificate, type RootCertificate } from './root-certificate.js';

export type { LeafCertificate } from './leaf-certificate.js';
export { CA_CERT_FILE, CA_KEY_FILE } from './ca-files.js';
export { CA_VALIDITY_YEARS } from './root-certificate.js';
export { DEFAULT_PERMITTED_IP_RANGES, DEFAULT_PERMITTED_NAMES } from './naming-policy.js';

export class CertificateAuthority {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  /** SHA-256 of the DER certificate, "AB:CD:…" (what trust stores and browsers display). */
  readonly fingerprintSha256: string;
  /** Which names this CA may sign, read back from its own nameConstraints. */
  readonly policy: NamingPolicy;
  /** DNS names from the CA's own nameConstraints. */
  readonly permittedNames: readonly string[];
  /** IP ranges from the CA's own nameConstraints, e.g. `127.0.0.0/8`, `::1/128`. */
  readonly permittedIpRanges: readonly string[];
  /** The subject as text, e.g. `CN=devtls local CA (ada@laptop), O=devtls`. */
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** What devtls changed while opening the CA, one line each (e.g. it made the folder private). */
  readonly notices: readonly string[];
  readonly #issuer: Issuer;

  private constructor(paths: CaPaths, certPem: string, root: RootCertificate, notices: readonly string[]) {
    this.dir = paths.dir;
    this.certPath = paths.certPath;
    this.keyPath = paths.keyPath;
    this.certPem = certPem;
    this.fingerprintSha256 = fingerprint(root.certificate.raw);
    this.policy = new NamingPolicy(root.constraints);
    this.permittedNames = this.policy.permittedNames;
    this.permittedIpRanges = this.policy.permittedIpRanges;
    this.subject = formatName(root.parsed.subject);
    this.notBefore = root.parsed.notBefore;
    this.notAfter = root.parsed.notAfter;
    this.notices = Object.freeze([...notices]);
    this.#issuer = {
      certificate: root.certificate,
      subjectName: root.parsed.subject,
      notAfter: root.parsed.notAfter,
      privateKey: root.privateKey,
      keyIdentifier: root.keyIdentifier,
    };
  }

  /**
   * Load the CA in `dir`, creating it (once) when rootCA.pem and rootCA-key.pem are both
   * absent. Safe against concurrent creation by several processes: the first to publish its
   * key wins and every other caller loads that CA. `extraPermittedNames` only applies when
   * creating.
   */
  static async open(options: {
    dir: string;
    extraPermittedNames?: string[];
  }): Promise<{ ca: CertificateAuthority; created: boolean }> {
    const constraints = constraintsForNewCa(options.extraPermittedNames ?? []);
    const paths = caPaths(options.dir);
    const notices = await prepareCaDir(paths.dir, { create: true });
    if (await caFilesAbsent(paths)) {
      if (await publishCaFiles(paths, await createRootCertificate(constraints))) {
        return { ca: await CertificateAuthority.#read(paths, notices), created: true };
      }
      // Another process published its key first: use its CA, drop ours.
    }
    await waitForCertificate(paths);
    return { ca: await CertificateAuthority.#read(paths, notices), created: false };
  }

  /** Load only. UserError if the CA is missing, unreadable, not private, or not a devtls CA. */
  static load(dir: string): Promise<CertificateAuthority> {
    return CertificateAuthority.#read(caPaths(dir), []);
  }

  static async #read(paths: CaPaths, earlierNotices: readonly string[]): Promise<CertificateAuthority> {
    const { certPem, keyPem, notices } = await readCaFiles(paths);
    return new CertificateAuthority(paths, certPem, readRootCertificate(paths, certPem, keyPem), [...earlierNotices, ...notices]);
  }

  /** True if `name` (DNS name, `*.` wildcard name, or IP literal) is inside the CA's name
   * constraints, i.e. a leaf for it would be accepted by browsers, OpenSSL and Node. */
  permits(name: string): boolean {
    return this.policy.permits(name);
  }

  /** A human summary of what the CA covers: `.localhost, .test, …, 127.0.0.0/8 and ::1`. */
  describeScope(): string {
    return this.policy.describeScope();
  }

  /**
   * Issue a leaf for these SANs (DNS names, wildcard DNS names, IP literals); the subject CN
   * is the first DNS name. Throws UserError for an invalid name, a wildcard directly under a
   * top-level name, a name outside the constraints, a bad validity, or an expired CA.
   */
  async issueLeafCertificate(
    names: string[],
    options: { validityDays?: number; now?: Date } = {},
  ): Promise<LeafCertificate> {
    const now = options.now ?? new Date();
    const validityDays = options.validityDays ?? DEFAULT_LEAF_VALIDITY_DAYS;
    if (!(validityDays > 0 && validityDays <= MAX_LEAF_VALIDITY_DAYS)) {
      throw new UserError(`A certificate validity of ${validityDays} days is not allowed.`, {
        hint: `Use between 1 and ${MAX_LEAF_VALIDITY_DAYS} days (browsers reject server certificates valid for more than 398 days).`,
        code: 'EPKI_VALIDITY',
      });
    }
    if (names.length === 0) throw new TypeError('issueLeafCertificate needs at least one name');
    const sans = [...new Set(names.map((name) => this.policy.checkedName(name)))];
    if (now.getTime() - CLOCK_SKEW_MS >= this.notAfter.getTime()) {
      throw new UserError(`The devtls CA in ${this.dir} expired on ${this.notAfter.toISOString()}.`, {
        hint: `Delete ${this.certPath} and ${this.keyPath}, then run ${invocation()} ca to create a new CA and trust it again.`,
        code: 'EPKI_CA_EXPIRED',
      });
    }
    return createLeafCertificate(this.#issuer, sans, { validityDays, now });
  }

  /**
   * Read a leaf from PEM and return it if this CA signed it, `keyPem` is its key and all its
   * names are inside the constraints; undefined for anything else (corrupt, foreign,
   * mismatched). Never throws.
   */
  async readLeafCertificate(certPem: string, keyPem: string): Promise<LeafCertificate | undefined> {
    const leaf = await readLeafCertificate(this.#issuer, certPem, keyPem);
    if (leaf === undefined || leaf.names.length === 0 || !leaf.names.every((name) => this.permits(name))) return undefined;
    return leaf;
  }
}

function fingerprint(der: Uint8Array): string {
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return hex.replace(/(..)(?!$)/g, '$1:');
}
