/** Arch Linux and Manjaro: p11-kit's `trust anchor --store` / `--remove`, which also
 * regenerates /etc/ssl/certs/ca-certificates.crt. */
import { join } from 'node:path';
import { bundlesHold, isDirectory } from './anchor-directory.js';
import { assertSucceeded } from './command-runner.js';
import { ARCH } from './store-paths.js';
import type { TrustEnvironment, TrustStore } from './store-contract.js';

export async function detect(env: TrustEnvironment): Promise<TrustStore[]> {
  if (env.platform !== 'linux' || !(await isDirectory(join(env.root, ARCH.trustSourceDir)))) return [];
  return [archStore(env)];
}

export function archStore(env: TrustEnvironment): TrustStore {
  const bundles = ARCH.bundles.map((bundle) => join(env.root, bundle));
  const store: TrustStore = {
    kind: 'system',
    label: 'system (Arch, p11-kit)',
    verifier: { kind: 'pem-bundle', bundles },
    adminSteps: (ca, action) => [`${ARCH.tool} anchor ${action === 'install' ? '--store' : '--remove'} ${ca.certPath}`],
    check: async (ca) => ({ trusted: (await bundlesHold(ca, bundles)) === true }),
    async install(ca) {
      if ((await store.check(ca)).trusted) return 'already trusted';
      const argv = [ARCH.tool, 'anchor', '--store', ca.certPath];
      assertSucceeded(argv, await env.runner.run(argv, { elevated: true }));
      return `ran ${argv.join(' ')}`;
    },
    async uninstall(ca) {
      if (!(await store.check(ca)).trusted) return 'was not installed';
      const argv = [ARCH.tool, 'anchor', '--remove', ca.certPath];
      assertSucceeded(argv, await env.runner.run(argv, { elevated: true }));
      return `ran ${argv.join(' ')}`;
    },
  };
  return store;
}
