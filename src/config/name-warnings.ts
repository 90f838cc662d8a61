/**
 * Advice about host names that load but may not behave as the user expects:
 * names that need a hosts-file entry, `.local` (mDNS), and real top-level domains.
 */
const SPECIAL_USE_TLDS = new Set(['localhost', 'test', 'internal', 'local', 'example', 'invalid']);
/** Whole top-level domains on the browsers' HSTS preload list (Google registry and others). */
const HSTS_PRELOADED_TLDS = new Set([
  'dev', 'app', 'page', 'new', 'day', 'foo', 'how', 'soy', 'meme', 'mov', 'zip', 'phd', 'prof', 'esq', 'nexus',
  'channel', 'chrome', 'dad', 'eat', 'fly', 'gle', 'google', 'ing', 'rsvp', 'youtube', 'android', 'bank', 'insurance',
]);

/** One sentence (or a few) of advice for `host`, or undefined when it is fine as it is. */
export function hostNameWarning(host: string): string | undefined {
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (name === 'localhost' || name.endsWith('.localhost')) return undefined;

  const labels = name.split('.');
  const tld = labels.at(-1) ?? '';
  const homeArpa = name === 'home.arpa' || name.endsWith('.home.arpa');
  const reasons: string[] = [];

  if (labels.length === 1 && !SPECIAL_USE_TLDS.has(tld)) {
    reasons.push(`"${name}" is a single-label name: browsers may treat it as a search instead of a site; prefer "${name}.localhost"`);
  } else if (!SPECIAL_USE_TLDS.has(tld) && !homeArpa) {
    const preload = HSTS_PRELOADED_TLDS.has(tld) ? ` and on the HSTS preload list (browsers force https for every .${tld} name)` : '';
    reasons.push(`.${tld} is a real top-level domain${preload}: without a hosts-file entry the browser resolves "${name}" on the public internet and may reach someone else's server; prefer a name under .localhost`);
  }
  if (tld === 'local') {
    reasons.push('.local is reserved for multicast DNS (Bonjour): lookups can take seconds on macOS before falling back; prefer .localhost or .test');
  }
  if (wildcard) {
    reasons.push(`browsers resolve only names under .localhost to 127.0.0.1 by themselves (other programs need setup even for those: devtls doctor), and hosts files cannot hold wildcards: add each name you use (127.0.0.1 something.${name}) to /etc/hosts, or use "*.${labels[0] ?? 'preview'}.localhost"`);
  } else {
    reasons.push(`browsers resolve only names under .localhost to 127.0.0.1 by themselves (other programs need setup even for those: devtls doctor): add "127.0.0.1 ${name}" (and "::1 ${name}") to /etc/hosts, or run devtls hosts --write (Windows: C:\\Windows\\System32\\drivers\\etc\\hosts)`);
  }
  return `host "${host}": ${reasons.join('; ')}`;
}
