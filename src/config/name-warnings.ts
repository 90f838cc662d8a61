/**
 * Advice about host names that load but may not behave as the user expects:
 * names that need a hosts-file entry, `.local` (mDNS), and real top-level domains.
 */
import { invocation } from '../invocation.js';

const SPECIAL_USE_TLDS = new Set(['localhost', 'test', 'internal', 'local', 'example', 'invalid']);
/** Whole top-level domains on the browsers' HSTS preload list (Google registry and others). */
const HSTS_PRELOADED_TLDS = new Set([
  'dev', 'app', 'page', 'new', 'day', 'foo', 'how', 'soy', 'meme', 'mov', 'zip', 'phd', 'prof', 'esq', 'nexus',
  'channel', 'chrome', 'dad', 'eat', 'fly', 'gle', 'google', 'ing', 'rsvp', 'youtube', 'android', 'bank', 'insurance',
]);

/**
 * What to say about `host`: `always` holds advice that stands whatever the name resolves to;
 * `untilResolved` is moot once the name resolves to a loopback address (the user added the
 * hosts-file line, or runs a local DNS). Undefined when the name is fine as it is.
 */
export interface HostNameAdvice {
  always: string[];
  untilResolved: string[];
}

export function hostNameAdvice(host: string): HostNameAdvice | undefined {
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (name === 'localhost' || name.endsWith('.localhost')) return undefined;

  const labels = name.split('.');
  const tld = labels.at(-1) ?? '';
  const homeArpa = name === 'home.arpa' || name.endsWith('.home.arpa');
  const always: string[] = [];
  const untilResolved: string[] = [];

  if (labels.length === 1 && !SPECIAL_USE_TLDS.has(tld)) {
    always.push(`"${name}" is a single-label name: browsers may treat it as a search instead of a site; prefer "${name}.localhost"`);
  } else if (!SPECIAL_USE_TLDS.has(tld) && !homeArpa) {
    const preload = HSTS_PRELOADED_TLDS.has(tld) ? ` and on the HSTS preload list (browsers force https for every .${tld} name)` : '';
    untilResolved.push(`.${tld} is a real top-level domain${preload}: without a hosts-file entry the browser resolves "${name}" on the public internet and may reach someone else's server; prefer a name under .localhost`);
  }
  if (tld === 'local') {
    always.push('.local is reserved for multicast DNS (Bonjour): lookups can take seconds on macOS before falling back; prefer .localhost or .test');
  }
  if (wildcard) {
    // A wildcard cannot be looked up, and no hosts file can cover it: always said.
    always.push(...untilResolved.splice(0));
    always.push(`browsers resolve only names under .localhost to 127.0.0.1 by themselves (other programs need setup even for those: ${invocation()} doctor), and hosts files cannot hold wildcards: add each name you use (127.0.0.1 something.${name}) to /etc/hosts, or use "*.${labels[0] ?? 'preview'}.localhost"`);
  } else {
    untilResolved.push(`browsers resolve only names under .localhost to 127.0.0.1 by themselves (other programs need setup even for those: ${invocation()} doctor): add "127.0.0.1 ${name}" (and "::1 ${name}") to /etc/hosts, or run ${invocation()} hosts --write (Windows: C:\\Windows\\System32\\drivers\\etc\\hosts)`);
  }
  return { always, untilResolved };
}

/**
 * One sentence (or a few) of advice for `host`, or undefined when it is fine as it is.
 * @param options.resolved the name already resolves to a loopback address: leave out what that settles
 */
export function hostNameWarning(host: string, options: { resolved?: boolean } = {}): string | undefined {
  const advice = hostNameAdvice(host);
  if (advice === undefined) return undefined;
  const reasons = options.resolved === true ? advice.always : [...advice.always, ...advice.untilResolved];
  return reasons.length === 0 ? undefined : `host "${host}": ${reasons.join('; ')}`;
}
