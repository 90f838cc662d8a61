/**
 * How many response bytes devtls may keep queued for browsers beyond what each response's
 * own buffer holds (16 KiB) before it pauses the read from the dev server. Without it, a large
 * body paused and resumed that read at every 64 KiB chunk, and each pause and resume costs
 * the instance JavaScript and two system calls. A response may borrow up to
 * `perResponseBytes`, and all responses together `totalBytes`: a browser that reads slowly,
 * or not at all, holds at most that much, then backpressure works as before.
 * BENCHMARKS.md ("Response backpressure with room") has the measurements.
 */
export class RelayAllowance {
  private lent = 0;

  constructor(
    readonly totalBytes: number,
    readonly perResponseBytes: number,
  ) {}

  /**
   * A response whose buffer reports full, with `queued` bytes waiting in it, asks to take
   * `bytes` more without pausing: granted (and counted) or refused.
   */
  lend(queued: number, bytes: number): boolean {
    if (queued > this.perResponseBytes || this.lent + bytes > this.totalBytes) return false;
    this.lent += bytes;
    return true;
  }

  giveBack(bytes: number): void {
    this.lent -= bytes;
  }

  /** Bytes lent and not yet given back. */
  get lentBytes(): number {
    return this.lent;
  }
}

/** The allowance every forwarded response shares: 1 MiB each, 32 MiB in all. */
export const RELAY_ALLOWANCE_TOTAL = 32 * 1024 * 1024;
export const RELAY_ALLOWANCE_PER_RESPONSE = 1024 * 1024;
