/** WSL: Linux tools trust Linux's stores, but a browser on the Windows side trusts the
 * Windows store. devtls says so and offers the Windows install through certutil.exe. */
import { assertSucceeded } from './command-runner.js';
import { WSL } from './store-paths.js';
import type { TrustEnvironment, TrustStore } from './store-contract.js';
import { windowsRootStore } from './windows-store.js';

/** WSL 1 and 2 kernels say "Microsoft" / "microsoft-standard-WSL2" in /proc/version. */
export function isWsl(procVersion: string): boolean {
  return /microsoft|wsl/i.test(procVersion);
}

export const WSL_NOTE =
  'This is WSL: Linux programs use the Linux stores, but browsers on the Windows side use the Windows store.';

/** The Windows user Root store, reached from WSL; only when running under WSL. */
export async function detect(env: TrustEnvironment): Promise<TrustStore[]> {
  if (env.platform !== 'linux' || !isWsl(env.procVersion)) return [];
  const certutil = (await env.runner.has(WSL.certutilOnPath)) ? WSL.certutilOnPath : WSL.certutilExe;
  return [
    windowsRootStore(env, {
      certutil,
      windowsPath: async (path) => {
        const argv = [WSL.wslpath, '-w', path];
        return assertSucceeded(argv, await env.runner.run(argv)).stdout.trim();
      },
      label: 'windows (user Root store, via WSL)',
      kind: 'windows',
    }),
  ];
}
