/** The certificate devtls serves for each routed host: how long it stays valid. */
import { invocation } from '../invocation.js';
import { devtlsCommand, fail, ok, warn, type DoctorCheck, type FixFlags } from './check.js';
import { servedCertificate } from './handshake.js';
import type { ServedEndpoint } from './served-certificates.js';

const DAY_MS = 86_400_000;

/** What fixes a wrong served certificate: the running devtls renews at start; a throwaway
 * server's are always fresh. */
export function servedCertificateFix(endpoint: ServedEndpoint): string {
  return endpoint.running
    ? `restart ${invocation()} up: it issues a fresh certificate for a host whose cached one has expired or lacks its name`
    : `run ${invocation()} doctor again`;
}

export async function checkServedCertificates(endpoint: ServedEndpoint, probes: readonly string[], now: Date, flags: FixFlags): Promise<DoctorCheck> {
  const id = 'served-certificate';
  if (probes.length === 0) return warn(id, 'no routed hosts in the config', devtlsCommand('init', flags, []));
  const expiries: { probe: string; notAfter: Date }[] = [];
  for (const probe of probes) {
    const served = await servedCertificate(endpoint, probe);
    if (!('validTo' in served)) {
      const fix = served.reason === 'unreachable' ? `start ${invocation()} up, or leave out --running-port to check with a throwaway server` : servedCertificateFix(endpoint);
      return fail(id, `${probe}: no certificate from ${endpoint.description} (${served.detail})`, fix);
    }
    expiries.push({ probe, notAfter: new Date(served.validTo) });
  }
  const expired = expiries.filter((entry) => entry.notAfter.getTime() <= now.getTime());
  if (expired.length > 0) {
    const list = expired.map((entry) => `${entry.probe} expired on ${entry.notAfter.toISOString().slice(0, 10)}`).join(', ');
    return fail(id, `certificate served by ${endpoint.description}: ${list}`, servedCertificateFix(endpoint));
  }
  const soonest = expiries.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));
  const days = Math.floor((soonest.notAfter.getTime() - now.getTime()) / DAY_MS);
  const message = `certificates served by ${endpoint.description} are valid for ${days} more days (${soonest.probe} until ${soonest.notAfter.toISOString().slice(0, 10)})`;
  return days < 7 ? warn(id, message, servedCertificateFix(endpoint)) : ok(id, message);
}
