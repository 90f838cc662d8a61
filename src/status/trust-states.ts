/**
 * Whether each trust store on this machine trusts the instance's CA, for the status page:
 * the doctor's own checks (a real handshake to the certificate the instance serves for
 * devtls.localhost, verified against that store alone). Run when the page or /api/status
 * asks and the last result is older than a few seconds, one run at a time.
 */
import type { DoctorCheck } from '../doctor/check.js';
import { invocation } from '../invocation.js';

export type TrustState = 'trusted' | 'not trusted' | 'unknown';

export interface StoreTrust {
  /** `system (Debian/Ubuntu)`, `nss ~/.pki/nssdb`. */
  store: string;
  state: TrustState;
  /** What the check found, in a line. */
  detail: string;
  /** The command that fixes it ('' when nothing needs fixing). */
  fix: string;
}

export interface TrustReport {
  stores: StoreTrust[];
  /** When the stores were last checked (ms since the epoch); 0 before the first check. */
  checkedAt: number;
}

/** A result younger than this is good enough for a page load: `devtls trust` shows on the next reload after it. */
const FRESH_MS = 5_000;

const STATE: Record<DoctorCheck['status'], TrustState> = { ok: 'trusted', fail: 'not trusted', warn: 'unknown' };

/** A doctor trust check as the page shows it (ids are `trust:LABEL`; a machine with no store gives `trust`). */
export function storeTrust(check: DoctorCheck): StoreTrust {
  const store = check.id.startsWith('trust:') ? check.id.slice('trust:'.length) : 'no store';
  const detail = check.message.startsWith(`${store}: `) ? check.message.slice(store.length + 2) : check.message;
  return { store, state: STATE[check.status], detail, fix: check.fix };
}

export class TrustStates {
  private report: TrustReport = { stores: [], checkedAt: 0 };
  private running: Promise<TrustReport> | undefined;
  private readonly check: () => Promise<DoctorCheck[]>;

  constructor(check: () => Promise<DoctorCheck[]>) {
    this.check = check;
  }

  /** The last report, checking again first when it is stale. A check that fails says so instead of failing the page. */
  fresh(now = Date.now()): Promise<TrustReport> {
    if (now - this.report.checkedAt <= FRESH_MS) return Promise.resolve(this.report);
    this.running ??= this.check()
      .then(
        (checks) => checks.map(storeTrust),
        (error: unknown) => [{ store: 'trust stores', state: 'unknown' as const, detail: `could not be checked: ${error instanceof Error ? error.message : String(error)}`, fix: `${invocation()} doctor` }],
      )
      .then((stores) => {
        this.report = { stores, checkedAt: Date.now() };
        this.running = undefined;
        return this.report;
      });
    return this.running;
  }
}
