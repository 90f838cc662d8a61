/** The shared mechanics of Linux system stores that read an anchors folder (Debian/Ubuntu,
 * Fedora/RHEL, openSUSE): copy the CA in as a file named after its fingerprint, regenerate
 * the bundles, and read the bundles back to check. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertSucceeded } from './command-runner.js';
import type { AnchorDirectoryPaths } from './store-paths.js';
import type { CheckResult, TrustEnvironment, TrustStore } from './store-contract.js';
import { pemFingerprints, type TrustedCa } from './trusted-ca.js';

export function anchorFileName(ca: TrustedCa, paths: AnchorDirectoryPaths): string {
  return `${ca.storeName}${paths.extension}`;
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether any of these bundles holds the CA, or undefined when none of them exists. */
export async function bundlesHold(ca: TrustedCa, bundles: readonly string[]): Promise<boolean | undefined> {
  let seen = false;
  for (const bundle of bundles) {
    const text = await readOptional(bundle);
    if (text === undefined) continue;
    seen = true;
    if (pemFingerprints(text).includes(ca.sha256)) return true;
  }
  return seen ? false : undefined;
}

export function anchorDirectoryStore(name: string, paths: AnchorDirectoryPaths, env: TrustEnvironment): TrustStore {
  const anchorsDir = join(env.root, paths.anchorsDir);
  const bundles = paths.bundles.map((bundle) => join(env.root, bundle));
  const target = (ca: TrustedCa): string => join(anchorsDir, anchorFileName(ca, paths));

  /** Our file, plus any other single-certificate file holding exactly this CA (e.g. the
   * `devtls.crt` older instructions told people to create): never a file with another CA. */
  async function ourFiles(ca: TrustedCa): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(anchorsDir);
    } catch {
      return [];
    }
    const found: string[] = [];
    for (const entry of names.sort()) {
      const path = join(anchorsDir, entry);
      if (entry === anchorFileName(ca, paths)) {
        found.push(path);
        continue;
      }
      if (!entry.endsWith(paths.extension)) continue;
      const text = await readOptional(path);
      const prints = text === undefined ? [] : pemFingerprints(text);
      if (prints.length === 1 && prints[0] === ca.sha256) found.push(path);
    }
    return found;
  }

  const store: TrustStore = {
    kind: 'system',
    label: `system (${name})`,
    verifier: { kind: 'pem-bundle', bundles },
    adminSteps: (ca, action) =>
      action === 'install'
        ? [`install -m 0644 ${ca.certPath} ${target(ca)}`, paths.refresh.join(' ')]
        : [`rm -f ${target(ca)}`, paths.refreshAfterRemoval.join(' ')],
    async check(ca): Promise<CheckResult> {
      const inBundle = await bundlesHold(ca, bundles);
      const files = await ourFiles(ca);
      if (inBundle === true) return { trusted: true };
      if (files.length > 0) return { trusted: false, note: `${files.join(', ')} is present but the bundle was not regenerated (${paths.refresh.join(' ')})` };
      if (inBundle === undefined) return { trusted: false, note: `no bundle found (${bundles.join(', ')})` };
      return { trusted: false };
    },
    async install(ca) {
      if ((await store.check(ca)).trusted && (await ourFiles(ca)).length > 0) return 'already trusted';
      const copy = ['install', '-m', '0644', ca.certPath, target(ca)];
      assertSucceeded(copy, await env.runner.run(copy, { elevated: true }));
      assertSucceeded(paths.refresh, await env.runner.run(paths.refresh, { elevated: true }));
      return `added ${target(ca)} and ran ${paths.refresh.join(' ')}`;
    },
    async uninstall(ca) {
      const files = await ourFiles(ca);
      if (files.length === 0) return 'was not installed';
      const remove = ['rm', '-f', ...files];
      assertSucceeded(remove, await env.runner.run(remove, { elevated: true }));
      assertSucceeded(paths.refreshAfterRemoval, await env.runner.run(paths.refreshAfterRemoval, { elevated: true }));
      return `removed ${files.join(', ')} and ran ${paths.refreshAfterRemoval.join(' ')}`;
    },
  };
  return store;
}
