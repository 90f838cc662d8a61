/**
 * Which proxy.config.json `devtls up` uses when no --config is given: the nearest one in the
 * working folder or above it, so `devtls up` works from any subfolder of a project. The
 * search stops at the repository root (the first folder holding .git), so one project never
 * picks up another's file, or at the file system root.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { CONFIG_FILE_NAME } from './load-config.js';
import { invocation } from '../invocation.js';

export interface FoundConfig {
  /** Absolute path of the file. */
  absolute: string;
  /** The path relative to the starting folder (`proxy.config.json`, `../../proxy.config.json`). */
  relative: string;
  /** Whether it is in a folder above the starting one. */
  above: boolean;
}

/**
 * @param startDir where the search starts (the working directory)
 * @throws UserError (code ENOCONFIG) when no folder up to the stop holds one
 */
export async function findNearestConfig(startDir: string): Promise<FoundConfig> {
  const start = path.resolve(startDir);
  let folder = start;
  // Bounded by the depth of the path: each turn moves one folder up, and the root is its own parent.
  for (;;) {
    const candidate = path.join(folder, CONFIG_FILE_NAME);
    if (await exists(candidate)) {
      return { absolute: candidate, relative: path.relative(start, candidate), above: folder !== start };
    }
    const parent = path.dirname(folder);
    if ((await exists(path.join(folder, '.git'))) || parent === folder) {
      const where = folder === start ? start : `${start} or the folders above it up to ${folder}`;
      const stop = parent === folder ? '' : ' (the repository root)';
      throw new UserError(`no ${CONFIG_FILE_NAME} in ${where}${stop}`, {
        hint: `run \`${invocation()} init\` to write a starter file here, or pass --config PATH`,
        code: 'ENOCONFIG',
      });
    }
    folder = parent;
  }
}

/** Anything at the path counts, so that a folder or unreadable file there is reported by the read, not skipped. */
async function exists(candidate: string): Promise<boolean> {
  try {
    await stat(candidate);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}
