import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** devtls's own version, from its package.json (found upward from this module, bundled or not). */
export function devtlsVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'devtls' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return (cached = 'unknown');
}
