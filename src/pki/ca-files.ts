/**
 * The CA's two files on disk, `rootCA.pem` and `rootCA-key.pem`, in a private folder: the
 * folder's and key's permission rules, reading both halves with errors a person can act on,
 * and publishing a new pair so that one of several concurrent creators wins.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import {
  PRIVATE_DIR_MODE,
  assertDirNotWritableByOthers,
  assertPrivateKeyFile,
  ensurePrivateDir,
  errorCode,
  formatMode,
  tightenOwnDir,
  writeFileAtomic,
  writeFileExclusive,
} from './secure-files.js';

export const CA_CERT_FILE = 'rootCA.pem';
export const CA_KEY_FILE = 'rootCA-key.pem';

export interface CaPaths {
  dir: string;
  certPath: string;
  keyPath: string;
}

export function caPaths(dir: string): CaPaths {
  return { dir, certPath: join(dir, CA_CERT_FILE), keyPath: join(dir, CA_KEY_FILE) };
}

/**
 * Make sure the CA folder exists and is private. A new folder is created 0700. An existing
 * one other users can write to is refused (they could swap the CA files); one they can only
 * read or enter (0755, say) is set to 0700 when it is the user's own, and the returned notice
 * says so in one line. Returns the notices (none when nothing changed).
 */
export async function prepareCaDir(dir: string, options: { create: boolean }): Promise<string[]> {
  if (options.create && (await ensurePrivateDir(dir))) return [];
  await assertDirNotWritableByOthers(dir);
  const previousMode = await tightenOwnDir(dir);
  return previousMode === undefined
    ? []
    : [`The CA folder ${dir} was open to other users (mode ${formatMode(previousMode)}); devtls set it to ${formatMode(PRIVATE_DIR_MODE)}.`];
}

/** True when neither half of a CA is in the folder (a new CA may be created there). */
export async function caFilesAbsent(paths: CaPaths): Promise<boolean> {
  return !(await exists(paths.keyPath)) && !(await exists(paths.certPath));
}

/**
 * Publish a new CA: the key first, exclusively, so that of several processes creating a CA
 * at once exactly one wins; then its certificate. Returns false when another process's key
 * was already there (that CA is the one to use).
 */
export async function publishCaFiles(paths: CaPaths, files: { certPem: string; keyPem: string }): Promise<boolean> {
  if (!(await writeFileExclusive(paths.keyPath, files.keyPem, 0o600))) return false;
  await writeFileAtomic(paths.certPath, files.certPem, 0o644);
  return true;
}

/** Another process may be between publishing its key and its certificate (microseconds
 * apart, unless the machine is very busy): give a freshly written key a moment. */
export async function waitForCertificate(paths: CaPaths): Promise<void> {
  for (let waited = 0; waited < 2000; waited += 25) {
    if (await exists(paths.certPath)) return;
    let keyAge: number;
    try {
      keyAge = Date.now() - (await stat(paths.keyPath)).mtimeMs;
    } catch {
      return; // no key either: reading explains
    }
    if (keyAge > 10_000) return; // an old orphan, not a creation in progress
    await sleep(25);
  }
}

/**
 * Both halves as text, after the checks that come before trusting a key: both present, the
 * folder not writable by others (one they may only read is set to 0700, see prepareCaDir),
 * the key readable by its owner only. UserError otherwise.
 */
export async function readCaFiles(paths: CaPaths): Promise<{ certPem: string; keyPem: string; notices: string[] }> {
  const { dir, certPath, keyPath } = paths;
  const [hasCert, hasKey] = [await exists(certPath), await exists(keyPath)];
  if (!hasCert && !hasKey) {
    throw new UserError(`No devtls CA found in ${dir}.`, { hint: `The CA is created on first use: run ${invocation()} up or ${invocation()} ca to create it.`, code: 'EPKI_NO_CA' });
  }
  if (!hasCert) throw missingHalf(paths, 'certificate');
  if (!hasKey) throw missingHalf(paths, 'key');
  const notices = await prepareCaDir(dir, { create: false });
  await assertPrivateKeyFile(keyPath);
  return { certPem: await readText(certPath), keyPem: await readText(keyPath), notices };
}

/** A CA file that is there but unusable: which one, what is wrong, how to recover. */
export function damagedCaFile(paths: CaPaths, problem: string, cause: unknown): UserError {
  const subject = problem.includes('private key') ? paths.keyPath : paths.certPath;
  return new UserError(`The devtls CA file ${subject} ${problem}.`, {
    hint: `Restore it from a backup, or delete ${paths.certPath} and ${paths.keyPath} so a new CA is created (you will need to trust it again).`,
    code: 'EPKI_CA_DAMAGED',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A readable CA that devtls did not make (or that could sign for anything). */
export function notDevtlsCa(paths: CaPaths, reason: string): UserError {
  return new UserError(`${paths.certPath} is not a devtls CA: ${reason}.`, {
    hint: `Point DEVTLS_CA_DIR at another folder, or delete ${paths.certPath} and ${paths.keyPath} so devtls creates its own CA.`,
    code: 'EPKI_NOT_DEVTLS_CA',
  });
}

function missingHalf(paths: CaPaths, missing: 'certificate' | 'key'): UserError {
  const [present, absent] = missing === 'key' ? [paths.certPath, paths.keyPath] : [paths.keyPath, paths.certPath];
  return new UserError(`The devtls CA in ${paths.dir} is incomplete: ${absent} is missing.`, {
    hint: `Restore ${absent} from a backup, or delete ${present} so a new CA is created (you will need to trust it again).`,
    code: 'EPKI_CA_INCOMPLETE',
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw new UserError(`Cannot access ${path} (${errorCode(error) ?? 'error'}).`, {
      hint: 'Check that you own the devtls CA folder.',
      code: 'EPKI_ACCESS',
      cause: error,
    });
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read ${path} (${errorCode(error) ?? 'error'}).`, {
      hint: 'Check that you own the file and its folder.',
      code: 'EPKI_ACCESS',
      cause: error,
    });
  }
}
