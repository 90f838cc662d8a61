/**
 * The per-user root CA: created once (ECDSA P-256, name-constrained to local names and
 * loopback addresses), loaded with permission checks, and used to issue leaf certificates.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';
import {
  formatIpRange,
  isIpLiteral,
  isWildcardName,
  normalizeHostName,
  parseIpRange,
  wildcardCertificateAllowed,
  type IpRange,
} from './host-names.js';
import {
  CLOCK_SKEW_MS,
  DEFAULT_LEAF_VALIDITY_DAYS,
  MAX_LEAF_VALIDITY_DAYS,
  createLeafCertificate,
  readLeafCertificate,
  type Issuer,
  type LeafCertificate,
} from './leaf-certificate.js';
import {
  NAME_CONSTRAINTS_OID,
  decodeNameConstraints,
  encodeNameConstraints,
  nameConstraintsPermit,
  type NameConstraintSet,
} from './name-constraints.js';
import {
  assertDirNotWritableByOthers,
  assertPrivateKeyFile,
  ensurePrivateDir,
  errorCode,
  writeFileAtomic,
  writeFileExclusive,
} from './secure-files.js';
import {
  KEY_USAGE,
  OID,
  authorityKeyIdentifier,
  basicConstraints,
  buildCertificate,
  decodeBasicConstraints,
  decodeSubjectKeyIdentifier,
  encodeName,
  formatName,
  keyIdentifierFor,
  keyUsage,
  parseCertificate,
  randomSerialNumber,
  subjectKeyIdentifier,
  toPem,
  type ParsedCertificate,
} from './certificate-builder.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export type { LeafCertificate } from './leaf-certificate.js';

/** Names the CA may issue for (each covers itself and every subdomain, RFC 5280). All are
 * reserved for local or private use and can never be a real public site. */
export const DEFAULT_PERMITTED_NAMES: readonly string[] = Object.freeze(['localhost', 'test', 'internal', 'home.arpa', 'local', 'example']);
/** Loopback only: a leaked CA key still cannot impersonate any other address. */
export const DEFAULT_PERMITTED_IP_RANGES: readonly string[] = ['127.0.0.0/8', '::1/128'];
/** Single-label names accepted in `extraPermittedNames`: not delegated in the public DNS.
 * Any other extra name needs two labels, so `dev` or `com` (real TLDs) cannot be added. */
const PRIVATE_TOP_LEVEL_NAMES = new Set([...DEFAULT_PERMITTED_NAMES, 'invalid', 'lan', 'home', 'corp', 'intranet', 'private', 'localdomain']);

export const CA_CERT_FILE = 'rootCA.pem';
export const CA_KEY_FILE = 'rootCA-key.pem';
export const CA_VALIDITY_YEARS = 10;

const CREATE_HINT = 'The CA is created on first use: run devtls up or devtls ca to create it.';

interface LoadedCa {
  dir: string;
  certificate: X509Certificate;
  parsed: ParsedCertificate;
  certPem: string;
  privateKey: KeyObject;
  keyIdentifier: string;
  constraints: NameConstraintSet;
}

export class CertificateAuthority {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  /** SHA-256 of the DER certificate, "AB:CD:…" (what trust stores and browsers display). */
  readonly fingerprintSha256: string;
  /** DNS names from the CA's own nameConstraints (read back from the certificate). */
  readonly permittedNames: readonly string[];
  /** IP ranges from the CA's own nameConstraints, e.g. `127.0.0.0/8`, `::1/128`. */
  readonly permittedIpRanges: readonly string[];
  /** The subject as text, e.g. `CN=devtls local CA (ada@laptop), O=devtls`. */
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly #issuer: Issuer;
  readonly #constraints: NameConstraintSet;

  private constructor(loaded: LoadedCa) {
    this.dir = loaded.dir;
    this.certPath = join(loaded.dir, CA_CERT_FILE);
    this.keyPath = join(loaded.dir, CA_KEY_FILE);
    this.certPem = loaded.certPem;
    this.fingerprintSha256 = fingerprint(loaded.certificate.raw);
    this.#constraints = loaded.constraints;
    this.permittedNames = Object.freeze([...loaded.constraints.permittedDnsNames]);
    this.permittedIpRanges = Object.freeze(loaded.constraints.permittedIpRanges.map(formatIpRange));
    this.subject = formatName(loaded.parsed.subject);
    this.notBefore = loaded.parsed.notBefore;
    this.notAfter = loaded.parsed.notAfter;
    this.#issuer = {
      certificate: loaded.certificate,
      subjectName: loaded.parsed.subject,
      notAfter: loaded.parsed.notAfter,
      privateKey: loaded.privateKey,
      keyIdentifier: loaded.keyIdentifier,
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
    const { dir } = options;
    const permitted = permittedNamesFor(options.extraPermittedNames ?? []);
    const createdDir = await ensurePrivateDir(dir);
    if (!createdDir) await assertDirNotWritableByOthers(dir);
    const certPath = join(dir, CA_CERT_FILE);
    const keyPath = join(dir, CA_KEY_FILE);

    if (!(await exists(keyPath)) && !(await exists(certPath))) {
      const fresh = await createRootCertificate(permitted);
      if (await writeFileExclusive(keyPath, fresh.keyPem, 0o600)) {
        await writeFileAtomic(certPath, fresh.certPem, 0o644);
        return { ca: await CertificateAuthority.load(dir), created: true };
      }
      // Another process published its key first: use its CA, drop ours.
    }
    await waitForCertificate(certPath, keyPath);
    return { ca: await CertificateAuthority.load(dir), created: false };
  }

  /** Load only. UserError if the CA is missing, unreadable, not private, or not a devtls CA. */
  static async load(dir: string): Promise<CertificateAuthority> {
    const certPath = join(dir, CA_CERT_FILE);
    const keyPath = join(dir, CA_KEY_FILE);
    const [hasCert, hasKey] = [await exists(certPath), await exists(keyPath)];
    if (!hasCert && !hasKey) {
      throw new UserError(`No devtls CA found in ${dir}.`, { hint: CREATE_HINT, code: 'EPKI_NO_CA' });
    }
    if (!hasCert) throw missingHalf(dir, certPath, keyPath, 'certificate');
    if (!hasKey) throw missingHalf(dir, certPath, keyPath, 'key');
    await assertDirNotWritableByOthers(dir);
    await assertPrivateKeyFile(keyPath);

    const certPem = await readText(certPath);
    let certificate: X509Certificate;
    let parsed: ParsedCertificate;
    try {
      certificate = new X509Certificate(certPem);
      parsed = parseCertificate(certificate.raw);
    } catch (error) {
      throw damaged(certPath, keyPath, 'is not a valid PEM certificate', error);
    }
    let keyObject: KeyObject;
    try {
      keyObject = createPrivateKey(await readText(keyPath));
    } catch (error) {
      if (error instanceof UserError) throw error;
      // Deliberately not echoing the parser's message: keep anything near key bytes out of output.
      throw damaged(certPath, keyPath, 'is not a valid PEM private key', undefined);
    }
    if (keyObject.asymmetricKeyType !== 'ec' || keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw notDevtlsCa(certPath, keyPath, 'its key is not ECDSA P-256');
    }
    const publicFromKey = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
    if (!publicFromKey.equals(parsed.subjectPublicKeyInfo)) {
      throw damaged(certPath, keyPath, `does not match the key in ${keyPath}`, undefined);
    }
    let isCa: boolean;
    try {
      const basic = parsed.extensions.get(OID.basicConstraints);
      isCa = basic !== undefined && decodeBasicConstraints(basic.value).ca;
    } catch (error) {
      throw damaged(certPath, keyPath, 'has an unreadable basicConstraints extension', error);
    }
    if (!isCa) throw notDevtlsCa(certPath, keyPath, 'it is not a CA certificate');
    const constraintsExtension = parsed.extensions.get(NAME_CONSTRAINTS_OID);
    if (constraintsExtension === undefined) {
      throw notDevtlsCa(
        certPath,
        keyPath,
        'it has no name constraints, so it could sign for any web site (a mkcert CA, for example); devtls only uses a name-constrained CA',
      );
    }
    let constraints: NameConstraintSet;
    try {
      constraints = decodeNameConstraints(constraintsExtension.value);
    } catch (error) {
      throw damaged(certPath, keyPath, 'has an unreadable nameConstraints extension', error);
    }
    let keyIdentifier: string;
    try {
      const ski = parsed.extensions.get(OID.subjectKeyIdentifier);
      keyIdentifier = ski === undefined ? keyIdentifierFor(parsed.subjectPublicKeyInfo).toString('hex') : decodeSubjectKeyIdentifier(ski.value);
    } catch (error) {
      throw damaged(certPath, keyPath, 'has an unreadable subjectKeyIdentifier extension', error);
    }
    return new CertificateAuthority({ dir, certificate, parsed, certPem, privateKey: keyObject, keyIdentifier, constraints });
  }

  /** True if `name` (DNS name, `*.` wildcard name, or IP literal) is inside the CA's name
   * constraints, i.e. a leaf for it would be accepted by browsers, OpenSSL and Node. */
  permits(name: string): boolean {
    const normalized = normalizeHostName(name);
    if (normalized === undefined) return false;
    return nameConstraintsPermit(this.#constraints, normalized, isIpLiteral(normalized));
  }

  /** A human summary of what the CA covers: `.localhost, .test, …, 127.0.0.0/8 and ::1`. */
  describeScope(): string {
    const parts = [
      ...this.permittedNames.map((name) => `.${name}`),
      ...this.permittedIpRanges.map((range) => range.replace(/\/(32|128)$/, '')),
    ];
    return parts.length <= 1 ? (parts[0] ?? 'nothing') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
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
    const sans = [...new Set(names.map((name) => this.#checkedName(name)))];
    if (now.getTime() - CLOCK_SKEW_MS >= this.notAfter.getTime()) {
      throw new UserError(`The devtls CA in ${this.dir} expired on ${this.notAfter.toISOString()}.`, {
        hint: `Delete ${this.certPath} and ${this.keyPath}, then run devtls ca to create a new CA and trust it again.`,
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

  #checkedName(name: string): string {
    const normalized = normalizeHostName(name);
    if (normalized === undefined) {
      throw new UserError(`"${name}" is not a valid host name or IP address.`, {
        hint: 'Use letters, digits and hyphens separated by dots (e.g. app.localhost), a *. wildcard, or an IP literal.',
        code: 'EPKI_BAD_NAME',
      });
    }
    if (isWildcardName(normalized) && !wildcardCertificateAllowed(normalized)) {
      throw new UserError(`"${normalized}" is too broad for a wildcard certificate: browsers reject a wildcard directly under a top-level name.`, {
        hint: `Put at least two labels after "*.", e.g. *.preview${normalized.slice(1)}.`,
        code: 'EPKI_BAD_WILDCARD',
      });
    }
    if (!this.permits(normalized)) {
      const firstLabel = normalized.replace(/^\*\./, '').split(/[.:]/)[0] || 'app';
      throw new UserError(
        `Cannot issue a certificate for "${normalized}": the devtls CA only covers ${this.describeScope()}.`,
        {
          hint: isIpLiteral(normalized)
            ? 'Listen on a loopback address (127.0.0.1 or ::1), or use a host name such as app.localhost.'
            : `Use a name under one of those, e.g. ${firstLabel}.localhost.`,
          code: 'EPKI_NAME_NOT_PERMITTED',
        },
      );
    }
    return normalized;
  }
}

function permittedNamesFor(extra: readonly string[]): string[] {
  const names = [...DEFAULT_PERMITTED_NAMES];
  for (const raw of extra) {
    const name = normalizeHostName(raw);
    if (name === undefined || isIpLiteral(name) || isWildcardName(name)) {
      throw new UserError(`"${raw}" cannot be added to the CA's permitted names: it is not a plain DNS name.`, {
        hint: 'Give a domain such as myproject.example.com; it covers that name and all its subdomains.',
        code: 'EPKI_BAD_NAME',
      });
    }
    if (!name.includes('.') && !PRIVATE_TOP_LEVEL_NAMES.has(name)) {
      throw new UserError(`"${name}" is too broad to add to the CA: it would let the CA sign for every .${name} site.`, {
        hint: `Use a domain you control with at least two labels, e.g. myproject.${name}.`,
        code: 'EPKI_BAD_NAME',
      });
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
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

async function createRootCertificate(permittedNames: readonly string[]): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const notBefore = new Date(Math.floor((now - CLOCK_SKEW_MS) / 1000) * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const keyId = keyIdentifierFor(keys.publicKey);
  const ipRanges = DEFAULT_PERMITTED_IP_RANGES.map((text) => parseIpRange(text)).filter(
    (range): range is IpRange => range !== undefined,
  );
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
        {
          oid: NAME_CONSTRAINTS_OID,
          critical: true,
          value: encodeNameConstraints({ permittedDnsNames: permittedNames, permittedIpRanges: ipRanges }),
        },
      ],
    },
    keys.privateKey,
  );
  return {
    certPem: toPem(der, 'CERTIFICATE'),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** Another process may be between publishing its key and its certificate (microseconds
 * apart, unless the machine is very busy): give a freshly written key a moment. */
async function waitForCertificate(certPath: string, keyPath: string): Promise<void> {
  for (let waited = 0; waited < 2000; waited += 25) {
    if (await exists(certPath)) return;
    let keyAge: number;
    try {
      keyAge = Date.now() - (await stat(keyPath)).mtimeMs;
    } catch {
      return; // no key either: load() explains
    }
    if (keyAge > 10_000) return; // an old orphan, not a creation in progress
    await sleep(25);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw new UserError(`Cannot access ${path} (${errorCode(error) ?? 'error'}).`, {
      hint: 'Check that you own the devtls CA folder.',
      code: 'EPKI_ACCESS',
      cause: error,
    });
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read ${path} (${errorCode(error) ?? 'error'}).`, {
      hint: 'Check that you own the file and its folder.',
      code: 'EPKI_ACCESS',
      cause: error,
    });
  }
}

function fingerprint(der: Uint8Array): string {
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return hex.replace(/(..)(?!$)/g, '$1:');
}

function missingHalf(dir: string, certPath: string, keyPath: string, missing: 'certificate' | 'key'): UserError {
  const [present, absent] = missing === 'key' ? [certPath, keyPath] : [keyPath, certPath];
  return new UserError(`The devtls CA in ${dir} is incomplete: ${absent} is missing.`, {
    hint: `Restore ${absent} from a backup, or delete ${present} so a new CA is created (you will need to trust it again).`,
    code: 'EPKI_CA_INCOMPLETE',
  });
}

function damaged(certPath: string, keyPath: string, problem: string, cause: unknown): UserError {
  const subject = problem.includes('private key') ? keyPath : certPath;
  return new UserError(`The devtls CA file ${subject} ${problem}.`, {
    hint: `Restore it from a backup, or delete ${certPath} and ${keyPath} so a new CA is created (you will need to trust it again).`,
    code: 'EPKI_CA_DAMAGED',
    ...(cause === undefined ? {} : { cause }),
  });
}

function notDevtlsCa(certPath: string, keyPath: string, reason: string): UserError {
  return new UserError(`${certPath} is not a devtls CA: ${reason}.`, {
    hint: `Point DEVTLS_CA_DIR at another folder, or delete ${certPath} and ${keyPath} so devtls creates its own CA.`,
    code: 'EPKI_NOT_DEVTLS_CA',
  });
}
