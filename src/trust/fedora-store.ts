/** Fedora, RHEL, CentOS: /etc/pki/ca-trust/source/anchors + update-ca-trust extract. */
import { join } from 'node:path';
import { anchorDirectoryStore, isDirectory } from './anchor-directory.js';
import { FEDORA } from './store-paths.js';
import type { TrustEnvironment, TrustStore } from './store-contract.js';

export async function detect(env: TrustEnvironment): Promise<TrustStore[]> {
  if (env.platform !== 'linux' || !(await isDirectory(join(env.root, FEDORA.anchorsDir)))) return [];
  return [anchorDirectoryStore('Fedora/RHEL', FEDORA, env)];
}
