/**
 * The folder an export writes into. It remembers what it wrote in a small manifest, so a
 * second export may replace its own files but never anything else: a folder holding files
 * devtls export did not write is refused unless --force.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir, errorCode, writeFileAtomic } from '../pki/secure-files.js';

export const MANIFEST_FILE = '.devtls-export.json';

interface Manifest {
  /** Files written (relative, `/`-separated). */
  files: string[];
  /** Folders whose contents belong to the exported server (nginx's logs/ and temp/). */
  folders: string[];
}

export interface OutputFile {
  /** Relative to the folder, `/`-separated: `nginx.conf`, `certs/app.localhost-key.pem`. */
  name: string;
  text: string;
  /** 0o600 for private keys. */
  mode: number;
}

/** Files in `dir` (recursively, relative and `/`-separated) that the manifest does not account for. */
export async function foreignEntries(dir: string): Promise<string[]> {
  const manifest = await readManifest(dir);
  const owned = new Set(manifest.files);
  const foreign: string[] = [];
  for (const entry of await listFiles(dir)) {
    if (entry === MANIFEST_FILE || owned.has(entry)) continue;
    if (manifest.folders.some((folder) => entry.startsWith(`${folder}/`))) continue;
    foreign.push(entry);
  }
  return foreign;
}

/** Refuse (one-line UserError) a folder holding files this command did not write, unless `force`. */
export async function checkOutputFolder(dir: string, shownDir: string, force: boolean): Promise<void> {
  const foreign = await foreignEntries(dir).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return [];
    if (errorCode(error) === 'ENOTDIR') throw new UserError(`cannot export into ${shownDir}: it is a file`, { hint: 'pass a folder with --out', code: 'EEXPORT_OUT' });
    throw new UserError(`cannot read ${shownDir}: ${(error as Error).message}`, { code: 'EEXPORT_OUT', cause: error });
  });
  if (foreign.length > 0 && !force) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, … (${foreign.length} files)` : '');
    throw new UserError(`${shownDir} holds files devtls export did not write (${shown}); nothing was written`, {
      hint: 'choose another folder with --out, or pass --force to write over them',
      code: 'EEXPORT_OUT',
    });
  }
}

/**
 * Write `files` into `dir` (created if missing; a folder holding a private key is 0700), after
 * checkOutputFolder. Files of the same names are replaced; other files are left alone.
 */
export async function writeOutputFolder(dir: string, shownDir: string, files: readonly OutputFile[], folders: readonly string[], force: boolean): Promise<void> {
  await checkOutputFolder(dir, shownDir, force);
  const previous = await readManifest(dir).catch(() => ({ files: [], folders: [] }) as Manifest);
  try {
    await mkdir(dir, { recursive: true });
    for (const folder of folders) await mkdir(join(dir, folder), { recursive: true });
    for (const file of files) {
      const path = join(dir, ...file.name.split('/'));
      if (file.mode === PRIVATE_FILE_MODE) await ensurePrivateDir(dirname(path), { tightenExisting: true });
      else await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, file.text, file.mode);
    }
    const manifest: Manifest = {
      files: [...new Set([...previous.files, ...files.map((file) => file.name)])].sort(),
      folders: [...new Set([...previous.folders, ...folders])].sort(),
    };
    await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write into ${shownDir}: ${(error as Error).message}`, { hint: 'check that you can write to that folder', code: 'EEXPORT_OUT', cause: error });
  }
}

async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      await readdir(dir); // ENOENT / ENOTDIR for the folder itself reach the caller
      return { files: [], folders: [] };
    }
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Manifest>;
    return {
      files: Array.isArray(parsed.files) ? parsed.files.filter((name): name is string => typeof name === 'string') : [],
      folders: Array.isArray(parsed.folders) ? parsed.folders.filter((name): name is string => typeof name === 'string') : [],
    };
  } catch {
    return { files: [], folders: [] };
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(dir, join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)).split(sep).join('/'));
}
