import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBackend } from '../helpers/backends.js';
import { startDevtlsProcess } from '../helpers/cli-process.js';
import { exitOf } from '../helpers/instance.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const chunks = fileURLToPath(new URL('../../dist/chunks/', import.meta.url));

/** Every module a bundle file imports, statically or by a literal dynamic import. */
function importsOf(source: string): string[] {
  const found = [...source.matchAll(/^\s*import\s[^;]*?from\s*"([^"]+)"/gm), ...source.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)];
  return found.map((match) => match[1] as string);
}

test('the one-file bundles of up and of the background instance import nothing but Node, and up carries no proxy code', async (t) => {
  for (const name of ['whole-up.js', 'whole-instance.js']) {
    const source = await readFile(join(chunks, name), 'utf8');
    const imports = importsOf(source);
    t.true(imports.length > 3, `${name}: the import scan found Node's modules`);
    t.deepEqual(
      imports.filter((specifier) => !specifier.startsWith('node:')),
      [],
      `${name} loads no other file`,
    );
  }
  const up = await readFile(join(chunks, 'whole-up.js'), 'utf8');
  t.notRegex(up, /undici|\/\/ dist\/proxy\//, 'up does not load the proxy: the instance runs it');
  const instance = await readFile(join(chunks, 'whole-instance.js'), 'utf8');
  t.regex(instance, /\/\/ dist\/proxy\/dev-proxy\.js/, 'the instance bundle is the proxy');
});

test('devtls up loads its one-file bundle, and so does the instance it starts (a module hook lists what each process loads)', async (t) => {
  const backend = await startBackend('app');
  t.teardown(() => backend.close());
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  await writeFile(join(temp.dir, 'proxy.config.json'), JSON.stringify({ routes: [{ host: 'app.localhost', target: backend.port }] }));
  const log = join(temp.dir, 'loaded.txt');
  await writeFile(log, '');
  await writeFile(
    join(temp.dir, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function resolve(specifier, context, next) {\n' +
      '  const result = await next(specifier, context);\n' +
      "  if (result.url.startsWith('file:')) appendFileSync(process.env.LOADED_LOG, `${process.pid} ${result.url}\\n`);\n" +
      '  return result;\n}\n',
  );
  await writeFile(join(temp.dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  const env = { DEVTLS_CA_DIR: join(temp.dir, 'ca'), LOADED_LOG: log, NODE_OPTIONS: `--import ${pathToFileURL(join(temp.dir, 'register.mjs')).href}` };
  const { child, output } = await startDevtlsProcess(['up', '--https-port', '0', '--http-port', '0', '--host', '127.0.0.1'], /Press Ctrl-C/, { cwd: temp.dir, env });
  t.teardown(() => child.kill('SIGKILL'));
  child.kill('SIGINT');
  t.is(await exitOf(child), 0, output());

  const byProcess = new Map<number, string[]>();
  for (const line of (await readFile(log, 'utf8')).split('\n').filter(Boolean)) {
    const [pid, url] = line.split(' ') as [string, string];
    if (!url.includes('/dist/')) continue;
    byProcess.set(Number(pid), [...(byProcess.get(Number(pid)) ?? []), basename(fileURLToPath(url))]);
  }
  const upFiles = byProcess.get(child.pid as number) ?? [];
  t.true(upFiles.includes('whole-up.js'), `up loaded: ${upFiles.join(', ')}`);
  t.false(upFiles.some((file) => file.startsWith('up-command')), 'not the split bundle\'s up');
  t.true(upFiles.length <= 8, `up loads a handful of files, not the split bundle's ~30: ${upFiles.join(', ')}`);
  const instanceFiles = [...byProcess.entries()].filter(([pid]) => pid !== child.pid).flatMap(([, files]) => files);
  t.true(instanceFiles.includes('whole-instance.js'), `the instance loaded: ${instanceFiles.join(', ')}`);
  t.true(instanceFiles.length <= 8, `the instance loads a handful of files: ${instanceFiles.join(', ')}`);
});
