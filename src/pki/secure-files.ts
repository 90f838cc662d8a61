/**
 * Private folders (0700) and files (0600) that stay private whatever the umask, atomic
 * writes (temp file in the same folder + rename, so a crash never leaves half a key), and
 * the permission checks done before trusting a key. Mode checks are skipped on Windows,
 * where POSIX modes mean nothing.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, mkdir, open, rename, stat, unlink, copyFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

function checksModes(): boolean {
  return process.platform !== 'win32';
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/**
 * Create `dir` (and missing parents) as 0700, whatever the umask. With `tightenExisting`
 * an existing `dir` is also set to 0700 (for folders devtls owns outright, like `certs/`).
 * Returns true when `dir` was created by this call.
 */
export async function ensurePrivateDir(dir: string, options: { tightenExisting?: boolean } = {}): Promise<boolean> {
  const target = resolve(dir);
  try {
    const firstCreated = await mkdir(target, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (checksModes()) {
      if (firstCreated !== undefined) {
        // mkdir's mode is filtered by the umask: set every folder this call made explicitly.
        for (let d = target; ; d = dirname(d)) {
          await chmod(d, PRIVATE_DIR_MODE);
          if (d === resolve(firstCreated) || dirname(d) === d) break;
        }
      } else if (options.tightenExisting === true) {
        await chmod(target, PRIVATE_DIR_MODE);
      }
    }
    return firstCreated !== undefined;
  } catch (error) {
    throw new UserError(`Cannot create the private folder ${target} (${errorCode(error) ?? 'error'}).`, {
      hint: `Check that you own ${dirname(target)} (and ${target} if it exists) and can write to it.`,
      code: 'EPKI_DIR',
      cause: error,
    });
  }
}

/** Refuse a folder that group or others can write to: they could swap the CA files. */
export async function assertDirNotWritableByOthers(dir: string): Promise<void> {
  if (!checksModes()) return;
  const info = await stat(dir);
  if ((info.mode & 0o022) !== 0) {
    throw new UserError(
      `The folder ${dir} is writable by other users (mode ${formatMode(info.mode)}), so its keys cannot be trusted.`,
      { hint: `Run: chmod 700 ${shellQuote(dir)}`, code: 'EPKI_DIR_MODE' },
    );
  }
}

/**
 * Set the user's own folder to 0700 when group or others may read or enter it (a folder they
 * may write to is refused first, by assertDirNotWritableByOthers). Returns the mode it had
 * when it was changed, undefined when nothing changed (already private, someone else's
 * folder, or Windows).
 */
export async function tightenOwnDir(dir: string): Promise<number | undefined> {
  if (!checksModes()) return undefined;
  const info = await stat(dir);
  if ((info.mode & 0o077) === 0 || info.uid !== process.getuid?.()) return undefined;
  await chmod(dir, PRIVATE_DIR_MODE);
  return info.mode & 0o777;
}

/** Refuse a private key that group or others can read or write. */
export async function assertPrivateKeyFile(path: string): Promise<void> {
  if (!checksModes()) return;
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw new UserError(
      `The private key ${path} is accessible to other users (mode ${formatMode(info.mode)}); devtls refuses to use it.`,
      { hint: `Run: chmod 600 ${shellQuote(path)}`, code: 'EPKI_KEY_MODE' },
    );
  }
}

/** True when `path` exists and only its owner may read or write it (always true on Windows). */
export async function isPrivateFile(path: string): Promise<boolean> {
  if (!checksModes()) return true;
  const info = await stat(path);
  return (info.mode & 0o077) === 0;
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Write a new file with exactly `mode` (fchmod after open, so the umask cannot widen or
 * narrow it), flushed to disk. Fails with EEXIST if `path` exists. */
async function writeNewFile(path: string, data: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    if (checksModes()) await handle.chmod(mode);
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write `data` to `path` atomically: readers see the old content or the whole new one. */
export async function writeFileAtomic(path: string, data: string, mode: number = PRIVATE_FILE_MODE): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeNewFile(temp, data, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Write a complete file at `path` only if nothing is there yet; exactly one of several
 * concurrent callers (threads or processes) wins. Returns false when `path` already existed.
 * The content is written to a temp file first and then hard-linked into place (link(2)
 * fails with EEXIST instead of replacing), so `path` never holds a partial file.
 */
export async function writeFileExclusive(path: string, data: string, mode: number = PRIVATE_FILE_MODE): Promise<boolean> {
  const temp = tempPathFor(path);
  await writeNewFile(temp, data, mode);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    // File systems without hard links: an exclusive copy is still first-writer-wins.
    if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(errorCode(error) ?? '')) {
      try {
        await copyFile(temp, path, constants.COPYFILE_EXCL);
        if (checksModes()) await chmod(path, mode);
        return true;
      } catch (copyError) {
        if (errorCode(copyError) === 'EEXIST') return false;
        throw copyError;
      }
    }
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

export { errorCode };
