/**
 * The leaf-certificate cache: memory first, then the project's certs/ folder (0700, keys
 * 0600; a certs/ folder it creates ignores itself in git), then a fresh issuance from the CA. Renews before expiry; one issuance per host key
 * however many TLS handshakes ask for it at once.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { normalizeHostName } from './host-names.js';
import { DEFAULT_LEAF_VALIDITY_DAYS, type LeafCertificate } from './leaf-certificate.js';
import { ensureLeafDir, leafFilePaths, writeLeafFiles } from './leaf-files.js';
import { isPrivateFile } from './secure-files.js';

export type { LeafCertificate } from './leaf-certificate.js';
export { fileStemForHostKey } from './leaf-files.js';

export const DEFAULT_RENEW_BEFORE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface LeafCertificateStoreOptions {
  /** Validity of newly issued leaves (default 90). */
  validityDays?: number;
  /** Renew a leaf this many days before it expires (default 30, must be below validityDays). */
  renewBeforeDays?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** The SANs a host key stands for: `localhost` also gets the loopback IPs. */
export function namesForHostKey(hostKey: string): string[] {
  return hostKey === 'localhost' ? ['localhost', '127.0.0.1', '::1'] : [hostKey];
}

export class LeafCertificateStore {
  readonly ca: CertificateAuthority;
  readonly dir: string;
  readonly validityDays: number;
  readonly renewBeforeDays: number;
  readonly #now: () => Date;
  readonly #renewBeforeMs: number;
  readonly #cached = new Map<string, LeafCertificate>();
  readonly #pending = new Map<string, Promise<LeafCertificate>>();
  #dirReady: Promise<void> | undefined;

  constructor(ca: CertificateAuthority, dir: string, options: LeafCertificateStoreOptions = {}) {
    this.ca = ca;
    this.dir = dir;
    this.validityDays = options.validityDays ?? DEFAULT_LEAF_VALIDITY_DAYS;
    this.renewBeforeDays = options.renewBeforeDays ?? DEFAULT_RENEW_BEFORE_DAYS;
    if (!(this.renewBeforeDays >= 0 && this.renewBeforeDays < this.validityDays)) {
      throw new UserError(
        `renewBeforeDays (${this.renewBeforeDays}) must be at least 0 and less than the validity (${this.validityDays} days).`,
        { hint: 'Lower renewBeforeDays or raise validityDays.', code: 'EPKI_VALIDITY' },
      );
    }
    this.#renewBeforeMs = this.renewBeforeDays * DAY_MS;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * The certificate for one host key: `app.localhost`, `*.preview.localhost` (a wildcard
   * SAN), or `localhost` (SANs localhost, 127.0.0.1, ::1). Memory first, then disk (kept only
   * if this CA signed it, it covers the names and it is outside the renewal window), else a
   * new one is issued and written. Concurrent calls for the same key share one issuance.
   * Throws UserError for a name the CA may not issue for.
   */
  get(hostKey: string): Promise<LeafCertificate> {
    const key = normalizeHostName(hostKey) ?? hostKey;
    const cached = this.#cached.get(key);
    if (cached !== undefined && !this.needsRenewal(cached)) return Promise.resolve(cached);
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const work = this.#loadOrIssue(key).then(
      (leaf) => {
        this.#cached.set(key, leaf);
        this.#pending.delete(key);
        return leaf;
      },
      (error: unknown) => {
        this.#pending.delete(key);
        throw error;
      },
    );
    this.#pending.set(key, work);
    return work;
  }

  /** The certificates in memory (issued or loaded since start), for the status page. */
  issued(): { hostKey: string; names: string[]; notAfter: Date }[] {
    return [...this.#cached].map(([hostKey, leaf]) => ({ hostKey, names: leaf.names, notAfter: leaf.notAfter }));
  }

  /** True when `leaf` must be replaced now: expired, inside the renewal window, or not yet
   * valid by this clock. Cheap enough for every TLS handshake. */
  needsRenewal(leaf: LeafCertificate): boolean {
    const now = this.#now().getTime();
    return now >= leaf.notAfter.getTime() - this.#renewBeforeMs || now < leaf.notBefore.getTime();
  }

  /** A new leaf for a host key with this store's validity, in memory only (nothing is
   * written). UserError for a name the CA may not issue for. */
  issue(hostKey: string): Promise<LeafCertificate> {
    return this.ca.issueLeafCertificate(namesForHostKey(hostKey), { validityDays: this.validityDays, now: this.#now() });
  }

  /** Paths of the cached files for a host key. */
  pathsFor(hostKey: string): { certPath: string; keyPath: string } {
    return leafFilePaths(this.dir, normalizeHostName(hostKey) ?? hostKey);
  }

  async #loadOrIssue(hostKey: string): Promise<LeafCertificate> {
    const names = namesForHostKey(hostKey);
    // A name the CA may not sign fails here, before any folder is made for it.
    for (const name of names) this.ca.policy.checkedName(name);
    this.#dirReady ??= ensureLeafDir(this.dir, { tightenExisting: true }).then(
      () => undefined,
      (error: unknown) => {
        this.#dirReady = undefined;
        throw error;
      },
    );
    await this.#dirReady;
    const { certPath, keyPath } = this.pathsFor(hostKey);
    const fromDisk = await this.#readFromDisk(certPath, keyPath, names);
    if (fromDisk !== undefined) return fromDisk;

    const leaf = await this.issue(hostKey);
    await writeLeafFiles({ certPath, keyPath }, leaf);
    return leaf;
  }

  async #readFromDisk(certPath: string, keyPath: string, names: readonly string[]): Promise<LeafCertificate | undefined> {
    let certPem: string;
    let keyPem: string;
    try {
      if (!(await isPrivateFile(keyPath))) return undefined; // someone else could read it: replace it
      [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    } catch {
      return undefined;
    }
    const leaf = await this.ca.readLeafCertificate(certPem, keyPem);
    if (leaf === undefined) return undefined;
    if (!names.every((name) => leaf.names.includes(name))) return undefined;
    if (this.needsRenewal(leaf)) return undefined;
    return leaf;
  }
}
