/**
 * The config file as `devtls up` sees it: whatever takes its place while serving (a folder, a
 * FIFO, a link to /dev/zero) is a bad edit that never blocks the watcher or a shutdown; a fixed
 * file says so; host-name advice is not repeated on every reload; the file used without
 * --config is the nearest one; a missing --config file gets the init command for that name.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { runDevtls, startDevtlsProcess } from '../helpers/cli-process.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { eventually } from '../helpers/eventually.js';
import { httpsRequest } from '../helpers/https-client.js';
import { exitOf } from '../helpers/instance.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

let blue: TestBackend;
let green: TestBackend;

test.before(async () => {
  [blue, green] = await Promise.all([startBackend('blue'), startBackend('green')]);
});

test.after.always(async () => {
  await Promise.all([blue, green].map((backend) => backend?.close()));
});

function configText(routes: unknown[]): string {
  return JSON.stringify({ routes }, null, 2) + '\n';
}

async function serverFor(port: number, ca: string, host: string): Promise<string> {
  const res = await httpsRequest({ port, host, ca });
  if (res.status !== 200) return `status ${res.status}`;
  return (JSON.parse(res.text) as { server: string }).server;
}

/** Put a regular file back in place of whatever is there, as an editor's rename does. */
async function saveRegular(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(temp, text);
  await rm(file, { recursive: true, force: true });
  await rename(temp, file);
}

async function watched(t: import('ava').ExecutionContext, routes: unknown[]): Promise<TestDevtls> {
  const devtls = await startTestDevtls(configText(routes), { watch: true });
  t.teardown(() => devtls.stop());
  return devtls;
}

test('a folder in place of the config (even one holding a valid proxy.config.json) is a bad edit; the last good routes keep serving', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  const folder = join(devtls.dir, 'replacement');
  await mkdir(folder);
  await writeFile(join(folder, 'proxy.config.json'), configText([{ host: 'app.localhost', target: green.port }]));
  await unlink(devtls.configFile);
  await rename(folder, devtls.configFile);
  const said = `${devtls.configFile} is a directory, not a regular file (still serving the last good routes)`;
  t.true(await eventually(() => devtls.logger.lines.includes(said)), devtls.logger.lines.join('\n'));
  t.is(await serverFor(devtls.httpsPort, devtls.ca.certPem, 'app.localhost'), 'blue');
  t.false(devtls.logger.lines.some((line) => line.startsWith('reloaded')));
  await saveRegular(devtls.configFile, configText([{ host: 'app.localhost', target: green.port }]));
  t.true(await eventually(async () => (await serverFor(devtls.httpsPort, devtls.ca.certPem, 'app.localhost')) === 'green'), devtls.logger.lines.join('\n'));
});

test('a FIFO and a link to /dev/zero in place of the config: one error line each, a later good edit applies, stop returns', async (t) => {
  const devtls = await startTestDevtls(configText([{ host: 'app.localhost', target: blue.port }]), { watch: true });
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await devtls.stop();
  });
  await unlink(devtls.configFile);
  await run('mkfifo', [devtls.configFile]);
  t.true(await eventually(() => devtls.logger.lines.includes(`${devtls.configFile} is a FIFO, not a regular file (still serving the last good routes)`)), devtls.logger.lines.join('\n'));
  t.is(await serverFor(devtls.httpsPort, devtls.ca.certPem, 'app.localhost'), 'blue');

  await unlink(devtls.configFile);
  await symlink('/dev/zero', devtls.configFile);
  t.true(await eventually(() => devtls.logger.lines.some((line) => line.includes('is a character device (a link to /dev/zero), not a regular file'))), devtls.logger.lines.join('\n'));
  t.is(await serverFor(devtls.httpsPort, devtls.ca.certPem, 'app.localhost'), 'blue');

  await saveRegular(devtls.configFile, configText([{ host: 'app.localhost', target: green.port }]));
  t.true(await eventually(async () => (await serverFor(devtls.httpsPort, devtls.ca.certPem, 'app.localhost')) === 'green'), devtls.logger.lines.join('\n'));

  await unlink(devtls.configFile);
  await run('mkfifo', [devtls.configFile]);
  stopped = true;
  await devtls.stop();
  t.pass();
});

test('a broken edit fixed back to what is served: one line says the file is valid again', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  const good = await readFile(devtls.configFile);
  await writeFile(devtls.configFile, '{ "routes": [ { "host": "app.localhost", "target": 1, } ] }');
  t.true(await eventually(() => devtls.logger.lines.some((line) => /still serving the last good routes/.test(line))), devtls.logger.lines.join('\n'));
  await writeFile(devtls.configFile, good);
  t.true(await eventually(() => devtls.logger.lines.some((line) => line === `${devtls.configFile} is valid again, with the routes already being served.`)), devtls.logger.lines.join('\n'));
  t.false(devtls.logger.lines.some((line) => line.startsWith('reloaded')));
});

test('hosts-file advice for a .test name is said at start, not again on every reload', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }, { host: 'devtls-e2e.test', target: blue.port }]);
  t.is(devtls.running.warnings.filter((warning) => warning.host === 'devtls-e2e.test').length, 1, 'said at start (the name does not resolve here)');
  for (const backend of [green, blue]) {
    const reloads = devtls.logger.lines.filter((line) => line.startsWith('reloaded')).length;
    await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: backend.port }, { host: 'devtls-e2e.test', target: blue.port }]));
    t.true(await eventually(() => devtls.logger.lines.filter((line) => line.startsWith('reloaded')).length > reloads), devtls.logger.lines.join('\n'));
  }
  t.false(devtls.logger.lines.some((line) => line.includes('devtls-e2e.test')), devtls.logger.lines.join('\n'));
  await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: blue.port }, { host: 'devtls-e2e.test', target: blue.port }, { host: 'other-e2e.test', target: blue.port }]));
  t.true(await eventually(() => devtls.logger.lines.some((line) => line.includes('host "other-e2e.test"'))), 'a new name is advised about');
});

// --- the CLI process ---

async function project(t: import('ava').ExecutionContext) {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  // A repository root bounds the search for proxy.config.json to this folder.
  await mkdir(join(temp.dir, '.git'));
  return { dir: temp.dir, env: { DEVTLS_CA_DIR: join(temp.dir, 'ca') } };
}

test('devtls up: a link to /dev/zero and a FIFO in place of the config are reported, and SIGTERM still stops it', async (t) => {
  const { dir, env } = await project(t);
  const file = join(dir, 'proxy.config.json');
  await writeFile(file, configText([{ host: 'app.localhost', target: blue.port }]));
  const { child, output } = await startDevtlsProcess(['up', '--https-port', '0', '--http-port', '0', '--host', '127.0.0.1'], /Press Ctrl-C/, { cwd: dir, env });
  t.teardown(() => child.kill('SIGKILL'));
  await unlink(file);
  await symlink('/dev/zero', file);
  t.true(await eventually(() => /proxy\.config\.json is a character device \(a link to \/dev\/zero\), not a regular file/.test(output()), 10_000), output());
  await unlink(file);
  await run('mkfifo', [file]);
  t.true(await eventually(() => /proxy\.config\.json is a FIFO, not a regular file \(still serving the last good routes\)/.test(output()), 10_000), output());
  child.kill('SIGTERM');
  const code = await exitOf(child);
  t.is(code, 0, output());
  t.regex(output(), /Stopping devtls/);
});

test('devtls up in a subfolder uses the nearest proxy.config.json above it and says which', async (t) => {
  const { dir, env } = await project(t);
  await writeFile(join(dir, 'proxy.config.json'), configText([{ host: 'app.localhost', target: blue.port }]));
  const sub = join(dir, 'packages', 'web');
  await mkdir(sub, { recursive: true });
  const { child, output, match } = await startDevtlsProcess(['up', '--https-port', '0', '--http-port', '0', '--host', '127.0.0.1'], /Listening on 127\.0\.0\.1:(\d+)[^]*Press Ctrl-C/, { cwd: sub, env });
  t.teardown(() => child.kill('SIGKILL'));
  t.true(output().startsWith(`Using ${join(dir, 'proxy.config.json')} (the nearest proxy.config.json above this folder).\n`), output());
  t.regex(output(), /Edits to \.\.\/\.\.\/proxy\.config\.json apply as soon as you save/);
  t.is(await serverFor(Number(match[1]), await readFile(join(dir, 'ca', 'rootCA.pem'), 'utf8'), 'app.localhost'), 'blue');
  child.kill('SIGINT');
  t.is(await exitOf(child), 0);
});

test('devtls up finds no proxy.config.json above the repository root', async (t) => {
  const { dir, env } = await project(t);
  const sub = join(dir, 'packages');
  await mkdir(sub);
  const result = await runDevtls(['up'], { cwd: sub, env });
  t.is(result.code, 1);
  t.regex(result.stderr, new RegExp(`no proxy\\.config\\.json in ${sub} or the folders above it up to ${dir} \\(the repository root\\)`));
  t.regex(result.stderr, / init` to write a starter file here/);
});

test('--config naming a missing file suggests devtls init with that name', async (t) => {
  const { dir, env } = await project(t);
  const result = await runDevtls(['up', '--config', 'nothere.json'], { cwd: dir, env });
  t.is(result.code, 1);
  t.regex(result.stderr, new RegExp(`no nothere\\.json in ${dir}`));
  t.regex(result.stderr, /run `.* init --config nothere\.json` to write a starter file/);
  t.notRegex(result.stderr, /\n\s+at /);
});
