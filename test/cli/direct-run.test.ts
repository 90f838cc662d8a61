import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBackend } from '../helpers/backends.js';
import { runDevtls, startDevtlsProcess } from '../helpers/cli-process.js';
import { exitOf } from '../helpers/instance.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const chunks = fileURLToPath(new URL('../../dist/chunks/', import.meta.url));

/** Every module a bundle file imports, statically or by a literal dynamic import. */
function importsOf(source: string): string[] {
  const found = [...source.matchAll(/^\s*import\s[^;]*?from\s*"([^"]+)"/gm), ...source.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)];
  return found.map((match) => match[1] as string);
}

test('the one-file bundles of up, run and the background instance import nothing but Node; up and run carry no proxy code', async (t) => {
  for (const name of ['whole-up.js', 'whole-run.js', 'whole-instance.js']) {
    const source = await readFile(join(chunks, name), 'utf8');
    const imports = importsOf(source);
    t.true(imports.length > 3, `${name}: the import scan found Node's modules`);
    t.deepEqual(
      imports.filter((specifier) => !specifier.startsWith('node:')),
      [],
      `${name} loads no other file`,
    );
  }
  for (const name of ['whole-up.js', 'whole-run.js']) {
    t.notRegex(await readFile(join(chunks, name), 'utf8'), /undici|\/\/ dist\/proxy\//, `${name}: the proxy runs in the instance`);
  }
  const instance = await readFile(join(chunks, 'whole-instance.js'), 'utf8');
  t.regex(instance, /\/\/ dist\/proxy\/dev-proxy\.js/, 'the instance bundle is the proxy');
});

/** A folder whose register.mjs, given to Node with --import, logs every file each process loads (pid and URL). */
async function loadLog(dir: string): Promise<{ env: NodeJS.ProcessEnv; read: () => Promise<Map<number, Set<string>>> }> {
  const log = join(dir, 'loaded.txt');
  await writeFile(log, '');
  await writeFile(
    join(dir, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function resolve(specifier, context, next) {\n' +
      '  const result = await next(specifier, context);\n' +
      "  if (result.url.startsWith('file:')) appendFileSync(process.env.LOADED_LOG, `${process.pid} ${result.url}\\n`);\n" +
      '  return result;\n}\n',
  );
  await writeFile(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  const env = { LOADED_LOG: log, NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}` };
  const read = async (): Promise<Map<number, Set<string>>> => {
    const byProcess = new Map<number, Set<string>>();
    for (const line of (await readFile(log, 'utf8')).split('\n').filter(Boolean)) {
      const [pid, url] = line.split(' ') as [string, string];
      if (!url.includes('/dist/')) continue;
      byProcess.set(Number(pid), (byProcess.get(Number(pid)) ?? new Set()).add(basename(fileURLToPath(url))));
    }
    return byProcess;
  };
  return { env, read };
}

/** The files one process loaded, and those of every other process (the instance it started). */
function split(byProcess: Map<number, Set<string>>, pid: number | undefined): { own: string[]; others: string[] } {
  return {
    own: [...(byProcess.get(pid as number) ?? [])],
    others: [...byProcess.entries()].filter(([other]) => other !== pid).flatMap(([, files]) => [...files]),
  };
}

test('devtls up loads its one-file bundle, and so does the instance it starts (a module hook lists what each process loads)', async (t) => {
  const backend = await startBackend('app');
  t.teardown(() => backend.close());
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  await writeFile(join(temp.dir, 'proxy.config.json'), JSON.stringify({ routes: [{ host: 'app.localhost', target: backend.port }] }));
  const loaded = await loadLog(temp.dir);
  const env = { ...loaded.env, DEVTLS_CA_DIR: join(temp.dir, 'ca') };
  const { child, output } = await startDevtlsProcess(['up', '--https-port', '0', '--http-port', '0', '--host', '127.0.0.1'], /Press Ctrl-C/, { cwd: temp.dir, env });
  t.teardown(() => child.kill('SIGKILL'));
  child.kill('SIGINT');
  t.is(await exitOf(child), 0, output());

  const { own, others } = split(await loaded.read(), child.pid);
  t.true(own.includes('whole-up.js'), `up loaded: ${own.join(', ')}`);
  t.false(own.some((file) => file.startsWith('up-command')), "not the split bundle's up");
  t.true(own.length <= 8, `up loads a handful of files, not the split bundle's ~30: ${own.join(', ')}`);
  t.true(others.includes('whole-instance.js'), `the instance loaded: ${others.join(', ')}`);
  t.true(others.length <= 8, `the instance loads a handful of files: ${others.join(', ')}`);
});

test('devtls run loads its one-file bundle', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  const loaded = await loadLog(temp.dir);
  // A dev server that listens on the PORT devtls gives it, then ends: run ends with it.
  const server = "const s = require('node:http').createServer((q, r) => r.end('ok')); s.listen(Number(process.env.PORT), '127.0.0.1', () => setTimeout(() => s.close(), 500));";
  const result = await runDevtls(['run', '--name', 'app', '--https-port', '0', '--http-port', '0', '--', process.execPath, '-e', server], {
    cwd: temp.dir,
    env: { ...loaded.env, DEVTLS_CA_DIR: join(temp.dir, 'ca') },
  });
  t.is(result.code, 0, result.stdout + result.stderr);
  // --https-port 0: the instance devtls starts picks a free port, and the URL names it.
  t.regex(result.stdout, /https:\/\/app\.localhost:[1-9]\d*/);
  t.notRegex(result.stdout + result.stderr, /at the same moment/);
  const byProcess = await loaded.read();
  const run = [...byProcess.values()].find((files) => files.has('whole-run.js'));
  t.truthy(run, `no process loaded whole-run.js: ${[...byProcess.values()].map((files) => [...files].join(', ')).join(' / ')}`);
  t.false([...(run ?? [])].some((file) => file.startsWith('run-command')), "not the split bundle's run");
  t.true((run?.size ?? 99) <= 8, `run loads a handful of files: ${[...(run ?? [])].join(', ')}`);
});
