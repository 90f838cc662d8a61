import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The path of dist/cli.js, the command line's entry point, seen from the module at
 * `moduleUrl`. That module is dist/cli.js itself (inside the bundle), a chunk of the bundle
 * in dist/chunks/ (code only some commands load), or tsc's own output, which tests import:
 * then `distFromModule` leads from its folder to dist/ (`.` or `..`).
 */
export function cliEntryPath(moduleUrl: string, distFromModule: string): string {
  const here = fileURLToPath(moduleUrl);
  if (basename(here) === 'cli.js') return here;
  const folder = dirname(here);
  if (basename(folder) === 'chunks') return join(folder, '..', 'cli.js');
  return join(folder, distFromModule, 'cli.js');
}
