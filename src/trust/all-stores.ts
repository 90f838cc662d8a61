/** Which stores exist on this machine, and the three operations over a selection of them.
 * The CLI prints what these return; nothing here prints. */
import { isUserError } from '../errors.js';
import * as arch from './arch-store.js';
import * as debian from './debian-store.js';
import * as fedora from './fedora-store.js';
import * as macos from './macos-keychain.js';
import * as nss from './nss-store.js';
import * as opensuse from './opensuse-store.js';
import type { CheckResult, TrustEnvironment, TrustStore } from './store-contract.js';
import type { TrustedCa } from './trusted-ca.js';
import * as windows from './windows-store.js';
import * as wsl from './wsl.js';

export const STORE_SELECTIONS = ['all', 'system', 'nss', 'windows'] as const;
export type StoreSelection = (typeof STORE_SELECTIONS)[number];

export interface DetectOptions {
  /** Create Chromium's NSS database when none exists (explicit `--store nss`, or installing). */
  createNss?: boolean;
  keychain?: macos.Keychain;
}

/** The Linux system store: one per machine, the first layout found (a Fedora machine may
 * also have Debian-looking folders from packages, never the other way round). */
async function detectLinuxSystem(env: TrustEnvironment): Promise<TrustStore[]> {
  for (const module of [fedora, debian, arch, opensuse]) {
    const stores = await module.detect(env);
    if (stores.length > 0) return stores;
  }
  return [];
}

/**
 * The stores a selection covers on this machine. `all` is the system store and every NSS
 * database; the Windows store seen from WSL is only included when asked for (`windows`),
 * since it changes another operating system.
 */
export async function detectStores(env: TrustEnvironment, selection: StoreSelection, options: DetectOptions = {}): Promise<TrustStore[]> {
  const stores: TrustStore[] = [];
  if (selection === 'all' || selection === 'system') {
    stores.push(...(await detectLinuxSystem(env)), ...(await macos.detect(env, options)), ...(await windows.detect(env)));
  }
  if (selection === 'all' || selection === 'nss') {
    stores.push(...(await nss.detect(env, { createIfMissing: options.createNss === true || selection === 'nss' })));
  }
  if (selection === 'windows') stores.push(...(await wsl.detect(env)), ...(await windows.detect(env)));
  return stores;
}

export interface StoreOutcome {
  store: TrustStore;
  /** What was done, or the check's answer. */
  ok: boolean;
  message: string;
  hint?: string;
}

function failure(store: TrustStore, error: unknown): StoreOutcome {
  if (!isUserError(error)) throw error;
  return { store, ok: false, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
}

export async function checkStores(ca: TrustedCa, stores: readonly TrustStore[]): Promise<StoreOutcome[]> {
  const outcomes: StoreOutcome[] = [];
  for (const store of stores) {
    try {
      const result: CheckResult = await store.check(ca);
      outcomes.push({ store, ok: result.trusted, message: `${result.trusted ? 'trusted' : 'not trusted'}${result.note === undefined ? '' : ` (${result.note})`}` });
    } catch (error) {
      outcomes.push(failure(store, error));
    }
  }
  return outcomes;
}

export async function applyToStores(ca: TrustedCa, stores: readonly TrustStore[], action: 'install' | 'uninstall'): Promise<StoreOutcome[]> {
  const outcomes: StoreOutcome[] = [];
  for (const store of stores) {
    try {
      outcomes.push({ store, ok: true, message: await (action === 'install' ? store.install(ca) : store.uninstall(ca)) });
    } catch (error) {
      outcomes.push(failure(store, error));
    }
  }
  return outcomes;
}

export interface TrustSummary {
  trustedBy: string[];
  notTrustedBy: string[];
}

/** For `devtls up`: every store `devtls trust` would use, checked (never elevates). */
export async function trustSummary(env: TrustEnvironment, ca: TrustedCa): Promise<TrustSummary> {
  const outcomes = await checkStores(ca, await detectStores(env, 'all'));
  return {
    trustedBy: outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.store.label),
    notTrustedBy: outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.store.label),
  };
}

export { isWsl, WSL_NOTE } from './wsl.js';
