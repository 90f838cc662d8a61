/**
 * Where the per-user root CA lives. One CA per user and machine, outside any project, so
 * every project shares the one certificate the user trusted once.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export const CA_DIR_ENV = 'DEVTLS_CA_DIR';

/**
 * `DEVTLS_CA_DIR` wins (resolved against the current folder if relative). Otherwise:
 * - Linux and others: `$XDG_DATA_HOME/devtls` (only if absolute, per the XDG spec), else `~/.local/share/devtls`
 * - macOS: `~/Library/Application Support/devtls`
 * - Windows: `%LOCALAPPDATA%\devtls`, else `~\AppData\Local\devtls`
 */
export function defaultCaDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const override = env[CA_DIR_ENV];
  if (override !== undefined && override.trim() !== '') return p.resolve(override);
  switch (platform) {
    case 'win32': {
      const localAppData = env['LOCALAPPDATA'];
      if (localAppData !== undefined && p.isAbsolute(localAppData)) return p.join(localAppData, 'devtls');
      return p.join(home, 'AppData', 'Local', 'devtls');
    }
    case 'darwin':
      return p.join(home, 'Library', 'Application Support', 'devtls');
    default: {
      const xdg = env['XDG_DATA_HOME'];
      if (xdg !== undefined && p.isAbsolute(xdg)) return p.join(xdg, 'devtls');
      return p.join(home, '.local', 'share', 'devtls');
    }
  }
}
