/**
 * Leaf certificates as files: their names (`HOST.pem` and `HOST-key.pem`), the private
 * folder they live in, and writing a pair. A folder devtls creates for them gets a
 * `.gitignore` that ignores everything, so `git add .` in a project never takes a key.
 */
import { join } from 'node:path';
import type { LeafCertificate } from './leaf-certificate.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir, writeFileAtomic } from './secure-files.js';

/** What devtls writes into a leaf folder it creates: ignore everything, itself included. */
export const LEAF_DIR_GITIGNORE = '# Written by devtls: private keys are never committed.\n*\n';

/** File-name stem for a host key: `app.localhost`, `_wildcard.preview.localhost`, `__1` for ::1.
 * Host names never contain `_`, so the mapping cannot collide. */
export function fileStemForHostKey(hostKey: string): string {
  return hostKey.replace(/^\*\./, '_wildcard.').replace(/[^a-z0-9.-]/g, '_');
}

/** Where the certificate and key for a (normalised) host key go in `dir`. */
export function leafFilePaths(dir: string, hostKey: string): { certPath: string; keyPath: string } {
  const stem = fileStemForHostKey(hostKey);
  return { certPath: join(dir, `${stem}.pem`), keyPath: join(dir, `${stem}-key.pem`) };
}

/**
 * Create `dir` as a private (0700) folder; with `tightenExisting` an existing one is set to
 * 0700 too. A folder this call creates gets the ignore-everything `.gitignore`; an existing
 * folder is the user's to manage (devtls's own repository keeps a README in its certs/).
 * Returns true when the folder was created.
 */
export async function ensureLeafDir(dir: string, options: { tightenExisting?: boolean } = {}): Promise<boolean> {
  const created = await ensurePrivateDir(dir, options);
  if (created) await writeFileAtomic(join(dir, '.gitignore'), LEAF_DIR_GITIGNORE, 0o644);
  return created;
}

/** Write a leaf's key (0600) then its certificate (0644). A reader pairing an old half with
 * a new one sees a key mismatch and re-issues, so no lock is needed between processes. */
export async function writeLeafFiles(paths: { certPath: string; keyPath: string }, leaf: LeafCertificate): Promise<void> {
  await writeFileAtomic(paths.keyPath, leaf.keyPem, PRIVATE_FILE_MODE);
  await writeFileAtomic(paths.certPath, leaf.certPem, 0o644);
}
