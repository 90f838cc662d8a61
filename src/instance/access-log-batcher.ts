/**
 * The access log's way from the instance to each project's `up`: finished requests are
 * encoded into `requests` messages every ACCESS_LOG_ENCODE_MS and sent at most every
 * ACCESS_LOG_INTERVAL_MS (the first request after a quiet moment within ACCESS_LOG_FIRST_MS).
 *
 * - Sent every 50 ms, not more often: each batch wakes the `up` process that prints it.
 *   With the cheaper encoding, reading and printing of today, the send interval no longer
 *   moves the throughput cost (every 20, 50, 100 and 200 ms: 3.2–5.7 % in every case, the
 *   rounds' own spread), but it sets the keep-alive p99: the printing `up` takes the core
 *   for a whole batch, so 200 ms batches gave 5.0–5.3 ms, 100 ms 4.4, 50 ms 2.9–3.3 and
 *   20 ms 2.7–2.8, against 2.2–2.6 with `--quiet` (bench/access-log.mjs, BENCHMARKS.md).
 *   Every 20 ms made `up` itself work a little more per line (1.1–1.2 µs against 1.0).
 * - Encoded every 20 ms, because a finished request kept as an object longer outlives two
 *   young-generation collections and is promoted: kept 200 ms, one full collection per 5 s
 *   with the log on (`bench/gc-trace.mjs --h1 --access-log`). Encoded within ~20 ms, it
 *   dies young, and what waits is one string per encoding.
 */
import type { RequestDone } from '../proxy/request-done.js';
import { accessBatches } from './access-rows.js';
import { encode } from './protocol.js';

const ACCESS_LOG_FIRST_MS = 10;
const ACCESS_LOG_ENCODE_MS = 20;
const ACCESS_LOG_INTERVAL_MS = 50;

export class AccessLogBatcher {
  /** Per connection that asked for an access log: requests not yet encoded, and messages not yet sent. */
  private readonly logs = new Map<number, { queue: RequestDone[]; messages: string[] }>();
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
    this.logs.set(id, { queue: [], messages: [] });
  }

  close(id: number): void {
    this.logs.delete(id);
  }

  /** False when connection `id` asked for no access log. */
  add(id: number, done: RequestDone): boolean {
    const log = this.logs.get(id);
    if (log === undefined) return false;
    log.queue.push(done);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(this.tick, Date.now() - this.sentAt >= ACCESS_LOG_INTERVAL_MS ? ACCESS_LOG_FIRST_MS : ACCESS_LOG_ENCODE_MS);
    }
    return true;
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    const now = Date.now();
    const sending = now - this.sentAt >= ACCESS_LOG_INTERVAL_MS;
    let waiting = false;
    for (const [id, log] of this.logs) {
      if (log.queue.length > 0) {
        for (const rows of accessBatches(log.queue)) log.messages.push(encode({ type: 'requests', time: now, rows }));
        log.queue = [];
      }
      if (log.messages.length === 0) continue;
      if (sending) {
        this.send(id, log.messages.join(''));
        log.messages = [];
      } else waiting = true;
    }
    if (sending) this.sentAt = now;
    if (waiting && !this.scheduled) {
      this.scheduled = true;
      setTimeout(this.tick, Math.min(ACCESS_LOG_ENCODE_MS, this.sentAt + ACCESS_LOG_INTERVAL_MS - now));
    }
  };
}
