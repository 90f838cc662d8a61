/**
 * Whether each dev server answers: a plain TCP connect, at most one in flight per target,
 * each bounded by a short timeout. It runs only while someone watches the status page, and
 * once more (when the last result is stale) when the page or /api/status is asked for.
 */
import { connect } from 'node:net';

export type TargetState = 'up' | 'refusing' | 'timing out' | 'unknown';

export interface TargetHealth {
  /** `http://127.0.0.1:8080` */
  origin: string;
  state: TargetState;
  /** When it was last checked (ms since the epoch); 0 before the first check. */
  checkedAt: number;
  /** How long the last successful connect took, in ms. */
  answerMs: number | null;
}

export interface CheckTarget {
  origin: string;
  hostname: string;
  port: number;
}

const CONNECT_TIMEOUT_MS = 1_000;
const INTERVAL_MS = 5_000;
/** A result younger than this is good enough for a page load. */
const FRESH_MS = 2_000;
/** More distinct targets than any real machine has: the rest are not checked. */
const MAX_TARGETS = 100;

export class TargetChecks {
  private readonly results = new Map<string, TargetHealth>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly targets: () => CheckTarget[];

  constructor(targets: () => CheckTarget[]) {
    this.targets = targets;
  }

  /** Every current target's last result, checking again first where it is stale. */
  async fresh(): Promise<TargetHealth[]> {
    const now = Date.now();
    const current = this.current();
    await Promise.all(current.filter((target) => now - (this.results.get(target.origin)?.checkedAt ?? 0) > FRESH_MS).map((target) => this.check(target)));
    return this.snapshot(current);
  }

  snapshot(current = this.current()): TargetHealth[] {
    return current.map((target) => this.results.get(target.origin) ?? { origin: target.origin, state: 'unknown', checkedAt: 0, answerMs: null });
  }

  /** Check every few seconds while `watching` is true (someone has the page open). */
  setWatching(watching: boolean, onResults?: () => void): void {
    if (!watching) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.fresh().then(() => onResults?.()), INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    this.setWatching(false);
  }

  private current(): CheckTarget[] {
    const seen = new Map<string, CheckTarget>();
    for (const target of this.targets()) if (seen.size < MAX_TARGETS && !seen.has(target.origin)) seen.set(target.origin, target);
    for (const origin of this.results.keys()) if (!seen.has(origin)) this.results.delete(origin);
    return [...seen.values()];
  }

  private check(target: CheckTarget): Promise<void> {
    const running = this.inFlight.get(target.origin);
    if (running !== undefined) return running;
    const work = new Promise<void>((resolve) => {
      const started = performance.now();
      const socket = connect({ host: target.hostname, port: target.port });
      const done = (state: TargetState): void => {
        socket.destroy();
        this.results.set(target.origin, { origin: target.origin, state, checkedAt: Date.now(), answerMs: state === 'up' ? Math.round((performance.now() - started) * 10) / 10 : null });
        this.inFlight.delete(target.origin);
        resolve();
      };
      socket.setTimeout(CONNECT_TIMEOUT_MS, () => done('timing out'));
      socket.once('connect', () => done('up'));
      socket.once('error', () => done('refusing'));
    });
    this.inFlight.set(target.origin, work);
    return work;
  }
}
