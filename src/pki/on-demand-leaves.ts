/**
 * Leaves issued at a TLS handshake for names that have no certificate on disk: a name the
 * CA may sign but no route names (a typo, a host not routed yet), or a host under a wildcard
 * whose certificate browsers would reject. They live in memory only, never on disk: at most
 * `capacity` of them (the least recently used is dropped first), signed at most
 * `ratePerSecond` (with a `burst`), so a flood of random names grows neither the disk nor
 * the memory. Each entry also holds what the caller builds from the leaf (a TLS context).
 */
import type { LeafCertificate } from './leaf-certificate.js';
import type { LeafCertificateStore } from './leaf-store.js';
import { TokenBucket } from './token-bucket.js';

export interface OnDemandLeavesOptions {
  /** Most leaves kept (default 128). */
  capacity?: number;
  /** Most new leaves signed per second, on average (default 20). */
  ratePerSecond?: number;
  /** Most signed at once after a quiet spell (default 40). */
  burst?: number;
  /** Clock in milliseconds, for tests (default performance.now). */
  now?: () => number;
}

export const DEFAULT_ON_DEMAND_CAPACITY = 128;
export const DEFAULT_ON_DEMAND_RATE_PER_SECOND = 20;
export const DEFAULT_ON_DEMAND_BURST = 40;

interface Entry<T> {
  leaf: LeafCertificate;
  value: T;
}

/** What `get` found: the value, and whether its leaf was signed by this call. */
export interface OnDemandResult<T> {
  value: T;
  issued: boolean;
}

export class OnDemandLeaves<T> {
  readonly capacity: number;
  readonly #store: LeafCertificateStore;
  readonly #build: (leaf: LeafCertificate) => T;
  readonly #bucket: TokenBucket;
  /** Map order is recency: the first key is the least recently used. */
  readonly #entries = new Map<string, Entry<T>>();
  readonly #pending = new Map<string, Promise<OnDemandResult<T> | undefined>>();

  constructor(store: LeafCertificateStore, build: (leaf: LeafCertificate) => T, options: OnDemandLeavesOptions = {}) {
    this.capacity = options.capacity ?? DEFAULT_ON_DEMAND_CAPACITY;
    if (!(Number.isInteger(this.capacity) && this.capacity >= 1)) throw new RangeError(`capacity must be a positive integer (got ${this.capacity})`);
    this.#store = store;
    this.#build = build;
    this.#bucket = new TokenBucket({
      ratePerSecond: options.ratePerSecond ?? DEFAULT_ON_DEMAND_RATE_PER_SECOND,
      burst: options.burst ?? DEFAULT_ON_DEMAND_BURST,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  /** How many leaves are held now (never more than `capacity`). */
  get size(): number {
    return this.#entries.size;
  }

  /** The value for `name` if a leaf is held and needs no renewal; no signing. */
  cached(name: string): T | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    if (this.#store.needsRenewal(entry.leaf)) {
      this.#entries.delete(name);
      return undefined;
    }
    this.#entries.delete(name);
    this.#entries.set(name, entry); // now the most recently used
    return entry.value;
  }

  /**
   * The value for `name` (a normalised host key), signing a leaf when none is held.
   * Undefined when the rate limit says not now (the caller falls back to its default).
   * Rejects with a UserError for a name the CA may not sign. Concurrent calls for one name
   * share one signing.
   */
  get(name: string): Promise<OnDemandResult<T> | undefined> {
    const cached = this.cached(name);
    if (cached !== undefined) return Promise.resolve({ value: cached, issued: false });
    const pending = this.#pending.get(name);
    if (pending !== undefined) return pending.then((result) => (result === undefined ? undefined : { value: result.value, issued: false }));
    if (!this.#bucket.take()) return Promise.resolve(undefined);
    const work = this.#store.issue(name).then(
      (leaf) => {
        this.#pending.delete(name);
        const value = this.#build(leaf);
        this.#entries.delete(name);
        this.#entries.set(name, { leaf, value });
        while (this.#entries.size > this.capacity) {
          const oldest = this.#entries.keys().next().value as string;
          this.#entries.delete(oldest);
        }
        return { value, issued: true };
      },
      (error: unknown) => {
        this.#pending.delete(name);
        throw error;
      },
    );
    this.#pending.set(name, work);
    return work;
  }
}
