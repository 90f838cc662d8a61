import test from 'ava';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliEntryPath } from '../dist/entry-point.js';

test('dist/cli.js is found from the bundle, from a chunk of it and from tsc output', (t) => {
  const dist = join('/opt', 'devtls', 'dist');
  const cli = join(dist, 'cli.js');
  t.is(cliEntryPath(pathToFileURL(cli).href, '..'), cli);
  t.is(cliEntryPath(pathToFileURL(join(dist, 'chunks', 'chunk-ABC123.js')).href, '..'), cli);
  t.is(cliEntryPath(pathToFileURL(join(dist, 'instance', 'start-instance.js')).href, '..'), cli);
  t.is(cliEntryPath(pathToFileURL(join(dist, 'invocation.js')).href, '.'), cli);
});
