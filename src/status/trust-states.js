/** A result younger than this is good enough for a page load: `devtls trust` shows on the next reload after it. */
const FRESH_MS = 5_000;
const STATE = { ok: 'trusted', fail: 'not trusted', warn: 'unknown' };
/** A doctor trust check as the page shows it (ids are `trust:LABEL`; a machine with no store gives `trust`). */
export function storeTrust(check) {
    const store = check.id.startsWith('trust:') ? check.id.slice('trust:'.length) : 'no store';
    const detail = check.message.startsWith(`${store}: `) ? check.message.slice(store.length + 2) : check.message;
    return { store, state: STATE[check.status], detail, fix: check.fix };
}
export class TrustStates {
    report = { stores: [], checkedAt: 0 };
    running;
    check;
    constructor(check) {
        this.check = check;
    }
    /** The last report, checking again first when it is stale. A check that fails says so instead of failing the page. */
    fresh(now = Date.now()) {
        if (now - this.report.checkedAt <= FRESH_MS)
            return Promise.resolve(this.report);
        this.running ??= this.check()
            .then((checks) => checks.map(storeTrust), (error) => [{ store: 'trust stores', state: 'unknown', detail: `could not be checked: ${error instanceof Error ? error.message : String(error)}`, fix: 'devtls doctor' }])
            .then((stores) => {
            this.report = { stores, checkedAt: Date.now() };
            this.running = undefined;
            return this.report;
        });
        return this.running;
    }
}
//# sourceMappingURL=trust-states.js.map