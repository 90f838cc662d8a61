import { createRequire } from 'node:module';
import type { Client as UndiciClient, Pool as UndiciPool } from 'undici';

/**
 * undici's Pool and Client without the rest of the package: `import 'undici'` also loads
 * fetch, WebSocket, caches, mocks and interceptors, about 55 ms of start-up and 9 MiB of
 * memory devtls never uses (devtls only calls `dispatch`, which these classes carry
 * themselves). If a future undici moves these files, the whole package is loaded instead.
 */
const require = createRequire(import.meta.url);

/** Where the classes came from: a test fails when the internal modules stop resolving. */
export const undiciPartsLoadedFrom: { Pool?: 'internal module' | 'whole package'; Client?: 'internal module' | 'whole package' } = {};

function load<T>(file: string, name: 'Pool' | 'Client'): T {
  try {
    const loaded = require(`undici/lib/dispatcher/${file}.js`) as unknown;
    if (typeof loaded === 'function') {
      undiciPartsLoadedFrom[name] = 'internal module';
      return loaded as T;
    }
  } catch {
    // fall through to the public entry point
  }
  undiciPartsLoadedFrom[name] = 'whole package';
  return (require('undici') as Record<string, unknown>)[name] as T;
}

export const Pool = load<typeof UndiciPool>('pool', 'Pool');
export const Client = load<typeof UndiciClient>('client', 'Client');
export type Pool = UndiciPool;
export type Client = UndiciClient;
