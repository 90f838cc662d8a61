import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend } from '../helpers/backends.js';
import { testPort } from '../helpers/test-ports.js';
import { httpsRequest } from '../helpers/https-client.js';
import { exitOf } from '../helpers/instance.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MANIFEST = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };

/** npm's own variables (set while `npm test` runs) would point the child npm at this checkout. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

// One test: packing and installing takes a while, so every check on the installed package is here.
test('the packed package installs into a fresh project and runs: npx devtls --version, init, and a global install', async (t) => {
  const dir = await tempDirFor(t, 'devtls-pack-');

  t.is(MANIFEST.scripts['prepare'], 'npm run build', 'installs from git build dist/ (npm runs prepare with devDependencies installed)');
  // `npm test` built dist/ already; --ignore-scripts packs that build instead of building again.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  t.is(pack.code, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  const files = packed.files.map((file) => file.path).sort();
  // The bundle: dist/cli.js and the chunks it loads per command (no source maps, no tsc output).
  const chunks = files.filter((file) => file.startsWith('dist/chunks/'));
  t.true(chunks.length > 0);
  for (const chunk of chunks) t.regex(chunk, /^dist\/chunks\/[\w-]+\.js$/);
  // up, run and the background instance each load one file of their own (scripts/bundle.mjs).
  for (const whole of ['whole-up.js', 'whole-run.js', 'whole-instance.js']) t.true(chunks.includes(`dist/chunks/${whole}`), whole);
  t.deepEqual(files.filter((file) => !chunks.includes(file)), ['LICENSE', 'README.md', 'SECURITY.md', 'dist/cli.js', 'package.json', 'proxy.config.schema.json']);
  const tarball = join(dir, packed.filename);

  const project = join(dir, 'shop');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: '@acme/Shop_Web', version: '9.9.9', private: true, scripts: { dev: 'vite' } }));
  const install = await run('npm', ['install', '--prefer-offline', '--save-dev', tarball], project);
  t.is(install.code, 0, install.stderr);

  const version = await run('npx', ['devtls', '--version'], project);
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout.trim(), MANIFEST.version, 'devtls\'s version, not the project\'s 9.9.9');

  const init = await run('npx', ['devtls', 'init'], project);
  t.is(init.code, 0, init.stderr);
  t.regex(init.stdout, /^Found Vite /m);
  t.regex(init.stdout, /then run: npx devtls up$/m, 'a dev dependency is run with npx');
  const config = JSON.parse(await readFile(join(project, 'proxy.config.json'), 'utf8')) as { $schema: string };
  t.truthy(JSON.parse(await readFile(join(project, config.$schema), 'utf8')), 'the $schema init writes is in the installed package');

  // The installed bundle serves (its `up` starts the shared instance from dist/cli.js too).
  const backend = await startBackend('shop');
  t.teardown(() => backend.close());
  await writeFile(join(project, 'proxy.config.json'), JSON.stringify({ routes: [{ host: 'shop-web.localhost', target: backend.port }] }));
  const httpsPort = await testPort(t);
  const upEnv = cleanEnv({ DEVTLS_CA_DIR: join(dir, 'ca'), DEVTLS_STATE_DIR: join(dir, 'state') });
  const up = spawn(join(project, 'node_modules', '.bin', 'devtls'), ['up', '--https-port', String(httpsPort), '--http-port', '0', '--host', '127.0.0.1'], {
    cwd: project,
    env: upEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    up.kill('SIGKILL');
    return run(join(project, 'node_modules', '.bin', 'devtls'), ['stop'], project, upEnv).then(() => undefined);
  });
  let upOutput = '';
  up.stdout.on('data', (chunk: Buffer) => (upOutput += String(chunk)));
  up.stderr.on('data', (chunk: Buffer) => (upOutput += String(chunk)));
  for (let waited = 0; !upOutput.includes('Press Ctrl-C') && up.exitCode === null && waited < 60_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  t.regex(upOutput, /Press Ctrl-C/, upOutput);
  t.regex(upOutput, /npx devtls trust/, 'the trust hint names npx devtls');
  const res = await httpsRequest({ port: httpsPort, host: 'shop-web.localhost', ca: await readFile(join(dir, 'ca', 'rootCA.pem'), 'utf8') });
  t.is(res.status, 200);
  up.kill('SIGINT');
  const code = await exitOf(up);
  t.is(code, 0, upOutput);

  const prefix = join(dir, 'global');
  const global = await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', tarball], project);
  t.is(global.code, 0, global.stderr);
  const bin = process.platform === 'win32' ? prefix : join(prefix, 'bin');
  const onPath = cleanEnv({ PATH: [bin, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter) });
  const globalInit = await run(join(bin, 'devtls'), ['init', '--force'], project, onPath);
  t.is(globalInit.code, 0, globalInit.stderr);
  t.regex(globalInit.stdout, /then run: devtls up$/m, 'a global install is run by its name');
  const globalVersion = await run(join(bin, 'devtls'), ['--version'], project, onPath);
  t.is(globalVersion.stdout.trim(), MANIFEST.version);
});
