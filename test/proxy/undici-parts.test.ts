// devtls loads undici's Pool and Client from their own modules to skip the rest of the
// package at start-up; if a new undici moves them, this fails rather than silently
// costing start-up time.
import test from 'ava';
import { createRequire } from 'node:module';
import { Client, Pool, undiciPartsLoadedFrom } from '../../dist/proxy/undici-parts.js';

test('Pool and Client come from undici\'s internal modules, and are the classes undici exports', (t) => {
  t.deepEqual(undiciPartsLoadedFrom, { Pool: 'internal module', Client: 'internal module' });
  const undici = createRequire(import.meta.url)('undici') as { Pool: unknown; Client: unknown };
  t.is(Pool as unknown, undici.Pool);
  t.is(Client as unknown, undici.Client);
});
