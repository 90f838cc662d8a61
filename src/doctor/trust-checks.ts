/**
 * Each trust store found, checked as its clients check: a TLS handshake to the certificate
 * devtls serves for every routed host, verifying against that store alone. A store that
 * cannot be verified that way (macOS keychain, Windows store) falls back to its own check.
 */
import { readFile, stat } from 'node:fs/promises';
import { isUserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { databaseSpec } from '../trust/nss-store.js';
import { CERTUTIL } from '../trust/store-paths.js';
import type { TrustEnvironment, TrustStore } from '../trust/store-contract.js';
import type { TrustedCa } from '../trust/trusted-ca.js';
import { devtlsCommand, fail, ok, warn, type DoctorCheck, type FixFlags } from './check.js';
import { handshakeWithNss, handshakeWithRoots, type HandshakeFailure, type HandshakeOutcome } from './handshake.js';
import type { ServedEndpoint } from './served-certificates.js';

const WHY: Record<HandshakeFailure, string> = {
  untrusted: 'the CA is not trusted',
  expired: 'the served certificate has expired',
  'not-yet-valid': 'the served certificate is not valid yet (check the clock)',
  'wrong-name': 'the served certificate does not name this host',
  unreachable: 'nothing answered',
  other: 'the handshake failed',
};

async function firstBundle(bundles: readonly string[]): Promise<{ path: string; text: string } | undefined> {
  for (const path of bundles) {
    try {
      return { path, text: await readFile(path, 'utf8') };
    } catch {
      // The next one.
    }
  }
  return undefined;
}

export interface TrustCheckContext {
  env: TrustEnvironment;
  ca: TrustedCa;
  endpoint: ServedEndpoint;
  /** Names to connect to, one per routed host (a sample name for a wildcard). */
  probes: readonly string[];
  flags: FixFlags;
  /** The fix when the served certificate itself is wrong (expired, wrong name). */
  servedFix: string;
}

function storeFix(store: TrustStore, context: TrustCheckContext): string {
  const selection = store.kind === 'nss' ? 'nss' : store.kind === 'windows' ? 'windows' : 'system';
  return devtlsCommand(`trust --store ${selection}`, context.flags, ['caDir']);
}

export async function checkTrustStore(store: TrustStore, context: TrustCheckContext): Promise<DoctorCheck> {
  const id = `trust:${store.label}`;
  const verifier = store.verifier;
  if (verifier === undefined) {
    try {
      const result = await store.check(context.ca);
      return result.trusted
        ? ok(id, `${store.label}: trusts the CA (the store's own check; no handshake through it on this platform)`)
        : fail(id, `${store.label}: does not trust the CA${result.note === undefined ? '' : ` (${result.note})`}`, storeFix(store, context));
    } catch (error) {
      if (!isUserError(error)) throw error;
      return warn(id, `${store.label}: could not be checked: ${error.message}`, error.hint ?? '');
    }
  }
  let verify: (probe: string) => Promise<HandshakeOutcome | undefined>;
  let via: string;
  if (verifier.kind === 'pem-bundle') {
    const bundle = await firstBundle(verifier.bundles);
    if (bundle === undefined) return fail(id, `${store.label}: no CA bundle found (${verifier.bundles.join(', ')})`, storeFix(store, context));
    verify = (probe) => handshakeWithRoots(context.endpoint, probe, bundle.text);
    via = `with only ${bundle.path} as roots`;
  } else {
    if (!(await stat(verifier.dir).then((s) => s.isDirectory(), () => false))) {
      return fail(id, `${store.label}: no NSS database yet`, storeFix(store, context));
    }
    const db = await databaseSpec(verifier.dir);
    verify = (probe) => handshakeWithNss(context.endpoint, probe, db, context.env.runner);
    via = 'through NSS with only this database';
  }
  const failures: { probe: string; reason: HandshakeFailure; detail: string }[] = [];
  for (const probe of context.probes) {
    const outcome = await verify(probe);
    if (outcome === undefined) return warn(id, `${store.label}: not checked: NSS tools (tstclnt, vfychain) are not installed`, CERTUTIL.install);
    if (!outcome.ok) failures.push({ probe, reason: outcome.reason, detail: outcome.detail });
  }
  if (failures.length === 0) {
    return ok(id, `${store.label}: TLS handshake verified ${via} for ${context.probes.join(', ') || 'no routed host'}`);
  }
  // One clause per distinct problem, naming the hosts it hit.
  const grouped = new Map<string, string[]>();
  for (const failure of failures) {
    const why = `${WHY[failure.reason]} (${failure.detail})`;
    grouped.set(why, [...(grouped.get(why) ?? []), failure.probe]);
  }
  const lines = [...grouped].map(([why, probes]) => `${probes.join(', ')}: ${why}`);
  const servedProblem = failures.every((failure) => failure.reason === 'expired' || failure.reason === 'wrong-name' || failure.reason === 'not-yet-valid');
  const fix = servedProblem ? context.servedFix : failures.some((failure) => failure.reason === 'unreachable') ? `start ${invocation()} up, then run ${invocation()} doctor again` : storeFix(store, context);
  return fail(id, `${store.label}: handshake ${via} failed for ${lines.join('; ')}`, fix);
}
