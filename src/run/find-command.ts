/** Whether COMMAND can be run, looked up on PATH the way a shell would (before anything is registered). */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export function findCommand(command: string, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (command.includes('/') || (process.platform === 'win32' && command.includes('\\'))) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    return runnable(path) ? path : undefined;
  }
  const extensions = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM').split(';').concat('') : [''];
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const extension of extensions) {
      const path = join(dir, command + extension);
      if (runnable(path)) return path;
    }
  }
  return undefined;
}

function runnable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
