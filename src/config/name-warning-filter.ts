/**
 * Which host-name warnings are worth saying now: advice about a hosts-file line is left out
 * while the name already resolves to a loopback address (checked the way browsers, Node,
 * Python and wget resolve: getaddrinfo, through dns.lookup), and each warning is said once
 * per name, not again on every reload.
 */
import { lookup } from 'node:dns/promises';
import { ipVersion } from '../ip-version.js';
import type { ConfigWarning } from './validate-config.js';

/** Whether `name` resolves, and only to loopback addresses. */
export type LoopbackCheck = (name: string) => Promise<boolean>;

/** A lookup that takes longer counts as "does not resolve": a reload must not wait on DNS. */
const LOOKUP_TIMEOUT_MS = 1_000;

export const resolvesToLoopback: LoopbackCheck = async (name) => {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), LOOKUP_TIMEOUT_MS);
    timer.unref();
  });
  const resolved = lookup(name, { all: true, verbatim: true }).then(
    (addresses) => addresses.length > 0 && addresses.every(({ address }) => isLoopbackAddress(address)),
    () => false,
  );
  try {
    return await Promise.race([resolved, timedOut]);
  } finally {
    clearTimeout(timer);
  }
};

export function isLoopbackAddress(address: string): boolean {
  const version = ipVersion(address);
  if (version === 4) return address.startsWith('127.');
  if (version !== 6) return false;
  const lower = address.toLowerCase();
  return lower === '::1' || /^(0{0,4}:){0,7}:?0{0,3}1$/.test(lower) || /^::ffff:127\./.test(lower);
}

export class NameWarningFilter {
  private readonly said = new Set<string>();
  /** Names once seen resolving to loopback: not looked up again. */
  private readonly loopbackNames = new Set<string>();

  constructor(private readonly isLoopback: LoopbackCheck = resolvesToLoopback) {}

  /** The warnings to print now (others pass through as they are). Lookups run side by side. */
  async select(warnings: readonly ConfigWarning[]): Promise<ConfigWarning[]> {
    const shown = await Promise.all(warnings.map((warning) => this.shownForm(warning)));
    const selected: ConfigWarning[] = [];
    for (const warning of shown) {
      if (warning === undefined) continue;
      if (warning.host !== undefined) {
        const key = `${warning.host}\n${warning.message}`;
        if (this.said.has(key)) continue;
        this.said.add(key);
      }
      selected.push(warning);
    }
    return selected;
  }

  private async shownForm(warning: ConfigWarning): Promise<ConfigWarning | undefined> {
    const { host, ifLoopback } = warning;
    if (host === undefined || ifLoopback === undefined) return warning;
    if (!this.loopbackNames.has(host)) {
      // A name already warned about in this exact form needs no lookup to be left out.
      if (this.said.has(`${host}\n${warning.message}`)) return undefined;
      if (!(await this.isLoopback(host))) return warning;
      this.loopbackNames.add(host);
    }
    return ifLoopback.message === undefined ? undefined : { ...warning, message: ifLoopback.message };
  }
}
