/** Debian, Ubuntu and derivatives: /usr/local/share/ca-certificates/*.crt + update-ca-certificates. */
import { join } from 'node:path';
import { anchorDirectoryStore, isDirectory } from './anchor-directory.js';
import { DEBIAN } from './store-paths.js';
import type { TrustEnvironment, TrustStore } from './store-contract.js';

export async function detect(env: TrustEnvironment): Promise<TrustStore[]> {
  if (env.platform !== 'linux' || !(await isDirectory(join(env.root, DEBIAN.anchorsDir)))) return [];
  return [anchorDirectoryStore('Debian/Ubuntu', DEBIAN, env)];
}
