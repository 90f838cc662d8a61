/**
 * The doctor's trust-store checks run against a devtls that is serving: every store found,
 * one handshake each to the certificate served for `host`, verified against that store alone.
 * The status page shows the result.
 */
import { resolve } from 'node:path';
import { invocation } from '../invocation.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { detectStores } from '../trust/all-stores.js';
import type { TrustEnvironment } from '../trust/store-contract.js';
import type { TrustedCa } from '../trust/trusted-ca.js';
import { warn, type DoctorCheck } from './check.js';
import { runningEndpoint } from './served-certificates.js';
import { checkTrustStore } from './trust-checks.js';

export interface ServingInstance {
  ca: TrustedCa;
  caDir: string;
  /** An address it serves HTTPS on, as the proxy reports it: `127.0.0.1:443` or `[::1]:443`. */
  address: string;
  /** A name it serves a certificate for. */
  host: string;
}

export async function checkStoresAgainst(env: TrustEnvironment, instance: ServingInstance): Promise<DoctorCheck[]> {
  const stores = await detectStores(env, 'all');
  if (stores.length === 0) return [warn('trust', 'no trust store found on this machine', `${invocation()} env (clients that take the CA from a variable)`)];
  const separator = instance.address.lastIndexOf(':');
  const address = instance.address.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const port = Number(instance.address.slice(separator + 1));
  // The fixes name --ca-dir only when this CA is not the one devtls uses by default.
  const flags = resolve(instance.caDir) === resolve(defaultCaDir()) ? {} : { caDir: instance.caDir };
  const context = { env, ca: instance.ca, endpoint: runningEndpoint(port, address), probes: [instance.host], flags, servedFix: `${invocation()} stop, then ${invocation()} up (a new certificate is issued)` };
  const checks: DoctorCheck[] = [];
  for (const store of stores) checks.push(await checkTrustStore(store, context));
  return checks;
}
