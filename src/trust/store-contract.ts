/** What every trust store module provides: `detect` returns stores, each with the same
 * verbs (check, install, uninstall). */
import { homedir } from 'node:os';
import { readFile } from 'node:fs/promises';
import { isRunningAsRoot, systemRunner, type CommandRunner } from './command-runner.js';
import type { TrustedCa } from './trusted-ca.js';

export type StoreKind = 'system' | 'nss' | 'windows';

export interface CheckResult {
  trusted: boolean;
  /** Why, when it is worth saying (e.g. "file present, bundle not regenerated"). */
  note?: string;
}

/** How a client verifies a server against this store alone (what `devtls doctor` uses for
 * its handshakes): the PEM bundle(s) OpenSSL-based clients read, or an NSS database. */
export type StoreVerifier = { kind: 'pem-bundle'; bundles: readonly string[] } | { kind: 'nss-database'; dir: string };

export interface TrustStore {
  readonly kind: StoreKind;
  /** What the user sees: `system (Debian/Ubuntu)`, `nss ~/.pki/nssdb`, `firefox profile default`. */
  readonly label: string;
  /** Absent where no handshake can verify against the store alone (macOS, Windows). */
  readonly verifier?: StoreVerifier;
  /** The commands that need admin rights, to explain before running them (empty: none). */
  adminSteps(ca: TrustedCa, action: 'install' | 'uninstall'): string[];
  check(ca: TrustedCa): Promise<CheckResult>;
  /** Returns what was done, in a few words. */
  install(ca: TrustedCa): Promise<string>;
  uninstall(ca: TrustedCa): Promise<string>;
}

/** Everything a store module may look at: injected, so tests use a temp HOME, a fake
 * filesystem root, a recorded tool output or a fake /proc/version. */
export interface TrustEnvironment {
  platform: NodeJS.Platform;
  home: string;
  /** Filesystem root system paths are joined to: `/`, or a fake tree in tests. */
  root: string;
  isRoot: boolean;
  /** Contents of /proc/version ('' when absent). */
  procVersion: string;
  runner: CommandRunner;
}

/** This machine, with the real command runner unless one is given. */
export async function currentEnvironment(runner?: CommandRunner): Promise<TrustEnvironment> {
  const isRoot = isRunningAsRoot();
  let procVersion = '';
  try {
    procVersion = await readFile('/proc/version', 'utf8');
  } catch {
    // Not Linux.
  }
  return {
    platform: process.platform,
    home: homedir(),
    root: '/',
    isRoot,
    procVersion,
    runner: runner ?? systemRunner({ isRoot }),
  };
}

/** `~/.pki/nssdb` for a path under HOME, the path itself otherwise. */
export function tildePath(path: string, home: string): string {
  return path === home ? '~' : path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}
