/** Which proxy.config.json `devtls up` uses when no --config is given. */
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findNearestConfig } from '../../dist/config/find-config.js';
import { UserError } from '../../dist/errors.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const CONFIG = '{ "routes": [{ "host": "app.localhost", "target": 8080 }] }';

/** A repository (a folder holding .git) with nested subfolders; returns its root. */
async function repository(t: import('ava').ExecutionContext, gitAsFile = false): Promise<string> {
  const root = path.join(await tempDirFor(t), 'repo');
  await mkdir(path.join(root, 'packages', 'web', 'src'), { recursive: true });
  if (gitAsFile) await writeFile(path.join(root, '.git'), 'gitdir: /elsewhere/.git/worktrees/repo\n');
  else await mkdir(path.join(root, '.git'));
  return root;
}

test('the file in the working folder itself: not "above"', async (t) => {
  const root = await repository(t);
  await writeFile(path.join(root, 'proxy.config.json'), CONFIG);
  t.deepEqual(await findNearestConfig(root), { absolute: path.join(root, 'proxy.config.json'), relative: 'proxy.config.json', above: false });
});

test('from a subfolder: the nearest one above, as a path relative to where the search started', async (t) => {
  const root = await repository(t);
  await writeFile(path.join(root, 'proxy.config.json'), CONFIG);
  const start = path.join(root, 'packages', 'web', 'src');
  t.deepEqual(await findNearestConfig(start), { absolute: path.join(root, 'proxy.config.json'), relative: path.join('..', '..', '..', 'proxy.config.json'), above: true });

  await writeFile(path.join(root, 'packages', 'web', 'proxy.config.json'), CONFIG);
  t.is((await findNearestConfig(start)).absolute, path.join(root, 'packages', 'web', 'proxy.config.json'), 'the nearest wins');
});

test('the search stops at the repository root: a file above it is never used', async (t) => {
  for (const gitAsFile of [false, true]) {
    const root = await repository(t, gitAsFile);
    await writeFile(path.join(path.dirname(root), 'proxy.config.json'), CONFIG);
    const start = path.join(root, 'packages', 'web');
    const error = await t.throwsAsync(findNearestConfig(start), { instanceOf: UserError });
    t.is(error?.message, `no proxy.config.json in ${start} or the folders above it up to ${root} (the repository root)`);
    t.is(error?.code, 'ENOCONFIG');
    t.regex(error?.hint ?? '', / init` to write a starter file here/);
  }
});

test('a folder named proxy.config.json is found (and then refused by the read), not skipped', async (t) => {
  const root = await repository(t);
  await mkdir(path.join(root, 'proxy.config.json'));
  t.is((await findNearestConfig(path.join(root, 'packages'))).absolute, path.join(root, 'proxy.config.json'));
});
