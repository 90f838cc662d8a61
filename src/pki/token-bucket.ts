/**
 * A token bucket: at most `burst` actions at once, refilled at `ratePerSecond`. Bounds how
 * fast certificates are signed on demand, so a flood of TLS handshakes cannot keep the CPU
 * busy signing. Pure: the clock is passed in.
 */
export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Milliseconds from any fixed origin (default: performance.now). */
  now?: () => number;
}

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0 && options.burst >= 1)) {
      throw new RangeError(`a token bucket needs ratePerSecond > 0 and burst >= 1 (got ${options.ratePerSecond}, ${options.burst})`);
    }
    this.ratePerSecond = options.ratePerSecond;
    this.burst = options.burst;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.burst;
    this.#updatedAt = this.#now();
  }

  /** Take one token if there is one; false means "not now". */
  take(): boolean {
    const now = this.#now();
    // A clock that goes backwards (a test, a VM resume) adds nothing rather than removing tokens.
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSecond) / 1000);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
