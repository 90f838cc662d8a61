import test from 'ava';
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { findCommand } from '../../dist/run/find-command.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const shellSays = async (program: string, path: string): Promise<boolean> =>
  promisify(execFile)('/bin/sh', ['-c', 'command -v "$1"', 'sh', program], { env: { PATH: path } }).then(
    () => true,
    () => false,
  );

// `devtls run` checks its COMMAND with it, and the trust stores' code whether a tool is installed.
test('findCommand answers what command -v and test -x answer', async (t) => {
  if (process.platform === 'win32') return t.pass('POSIX only');
  const root = await tempDirFor(t);
  const [a, b] = [join(root, 'a'), join(root, 'b')];
  await mkdir(join(b, 'a-folder'), { recursive: true });
  await mkdir(a, { recursive: true });
  await writeFile(join(a, 'not-executable'), '');
  await writeFile(join(b, 'not-executable'), '#!/bin/sh\n');
  await chmod(join(b, 'not-executable'), 0o755);
  await writeFile(join(a, 'tool'), '#!/bin/sh\n');
  await chmod(join(a, 'tool'), 0o755);
  await chmod(join(b, 'a-folder'), 0o755);
  const path = [a, b].join(delimiter);
  const onPath = (program: string, searched: string): boolean => findCommand(program, { PATH: searched }, root) !== undefined;
  for (const program of ['tool', 'not-executable', 'a-folder', 'missing']) t.is(onPath(program, path), await shellSays(program, path), program);
  t.true(onPath(join(a, 'tool'), ''));
  t.false(onPath(join(a, 'not-executable'), path));
  t.false(onPath('tool', ''));
});
