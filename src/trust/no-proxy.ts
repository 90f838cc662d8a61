/**
 * NO_PROXY for devtls's names: with HTTPS_PROXY/HTTP_PROXY/ALL_PROXY set, clients send
 * every request not covered by NO_PROXY to the proxy, devtls's names included. Matching
 * follows what curl, Python, Go, Node (undici) and wget share: an entry covers itself and
 * every name under it, a leading `.` or `*.` is dropped, `*` covers everything.
 */
export const PROXY_VARIABLES: readonly string[] = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

export function splitNoProxy(value: string | undefined): string[] {
  return (value ?? '').split(/[,\s]+/).map((entry) => entry.trim()).filter((entry) => entry !== '');
}

export function noProxyCovers(entries: readonly string[], host: string): boolean {
  const name = host.toLowerCase().replace(/^\*\./, '');
  return entries.some((raw) => {
    const entry = raw.toLowerCase().replace(/:\d+$/, '');
    if (entry === '*') return true;
    const base = entry.replace(/^\*?\./, '');
    return base !== '' && (name === base || name.endsWith(`.${base}`));
  });
}

/** The entries that cover the loopback addresses, localhost and every routed host. */
export function noProxyEntries(hosts: readonly string[]): string[] {
  const entries = ['localhost', '.localhost', '127.0.0.1', '::1'];
  for (const host of hosts) {
    const name = host.replace(/^\*\./, '.');
    if (!noProxyCovers(entries, host)) entries.push(name);
  }
  return entries;
}

/** The existing value with whatever entries it lacks appended (never replaced). */
export function mergedNoProxy(existing: readonly string[], wanted: readonly string[]): string {
  const present = new Set(existing.map((entry) => entry.toLowerCase()));
  return [...existing, ...wanted.filter((entry) => !present.has(entry.toLowerCase()))].join(',');
}

/** NO_PROXY and no_proxy (clients read one or the other), merged. */
export function currentNoProxy(env: NodeJS.ProcessEnv): string[] {
  return [...new Set([...splitNoProxy(env['NO_PROXY']), ...splitNoProxy(env['no_proxy'])])];
}
