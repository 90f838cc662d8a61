/**
 * The access log's way from the instance to each project's `up`: finished requests are
 * encoded as they end (access-rows.ts) and sent at most every ACCESS_LOG_INTERVAL_MS, the
 * first request after a quiet moment within ACCESS_LOG_FIRST_MS.
 *
 * - Sent every 50 ms, not more often: each batch wakes the `up` process that prints it.
 *   The send interval does not move the throughput cost (every 20, 50, 100 and 200 ms:
 *   3.2–5.7 % in every case, the rounds' own spread), but it sets the keep-alive p99: the
 *   printing `up` takes the core for a whole batch, so 200 ms batches gave 5.0–5.3 ms, 100 ms
 *   4.4, 50 ms 2.9–3.3 and 20 ms 2.7–2.8, against 2.2–2.6 with `--quiet`
 *   (bench/access-log.mjs, BENCHMARKS.md). Every 20 ms made `up` itself work a little more
 *   per line (1.1–1.2 µs against 1.0).
 * - Encoded as numbers when each request ends, so no finished request is kept as an object
 *   until the send: kept 200 ms, they outlived young-generation collections and were
 *   promoted (one full collection per 5 s, `bench/gc-trace.mjs --h1 --access-log`).
 */
import type { RequestDone } from '../proxy/request-done.js';
import { AccessEncoder } from './access-rows.js';

const ACCESS_LOG_FIRST_MS = 10;
const ACCESS_LOG_INTERVAL_MS = 50;

export class AccessLogBatcher {
  /** Per connection that asked for an access log: what it has not been sent yet. */
  private readonly logs = new Map<number, AccessEncoder>();
  private scheduled = false;
  private sentAt = 0;
  private readonly send: (id: number, messages: string) => void;

  constructor(send: (id: number, messages: string) => void) {
    this.send = send;
  }

  get size(): number {
    return this.logs.size;
  }

  open(id: number): void {
    this.logs.set(id, new AccessEncoder());
  }

  close(id: number): void {
    this.logs.delete(id);
  }

  /** False when connection `id` asked for no access log. */
  add(id: number, done: RequestDone): boolean {
    const log = this.logs.get(id);
    if (log === undefined) return false;
    log.add(done);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(this.tick, Math.max(ACCESS_LOG_FIRST_MS, this.sentAt + ACCESS_LOG_INTERVAL_MS - Date.now()));
    }
    return true;
  }

  /**
   * Send connection `id` what it has not been sent yet, now: before any other message to it,
   * so its terminal prints requests and notices in the order they happened.
   */
  flush(id: number): void {
    const log = this.logs.get(id);
    if (log?.pending === true) this.send(id, log.take(Date.now()));
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    const now = Date.now();
    for (const [id, log] of this.logs) if (log.pending) this.send(id, log.take(now));
    this.sentAt = now;
  };
}
