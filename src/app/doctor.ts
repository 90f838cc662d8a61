/**
 * `devtls doctor`: what a real client meets, checked the way it meets it. Read the routes,
 * check the CA, find what serves the certificates (the running devtls, else a throwaway
 * server), shake hands through each trust store alone, resolve each name as programs and
 * browsers do, try the ports, and read this shell's proxy and CA variables.
 */
import { request as httpRequest } from 'node:http';
import { isUserError } from '../errors.js';
import { readConfigFile, parseConfigBytes } from '../config/load-config.js';
import type { ProxyConfig } from '../config/types.js';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { currentResolverSystem, type ResolverSystem } from '../hosts/localhost-resolution.js';
import { probeName, resolverWithHostsFile, systemResolver, type Resolver } from '../hosts/name-resolution.js';
import { detectStores } from '../trust/all-stores.js';
import type { TrustEnvironment } from '../trust/store-contract.js';
import { trustedCa } from '../trust/trusted-ca.js';
import { checkCaFiles, loadCheckedCa } from '../doctor/ca-checks.js';
import { fail, warn, type DoctorCheck, type FixFlags } from '../doctor/check.js';
import { checkProxyVariables, checkRuntimeVariables } from '../doctor/environment-checks.js';
import { handshakeWithRoots } from '../doctor/handshake.js';
import { checkNames } from '../doctor/name-checks.js';
import { checkPort, type PortToCheck } from '../doctor/port-checks.js';
import { checkServedCertificates, servedCertificateFix } from '../doctor/served-certificate-check.js';
import { runningEndpoint, startThrowawayServer, type ServedEndpoint } from '../doctor/served-certificates.js';
import { checkTrustStore } from '../doctor/trust-checks.js';
import { invocation } from '../invocation.js';

export type { DoctorCheck } from '../doctor/check.js';

export interface DoctorOptions {
  configFile: string;
  caDir: string;
  /** The flags the user gave, repeated in the fixes. */
  flags: FixFlags;
  trustEnv: TrustEnvironment;
  /** The port a running devtls serves HTTPS on; when absent, the config's HTTPS port is
   * used if devtls answers there, else a throwaway server. */
  runningPort?: number;
  /** A hosts file read before the system resolver (instead of /etc/hosts, for tests). */
  hostsFile?: string;
  /** This shell's variables (default process.env). */
  env?: NodeJS.ProcessEnv;
  resolver?: Resolver;
  resolverSystem?: ResolverSystem;
  now?: Date;
}

export interface DoctorReport {
  /** False when any check failed (warnings allowed). */
  ok: boolean;
  checks: DoctorCheck[];
}

async function readRoutes(configFile: string): Promise<{ config: ProxyConfig | undefined; check: DoctorCheck | undefined }> {
  try {
    const { bytes, shownName, absolute } = await readConfigFile(configFile);
    return { config: parseConfigBytes(bytes, shownName, absolute).config, check: undefined };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { config: undefined, check: fail('config', error.message, error.hint ?? `fix the file, then run ${invocation()} doctor again`) };
  }
}

/** Whether devtls (with this CA) answers on a port: on HTTPS, a handshake trusting only
 * the CA; on HTTP, the 308 to https for a routed name that devtls's redirect gives. */
function devtlsAnswers(ca: CertificateAuthority | undefined, probe: string | undefined, httpsPort: number): (port: PortToCheck) => Promise<boolean> {
  return async ({ port, role }) => {
    if (ca === undefined || probe === undefined) return false;
    if (role === 'HTTPS') return (await handshakeWithRoots(runningEndpoint(port), probe, ca.certPem)).ok;
    const location = await redirectLocation(port, probe);
    return location === `https://${probe}${httpsPort === 443 ? '' : `:${httpsPort}`}/`;
  };
}

function redirectLocation(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { host }, timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 308 ? response.headers.location : undefined);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
    request.end();
  });
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const now = options.now ?? new Date();
  const env = options.env ?? process.env;
  const { config, check: configCheck } = await readRoutes(options.configFile);
  const hosts = [...new Set((config?.routes ?? []).map((route) => route.host))];
  const probes = hosts.map(probeName);

  const caChecks = await checkCaFiles(options.caDir, options.flags);
  let ca: CertificateAuthority | undefined;
  if (!caChecks.some((check) => check.status === 'fail')) {
    const loaded = await loadCheckedCa(options.caDir, hosts, options.flags, now);
    caChecks.push(...loaded.checks);
    ca = loaded.ca;
  }
  const signable = ca === undefined ? [] : hosts.filter((host) => ca.permits(host));

  const ports: PortToCheck[] = [{ port: config?.httpsPort ?? 443, role: 'HTTPS' }];
  if (config?.httpPort !== false) ports.push({ port: config?.httpPort ?? 80, role: 'HTTP' });
  const portResults = [];
  for (const port of ports) portResults.push(await checkPort(port, devtlsAnswers(ca, probes[0], ports[0]?.port ?? 443)));
  const portChecks = portResults.map((result) => result.check);
  const runningOnConfigPort = portResults[0]?.boundByDevtls === true;

  const servedChecks: DoctorCheck[] = [];
  let endpoint: ServedEndpoint | undefined;
  if (options.runningPort !== undefined) endpoint = runningEndpoint(options.runningPort);
  else if (runningOnConfigPort && ports[0] !== undefined) endpoint = runningEndpoint(ports[0].port);
  else if (ca !== undefined && signable.length > 0) endpoint = await startThrowawayServer(ca, signable);
  try {
    const stores = await detectStores(options.trustEnv, 'all');
    if (stores.length === 0) servedChecks.push(warn('trust', 'no trust store found on this machine', `see ${invocation()} env for clients that take the CA from a variable`));
    if (endpoint === undefined || ca === undefined) {
      const why = ca === undefined ? 'the CA must load first (above)' : 'no routed host the CA may sign';
      for (const store of stores) servedChecks.push(warn(`trust:${store.label}`, `${store.label}: not checked: ${why}`, ''));
    } else {
      const served = probes.filter((_, index) => ca.permits(hosts[index] ?? ''));
      servedChecks.push(await checkServedCertificates(endpoint, served, now, options.flags));
      const context = { env: options.trustEnv, ca: trustedCa(ca), endpoint, probes: served, flags: options.flags, servedFix: servedCertificateFix(endpoint) };
      for (const store of stores) servedChecks.push(await checkTrustStore(store, context));
    }
  } finally {
    await endpoint?.close();
  }

  const resolver = options.resolver ?? (options.hostsFile === undefined ? systemResolver : resolverWithHostsFile(options.hostsFile));
  const nameChecks = await checkNames(hosts, resolver, options.resolverSystem ?? (await currentResolverSystem()), options.flags);
  const checks = [
    ...(configCheck === undefined ? [] : [configCheck]),
    ...caChecks,
    ...servedChecks,
    ...nameChecks,
    ...portChecks,
    checkProxyVariables(env, hosts),
    ...(await checkRuntimeVariables(env, ca === undefined ? undefined : trustedCa(ca), options.flags)),
  ];
  return { ok: !checks.some((check) => check.status === 'fail'), checks };
}
