/** macOS: `security add-trusted-cert` into the login keychain (no admin rights; macOS asks
 * for the user's password in a dialog), or the System keychain with admin rights. */
import { join } from 'node:path';
import { assertSucceeded } from './command-runner.js';
import { MACOS } from './store-paths.js';
import type { TrustEnvironment, TrustStore } from './store-contract.js';
import { normalizeHash, type TrustedCa } from './trusted-ca.js';

export type Keychain = 'login' | 'system';

export interface KeychainEntry {
  sha256: string | undefined;
  sha1: string | undefined;
  keychain: string | undefined;
}

/** Parse `security find-certificate -a -Z -c NAME [keychain]`: each certificate starts with
 * its hash lines (`SHA-256 hash:` on macOS 10.15+, always `SHA-1 hash:`). */
export function parseFindCertificate(output: string): KeychainEntry[] {
  const entries: KeychainEntry[] = [];
  let current: KeychainEntry | undefined;
  for (const line of output.split(/\r?\n/)) {
    const sha256 = /^SHA-256 hash:\s*([0-9A-Fa-f]+)/.exec(line);
    const sha1 = /^SHA-1 hash:\s*([0-9A-Fa-f]+)/.exec(line);
    if (sha256 !== null || (sha1 !== null && (current === undefined || current.sha1 !== undefined))) {
      current = { sha256: undefined, sha1: undefined, keychain: undefined };
      entries.push(current);
    }
    if (current === undefined) continue;
    if (sha256?.[1] !== undefined) current.sha256 = normalizeHash(sha256[1]);
    if (sha1?.[1] !== undefined) current.sha1 = normalizeHash(sha1[1]);
    const keychain = /^keychain:\s*"(.*)"/.exec(line);
    if (keychain?.[1] !== undefined) current.keychain = keychain[1];
  }
  return entries;
}

export function keychainPath(keychain: Keychain, home: string): string {
  return keychain === 'system' ? MACOS.systemKeychain : join(home, MACOS.loginKeychain);
}

/** The exact commands, for a keychain. Exported so tests can check them argument by argument. */
export function macosCommands(ca: TrustedCa, keychain: Keychain, home: string) {
  const path = keychainPath(keychain, home);
  const admin = keychain === 'system' ? ['-d'] : [];
  return {
    install: [MACOS.tool, 'add-trusted-cert', ...admin, '-r', 'trustRoot', '-k', path, ca.certPath],
    find: [MACOS.tool, 'find-certificate', '-a', '-Z', '-c', ca.commonName, path],
    verify: [MACOS.tool, 'verify-cert', '-c', ca.certPath, '-p', 'ssl', '-L'],
    removeTrust: [MACOS.tool, 'remove-trusted-cert', ...admin, ca.certPath],
    delete: [MACOS.tool, 'delete-certificate', '-Z', ca.sha1, path],
  };
}

export async function detect(env: TrustEnvironment, options: { keychain?: Keychain } = {}): Promise<TrustStore[]> {
  if (env.platform !== 'darwin') return [];
  return [macosKeychainStore(env, options.keychain ?? 'login')];
}

export function macosKeychainStore(env: TrustEnvironment, keychain: Keychain): TrustStore {
  const elevated = keychain === 'system';
  const present = async (ca: TrustedCa): Promise<boolean> => {
    const result = await env.runner.run(macosCommands(ca, keychain, env.home).find);
    return result.code === 0 && parseFindCertificate(result.stdout).some((entry) => entry.sha256 === ca.sha256 || entry.sha1 === ca.sha1);
  };
  const store: TrustStore = {
    kind: 'system',
    label: `macOS ${keychain} keychain`,
    adminSteps: (ca, action) => {
      if (!elevated) return [];
      const commands = macosCommands(ca, keychain, env.home);
      return (action === 'install' ? [commands.install] : [commands.removeTrust, commands.delete]).map((argv) => argv.join(' '));
    },
    async check(ca) {
      if (!(await present(ca))) return { trusted: false };
      const verify = await env.runner.run(macosCommands(ca, keychain, env.home).verify);
      return verify.code === 0 ? { trusted: true } : { trusted: false, note: 'in the keychain but not trusted for SSL' };
    },
    async install(ca) {
      if ((await store.check(ca)).trusted) return 'already trusted';
      const argv = macosCommands(ca, keychain, env.home).install;
      assertSucceeded(argv, await env.runner.run(argv, { elevated }));
      return `ran ${argv.join(' ')}`;
    },
    async uninstall(ca) {
      if (!(await present(ca))) return 'was not installed';
      const commands = macosCommands(ca, keychain, env.home);
      // Trust settings first (ignore "not found"), then the certificate itself.
      await env.runner.run(commands.removeTrust, { elevated });
      assertSucceeded(commands.delete, await env.runner.run(commands.delete, { elevated }));
      return `removed the certificate ${ca.sha1} from ${keychainPath(keychain, env.home)}`;
    },
  };
  return store;
}
