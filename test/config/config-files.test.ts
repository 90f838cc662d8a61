/** Config files on disk (what is read and what is refused), and the JSON schema staying in step with the validator. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfigForTest as loadConfigFile } from '../helpers/config-file.js';
import { ConfigError } from '../../dist/config/config-error.js';
import { MAX_CONFIG_BYTES, readConfigFile } from '../../dist/config/load-config.js';
import { ROUTE_KEYS, TIMEOUT_KEYS, TOP_LEVEL_KEYS } from '../../dist/config/known-keys.js';
import { starterConfigText } from '../../dist/config/starter-config.js';
import { UserError } from '../../dist/errors.js';
import { promisify } from 'node:util';
import { invocation } from '../../dist/invocation.js';

const run = promisify(execFile);

const SCHEMA_FILE = path.join(import.meta.dirname, '..', '..', 'proxy.config.schema.json');

let dir = '';
test.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'devtls-config-'));
});
test.after.always(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

test('missing file: "no proxy.config.json in <dir>", and the hint names the path to pass to devtls init', async (t) => {
  const empty = path.join(dir, 'empty');
  await mkdir(empty);
  const file = path.join(empty, 'proxy.config.json');
  const error = await t.throwsAsync(loadConfigFile(file), { instanceOf: UserError });
  t.is(error?.message, `no proxy.config.json in ${empty}`);
  t.is(error?.hint, `run \`${invocation()} init --config ${file}\` to write a starter file`);
  t.is(error?.code, 'ENOCONFIG');

  const other = path.relative(process.cwd(), path.join(dir, 'nothere.json'));
  const otherError = await t.throwsAsync(loadConfigFile(other), { instanceOf: UserError });
  t.is(otherError?.hint, `run \`${invocation()} init --config ${other}\` to write a starter file`);

  const spaced = path.join(dir, "it's here.json");
  t.is((await t.throwsAsync(loadConfigFile(spaced), { instanceOf: UserError }))?.hint, `run \`${invocation()} init --config '${dir}/it'\\''s here.json'\` to write a starter file`);
});

test('missing folder: the hint says the folder does not exist', async (t) => {
  const file = path.join(dir, 'nowhere', 'proxy.config.json');
  const error = await t.throwsAsync(loadConfigFile(file), { instanceOf: UserError });
  t.is(error?.message, `no proxy.config.json in ${path.join(dir, 'nowhere')}`);
  t.is(error?.hint, `check the path: the folder ${path.join(dir, 'nowhere')} does not exist`);
  t.is(error?.code, 'ENOCONFIG');
});

test('a real file: config.file is absolute, messages and sources use the name as given', async (t) => {
  const file = path.join(dir, 'proxy.config.json');
  await writeFile(file, starterConfigText());
  const relative = path.relative(process.cwd(), file);
  const { config, warnings } = await loadConfigFile(relative);
  t.is(config.file, file);
  t.is(config.routes.length, 3);
  t.is(config.routes[0]?.definedAt, `${relative}:4:5`);
  t.is(config.routes[0]?.source, relative);
  t.deepEqual(warnings, []);
});

test('a directory means <dir>/proxy.config.json', async (t) => {
  const sub = path.join(dir, 'project');
  await mkdir(sub);
  await writeFile(path.join(sub, 'proxy.config.json'), '{ "routes": [{ "host": "a.localhost", "target": 1 }] }');
  const { config } = await loadConfigFile(sub);
  t.is(config.file, path.join(sub, 'proxy.config.json'));
});

test('a directory is the config only when the caller says so (a watcher does not)', async (t) => {
  const sub = path.join(dir, 'project-watched');
  await mkdir(sub);
  await writeFile(path.join(sub, 'proxy.config.json'), '{ "routes": [{ "host": "a.localhost", "target": 1 }] }');
  const error = await t.throwsAsync(readConfigFile(sub, { directoryMeansConfigInside: false }), { instanceOf: UserError });
  t.is(error?.message, `${sub} is a directory, not a regular file`);
  t.is(error?.code, 'ECONFIGREAD');
  t.regex(error?.hint ?? '', /regular file .*at most 4 MiB/);
});

test('a FIFO is refused at once, without waiting for a writer', async (t) => {
  const fifo = path.join(dir, 'fifo.json');
  await run('mkfifo', [fifo]);
  const error = await t.throwsAsync(readConfigFile(fifo), { instanceOf: UserError });
  t.is(error?.message, `${fifo} is a FIFO, not a regular file`);
  t.is(error?.code, 'ECONFIGREAD');
});

test('a symlink to /dev/zero is refused, naming what it links to; a symlink to a regular file is read', async (t) => {
  const zero = path.join(dir, 'zero.json');
  await symlink('/dev/zero', zero);
  const error = await t.throwsAsync(readConfigFile(zero), { instanceOf: UserError });
  t.is(error?.message, `${zero} is a character device (a link to /dev/zero), not a regular file`);

  const real = path.join(dir, 'real.json');
  await writeFile(real, starterConfigText());
  const link = path.join(dir, 'link.json');
  await symlink(real, link);
  t.is((await loadConfigFile(link)).config.routes.length, 3);
});

test('a socket is refused', async (t) => {
  const socketPath = path.join(dir, 'socket.json');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.teardown(() => server.close());
  const error = await t.throwsAsync(readConfigFile(socketPath), { instanceOf: UserError });
  t.is(error?.message, `${socketPath} is a socket, not a regular file`);
});

test('a file over 4 MiB is refused with the cap in the message; one of exactly 4 MiB is read', async (t) => {
  const big = path.join(dir, 'big.json');
  await writeFile(big, Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
  const error = await t.throwsAsync(readConfigFile(big), { instanceOf: UserError });
  t.is(error?.message, `${big} is 4.1 MiB: a config file may be at most 4 MiB`);
  t.is(error?.code, 'ECONFIGREAD');

  await writeFile(big, Buffer.alloc(MAX_CONFIG_BYTES, 0x20));
  t.is((await readConfigFile(big)).bytes.length, MAX_CONFIG_BYTES);
});

test('an aborted read rejects with the signal\'s reason, not a config error', async (t) => {
  const file = path.join(dir, 'aborted.json');
  await writeFile(file, starterConfigText());
  const controller = new AbortController();
  const reason = new Error('stopping');
  controller.abort(reason);
  const error = await t.throwsAsync(readConfigFile(file, { signal: controller.signal }));
  t.is(error, reason);
});

test('bad contents on disk: ConfigError with the given name', async (t) => {
  const file = path.join(dir, 'bad.json');
  await writeFile(file, '{\n  "routes": [\n    { "host": "a.localhost", "target": 8080, }\n  ]\n}\n');
  const error = await t.throwsAsync(loadConfigFile(file), { instanceOf: ConfigError });
  t.is(error?.file, file);
  t.is(`${error?.line}:${error?.column}`, '3:44');
});

test('invalid UTF-8 and UTF-16 are reported with a position', async (t) => {
  const latin1 = path.join(dir, 'latin1.json');
  await writeFile(latin1, Buffer.concat([Buffer.from('{\n  "routes": [{ "host": "caf'), Buffer.from([0xe9]), Buffer.from('.localhost", "target": 1 }]\n}')]));
  const error = await t.throwsAsync(loadConfigFile(latin1), { instanceOf: ConfigError });
  t.is(`${error?.line}:${error?.column}`, '2:28');
  t.regex(error?.message ?? '', /not valid UTF-8: found byte 0xe9/);

  const utf16 = path.join(dir, 'utf16.json');
  await writeFile(utf16, Buffer.from('\ufeff{"routes":[]}', 'utf16le'));
  const error16 = await t.throwsAsync(loadConfigFile(utf16), { instanceOf: ConfigError });
  t.regex(error16?.message ?? '', /UTF-16/);
});

test('a UTF-8 BOM on disk is accepted', async (t) => {
  const file = path.join(dir, 'bom.json');
  await writeFile(file, `\ufeff${starterConfigText()}`);
  t.is((await loadConfigFile(file)).config.routes.length, 3);
});

// --- schema ---

interface SchemaObject {
  properties?: Record<string, SchemaObject & { description?: string }>;
  additionalProperties?: unknown;
  $defs?: Record<string, SchemaObject>;
  required?: string[];
}

async function schema(): Promise<SchemaObject> {
  return JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as SchemaObject;
}

test('schema property names equal what the validator accepts, at every level', async (t) => {
  const s = await schema();
  t.deepEqual(Object.keys(s.properties ?? {}).sort(), [...TOP_LEVEL_KEYS].sort());
  t.deepEqual(Object.keys(s.$defs?.['route']?.properties ?? {}).sort(), [...ROUTE_KEYS].sort());
  t.deepEqual(Object.keys(s.properties?.['timeouts']?.properties ?? {}).sort(), [...TIMEOUT_KEYS].sort());
  t.deepEqual(s.required, ['routes']);
  t.deepEqual(s.$defs?.['route']?.required, ['host', 'target']);
});

test('schema: closed objects, a description on every property', async (t) => {
  const s = await schema();
  const objects = [s, s.$defs?.['route'], s.properties?.['timeouts']];
  for (const object of objects) {
    t.is(object?.additionalProperties, false);
    for (const [name, property] of Object.entries(object?.properties ?? {})) {
      t.true(typeof property.description === 'string' && property.description.length > 10, `${name} has a description`);
    }
  }
});

test('schema: patterns compile and agree with the validator on samples', async (t) => {
  const s = await schema();
  const route = s.$defs?.['route']?.properties as Record<string, { pattern?: string }>;
  const host = new RegExp(route['host']?.pattern ?? '', 'u');
  for (const ok of ['app.localhost', '*.preview.localhost', 'localhost', 'xn--bcher-kva.localhost']) t.true(host.test(ok), ok);
  for (const bad of ['App.localhost', 'app.*.localhost', 'a_b.localhost', '-a.localhost', 'a..b']) t.false(host.test(bad), bad);
  const pathPattern = new RegExp(route['path']?.pattern ?? '', 'u');
  t.true(pathPattern.test('/api'));
  t.false(pathPattern.test('api'));
  t.false(pathPattern.test('/a?b'));
});
