// devtls imports undici's Pool and Client from their own modules to skip the rest of the
// package at start-up (the bundle carries just those); they must be the classes undici exports.
import test from 'ava';
import { createRequire } from 'node:module';
import { Client, Pool } from '../../dist/proxy/undici-parts.js';

test('Pool and Client come from undici\'s internal modules, and are the classes undici exports', (t) => {
  const undici = createRequire(import.meta.url)('undici') as { Pool: unknown; Client: unknown };
  t.is(Pool as unknown, undici.Pool);
  t.is(Client as unknown, undici.Client);
});
