/**
 * Where the shared instance keeps its control socket, pid file and log: one folder per
 * user that no other user can read, write or have created first (a shared /tmp path that
 * another user could create is how a peer tool got a privilege escalation).
 */
import { lstat, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';

export const STATE_DIR_ENV = 'DEVTLS_STATE_DIR';

/**
 * `DEVTLS_STATE_DIR` wins. Otherwise `$XDG_RUNTIME_DIR/devtls` on Linux (a per-user tmpfs the
 * system creates 0700), else `$XDG_STATE_HOME/devtls` or `~/.local/state/devtls`; macOS
 * `~/Library/Application Support/devtls/run`; Windows `%LOCALAPPDATA%\devtls\run`.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const override = env[STATE_DIR_ENV];
  if (override !== undefined && override.trim() !== '') return p.resolve(override);
  switch (platform) {
    case 'win32':
      return p.join(env['LOCALAPPDATA'] ?? p.join(home, 'AppData', 'Local'), 'devtls', 'run');
    case 'darwin':
      return p.join(home, 'Library', 'Application Support', 'devtls', 'run');
    default: {
      const runtime = env['XDG_RUNTIME_DIR'];
      if (runtime !== undefined && p.isAbsolute(runtime)) return p.join(runtime, 'devtls');
      const state = env['XDG_STATE_HOME'];
      return p.join(state !== undefined && p.isAbsolute(state) ? state : p.join(home, '.local', 'state'), 'devtls');
    }
  }
}

/** The files in the state folder. */
export interface StatePaths {
  dir: string;
  /** The control socket (a named pipe on Windows). */
  socket: string;
  /** `{ pid, httpsPort, httpPort, caDir }` of the running instance, written atomically. */
  pidFile: string;
  log: string;
}

export function statePaths(dir: string, platform: NodeJS.Platform = process.platform): StatePaths {
  // Windows has no Unix sockets in folders: a named pipe per folder, named after its path.
  const socket = platform === 'win32' ? `\\\\.\\pipe\\devtls-${Buffer.from(dir).toString('base64url')}` : path.join(dir, 'control.sock');
  return { dir, socket, pidFile: path.join(dir, 'instance.json'), log: path.join(dir, 'instance.log') };
}

/**
 * Create the folder 0700 if it is missing; refuse one that is not a real folder of this
 * user's, or that other users can read or write.
 */
export async function secureStateDir(dir: string): Promise<StatePaths> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await assertPrivateFolder(dir);
  return statePaths(dir);
}

export async function assertPrivateFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const stats = await lstat(dir);
  if (!stats.isDirectory()) {
    throw new UserError(`devtls will not use ${dir} for its state: it is not a folder${stats.isSymbolicLink() ? ' (a symbolic link)' : ''}.`, {
      hint: `Remove it, or choose another folder with ${STATE_DIR_ENV}.`,
      code: 'ESTATEDIR',
    });
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new UserError(`devtls will not use ${dir} for its state: it belongs to another user (uid ${stats.uid}).`, {
      hint: `Each user runs their own devtls: unset ${STATE_DIR_ENV}, or point it at a folder of your own.`,
      code: 'ESTATEDIR',
    });
  }
  if ((stats.mode & 0o077) !== 0) {
    throw new UserError(`devtls will not use ${dir} for its state: other users may read or write it (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}).`, {
      hint: `Fix it with: chmod 700 ${JSON.stringify(dir)}`,
      code: 'ESTATEDIR',
    });
  }
}
