/** The Host header without port, lower-cased; `[::1]:443` gives `::1`. Empty string when absent. */
export function hostWithoutPort(hostHeader: string | undefined): string {
  if (hostHeader === undefined || hostHeader === '') return '';
  let host = hostHeader;
  if (host.charCodeAt(0) === 91 /* [ */) {
    const end = host.indexOf(']');
    return end === -1 ? '' : host.slice(1, end).toLowerCase();
  }
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  if (host.endsWith('.')) host = host.slice(0, -1); // `app.localhost.` is the same name
  return host.toLowerCase();
}
