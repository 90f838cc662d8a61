/** readRegularFile: regular files read whole up to the cap; anything else named, never read. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { readRegularFile } from '../../dist/config/regular-file.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const run = promisify(execFile);

test('a file larger than one read chunk comes back byte for byte; at the cap it is read, past it refused', async (t) => {
  const file = path.join(await tempDirFor(t), 'data');
  const bytes = randomBytes(200 * 1024 + 7);
  await writeFile(file, bytes);
  const whole = await readRegularFile(file, { maxBytes: bytes.length });
  t.true(whole.kind === 'read' && whole.bytes.equals(bytes));
  t.deepEqual(await readRegularFile(file, { maxBytes: bytes.length - 1 }), { kind: 'too large', size: bytes.length });
});

test('an empty file is read as no bytes', async (t) => {
  const file = path.join(await tempDirFor(t), 'empty');
  await writeFile(file, '');
  const read = await readRegularFile(file, { maxBytes: 10 });
  t.true(read.kind === 'read' && read.bytes.length === 0);
});

test('a folder, a FIFO with no writer and a character device are named, not read', async (t) => {
  const dir = await tempDirFor(t);
  const folder = path.join(dir, 'folder');
  await mkdir(folder);
  const fifo = path.join(dir, 'fifo');
  await run('mkfifo', [fifo]);
  const zero = path.join(dir, 'zero');
  await symlink('/dev/zero', zero);
  t.deepEqual(await readRegularFile(folder, { maxBytes: 10 }), { kind: 'not regular', type: 'a directory' });
  t.deepEqual(await readRegularFile(fifo, { maxBytes: 10 }), { kind: 'not regular', type: 'a FIFO' });
  t.deepEqual(await readRegularFile(zero, { maxBytes: 10 }), { kind: 'not regular', type: 'a character device' });
});

test('a missing file rejects with the file system\'s error', async (t) => {
  const error = await t.throwsAsync(readRegularFile(path.join(await tempDirFor(t), 'none'), { maxBytes: 10 }));
  t.is((error as NodeJS.ErrnoException).code, 'ENOENT');
});
