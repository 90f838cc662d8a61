/** openSUSE and SLES: /etc/pki/trust/anchors + update-ca-certificates (openSUSE's own). */
import { join } from 'node:path';
import { anchorDirectoryStore, isDirectory } from './anchor-directory.js';
import { OPENSUSE } from './store-paths.js';
import type { TrustEnvironment, TrustStore } from './store-contract.js';

export async function detect(env: TrustEnvironment): Promise<TrustStore[]> {
  if (env.platform !== 'linux' || !(await isDirectory(join(env.root, OPENSUSE.anchorsDir)))) return [];
  return [anchorDirectoryStore('openSUSE', OPENSUSE, env)];
}
