/** Windows: the current user's Root store through certutil (no admin rights; Windows asks
 * once in a dialog). Also used from WSL through certutil.exe. */
import { assertSucceeded } from './command-runner.js';
import { WINDOWS } from './store-paths.js';
import type { TrustEnvironment, TrustStore } from './store-contract.js';
import { normalizeHash, type TrustedCa } from './trusted-ca.js';

/** SHA-1 hashes in `certutil -user -store Root` output. Windows prints `Cert Hash(sha1): …`
 * (English) or a translation ending in `(sha1):`, with or without spaces between bytes. */
export function parseCertutilStore(output: string): string[] {
  const hashes: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = /\(sha1\)\s*:\s*([0-9a-fA-F ]{40,59})\s*$/.exec(line);
    if (match?.[1] !== undefined) hashes.push(normalizeHash(match[1]));
  }
  return hashes;
}

export interface WindowsStoreOptions {
  /** `certutil` on Windows, `certutil.exe` (or its /mnt/c path) from WSL. */
  certutil: string;
  /** The CA file as certutil sees it (a Windows path from WSL). */
  windowsPath: (linuxOrWindowsPath: string) => Promise<string>;
  label: string;
  kind: 'system' | 'windows';
}

export function windowsCommands(ca: TrustedCa, certutil: string, certFile: string) {
  return {
    install: [certutil, '-user', '-addstore', WINDOWS.store, certFile],
    list: [certutil, '-user', '-store', WINDOWS.store],
    remove: [certutil, '-user', '-delstore', WINDOWS.store, ca.sha1],
  };
}

export async function detect(env: TrustEnvironment): Promise<TrustStore[]> {
  if (env.platform !== 'win32') return [];
  return [windowsRootStore(env, { certutil: WINDOWS.tool, windowsPath: async (path) => path, label: 'Windows user Root store', kind: 'system' })];
}

export function windowsRootStore(env: TrustEnvironment, options: WindowsStoreOptions): TrustStore {
  const commands = async (ca: TrustedCa) => windowsCommands(ca, options.certutil, await options.windowsPath(ca.certPath));
  const store: TrustStore = {
    kind: options.kind,
    label: options.label,
    adminSteps: () => [],
    async check(ca) {
      const argv = (await commands(ca)).list;
      const result = assertSucceeded(argv, await env.runner.run(argv));
      return { trusted: parseCertutilStore(result.stdout).includes(ca.sha1) };
    },
    async install(ca) {
      if ((await store.check(ca)).trusted) return 'already trusted';
      const argv = (await commands(ca)).install;
      assertSucceeded(argv, await env.runner.run(argv));
      return `ran ${argv.join(' ')}`;
    },
    async uninstall(ca) {
      if (!(await store.check(ca)).trusted) return 'was not installed';
      const argv = (await commands(ca)).remove;
      assertSucceeded(argv, await env.runner.run(argv));
      return `ran ${argv.join(' ')}`;
    },
  };
  return store;
}
