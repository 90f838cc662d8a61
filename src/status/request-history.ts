/**
 * The last requests the instance served, for the status page: a fixed ring (nothing grows)
 * and live subscribers (server-sent events), written once per tick however many requests
 * finished in it.
 */
import type { RequestDone } from '../proxy/request-done.js';
import type { AccessEntry } from '../instance/protocol.js';

export const HISTORY_SIZE = 200;

export interface RecentRequest extends AccessEntry {
  /** The project that served it (its config file), or `devtls` for an answer of its own. */
  source: string;
}

export function accessEntry(done: RequestDone, time: number): AccessEntry {
  return {
    time,
    method: done.method,
    host: done.host,
    path: done.path,
    status: done.status,
    bytes: done.bytes,
    ms: Math.round(done.ms),
    protocol: done.protocol,
    ...(done.websocket === undefined ? {} : { websocket: done.websocket }),
  };
}

export class RequestHistory {
  private readonly ring: (RequestDone | undefined)[] = new Array<RequestDone | undefined>(HISTORY_SIZE);
  private readonly times = new Float64Array(HISTORY_SIZE);
  private next = 0;
  private readonly subscribers = new Set<(entries: RecentRequest[]) => void>();
  private pending: RecentRequest[] = [];
  private flushScheduled = false;

  /** Kept as it came: turned into JSON only when someone looks. */
  record(done: RequestDone): void {
    const slot = this.next;
    this.ring[slot] = done;
    this.times[slot] = Date.now();
    this.next = (slot + 1) % HISTORY_SIZE;
    if (this.subscribers.size === 0) return;
    this.pending.push(recent(done, this.times[slot] as number));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Oldest first. */
  list(): RecentRequest[] {
    const out: RecentRequest[] = [];
    for (let i = 0; i < HISTORY_SIZE; i++) {
      const slot = (this.next + i) % HISTORY_SIZE;
      const done = this.ring[slot];
      if (done !== undefined) out.push(recent(done, this.times[slot] as number));
    }
    return out;
  }

  subscribe(listener: (entries: RecentRequest[]) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const entries = this.pending;
    this.pending = [];
    for (const listener of this.subscribers) listener(entries);
  };
}

function recent(done: RequestDone, time: number): RecentRequest {
  return { ...accessEntry(done, time), source: done.route?.source ?? 'devtls' };
}
