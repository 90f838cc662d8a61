/**
 * The access log's way from the instance to each project's `up`: finished requests are
 * encoded into `requests` messages every ACCESS_LOG_ENCODE_MS and sent at most every
 * ACCESS_LOG_INTERVAL_MS (the first request after a quiet moment within ACCESS_LOG_FIRST_MS).
 *
 * - Sent rarely, because each batch wakes the `up` process that prints it, and at thousands
 *   of requests a second those wake-ups were most of the log's cost: sent every 5 ms it took
 *   9 % of the keep-alive throughput, every 50 ms 3.6–8.6 %, every 200 ms 0.4 % in the same
 *   hour (bench/access-log.mjs; BENCHMARKS.md has the runs since). A person sees no delay.
 * - Encoded often, because a finished request kept as an object for 200 ms outlives two
 *   young-generation collections and is promoted: one full collection per 5 s with the log
 *   on (`bench/gc-trace.mjs --h1 --access-log`). Encoded within ~20 ms, it dies young (none),
 *   and what waits is one string per batch.
 */
import type { RequestDone } from '../proxy/request-done.js';
import { accessBatches } from './access-rows.js';
import { encode } from './protocol.js';

const ACCESS_LOG_FIRST_MS = 10;
const ACCESS_LOG_ENCODE_MS = 20;
const ACCESS_LOG_INTERVAL_MS = 200;

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
