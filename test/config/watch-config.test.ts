/**
 * The config watcher on a real folder: whatever takes the file's place (a folder, a FIFO, a
 * link to a device, a huge file) is reported like any bad edit, a later good edit applies,
 * and closing never hangs; a fixed file that equals what is served is reported as good again.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { MAX_CONFIG_BYTES } from '../../dist/config/load-config.js';
import type { ParsedConfig } from '../../dist/config/parse-config.js';
import { ConfigWatcher } from '../../dist/config/watch-config.js';
import { eventually } from '../helpers/eventually.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const run = promisify(execFile);

function configText(port: number): string {
  return `{ "routes": [{ "host": "app.localhost", "target": ${port} }] }\n`;
}

interface Watched {
  file: string;
  events: string[];
  watcher: ConfigWatcher;
}

/** A watcher on a fresh proxy.config.json serving port 1000; `events` records each handler call. */
async function watched(t: import('ava').ExecutionContext): Promise<Watched> {
  const dir = await tempDirFor(t);
  const file = path.join(dir, 'proxy.config.json');
  const initial = Buffer.from(configText(1000));
  await writeFile(file, initial);
  const events: string[] = [];
  const watcher = await ConfigWatcher.start(file, initial, {
    apply: (parsed: ParsedConfig) => void events.push(`apply ${parsed.config.routes[0]?.target.port}`),
    reject: (error: unknown) => void events.push(`reject ${(error as Error).message}`),
    missing: () => void events.push('missing'),
    recovered: () => void events.push('recovered'),
  }, { debounceMs: 10, settleMs: 60 });
  t.teardown(() => watcher.close());
  return { file, events, watcher };
}

/** Put a regular file back in place of whatever is there, as an editor's rename does. */
async function saveRegular(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(temp, text);
  await rm(file, { recursive: true, force: true });
  await rename(temp, file);
}

test('a broken edit fixed back to the served file: reported as good again, nothing applied', async (t) => {
  const { file, events } = await watched(t);
  await writeFile(file, '{ "routes": [');
  t.true(await eventually(() => events.some((event) => event.startsWith('reject'))), events.join('\n'));
  await writeFile(file, configText(1000));
  t.true(await eventually(() => events.includes('recovered')), events.join('\n'));
  t.false(events.some((event) => event.startsWith('apply')));

  await unlink(file);
  t.true(await eventually(() => events.includes('missing')), events.join('\n'));
  await writeFile(file, configText(1000));
  t.true(await eventually(() => events.filter((event) => event === 'recovered').length === 2), events.join('\n'));
});

test('an unchanged save without a problem before it says nothing', async (t) => {
  const { file, events } = await watched(t);
  await writeFile(file, configText(1000));
  await writeFile(file, configText(1001));
  t.true(await eventually(() => events.includes('apply 1001')), events.join('\n'));
  t.false(events.includes('recovered'));
});

test('the file replaced by a folder (even one holding a valid proxy.config.json) is a bad edit', async (t) => {
  const { file, events } = await watched(t);
  const folder = `${file}.new`;
  await mkdir(folder);
  await writeFile(path.join(folder, 'proxy.config.json'), configText(2000));
  await unlink(file);
  await rename(folder, file);
  t.true(await eventually(() => events.some((event) => event === `reject ${file} is a directory, not a regular file`)), events.join('\n'));
  t.false(events.some((event) => event.startsWith('apply')), 'the routes inside the folder are not applied');
  await saveRegular(file, configText(3000));
  t.true(await eventually(() => events.includes('apply 3000')), events.join('\n'));
});

test('a FIFO in place of the file: reported without blocking, a later good edit applies, close returns', async (t) => {
  const { file, events, watcher } = await watched(t);
  await unlink(file);
  await run('mkfifo', [file]);
  t.true(await eventually(() => events.includes(`reject ${file} is a FIFO, not a regular file`)), events.join('\n'));
  await saveRegular(file, configText(3000));
  t.true(await eventually(() => events.includes('apply 3000')), events.join('\n'));
  await run('mkfifo', [`${file}.fifo`]);
  await rename(`${file}.fifo`, file);
  await new Promise((resolve) => setTimeout(resolve, 30)); // a check may be under way while closing
  await watcher.close();
  t.pass();
});

test('a link to /dev/zero in place of the file: reported, memory not filled, a later good edit applies', async (t) => {
  const { file, events } = await watched(t);
  const rssBefore = process.memoryUsage().rss;
  await unlink(file);
  await symlink('/dev/zero', file);
  t.true(await eventually(() => events.includes(`reject ${file} is a character device (a link to /dev/zero), not a regular file`)), events.join('\n'));
  t.true(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'nothing was read from the device');
  await saveRegular(file, configText(3000));
  t.true(await eventually(() => events.includes('apply 3000')), events.join('\n'));
});

test('a file over the size cap is a bad edit that names the cap', async (t) => {
  const { file, events } = await watched(t);
  await saveRegular(file, ' '.repeat(MAX_CONFIG_BYTES + 1));
  t.true(await eventually(() => events.some((event) => event.startsWith('reject') && event.includes('may be at most 4 MiB'))), events.join('\n'));
  await saveRegular(file, configText(3000));
  t.true(await eventually(() => events.includes('apply 3000')), events.join('\n'));
});
