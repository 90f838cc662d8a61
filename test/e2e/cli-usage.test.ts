import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_PATH, runDevtls } from '../helpers/cli-process.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const OWN_VERSION = (JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** How the messages spell devtls for these runs: `node <checkout>/dist/cli.js`, since the tests start it that way from a temp folder. */
const DEVTLS = `node ${CLI_PATH}`;

test('--version prints devtls\'s own version, not that of the project it runs in', async (t) => {
  const dir = await tempDirFor(t);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'shop', version: '9.9.9' }));
  const result = await runDevtls(['--version'], { cwd: dir });
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout.trim(), OWN_VERSION);
});

test('a bad command-line value is a usage error: one line naming the flag and what it takes, exit 2', async (t) => {
  const dir = await tempDirFor(t);
  const env = { DEVTLS_CA_DIR: join(dir, 'ca') };
  const cases: [string[], RegExp][] = [
    [['up', '--https-port', 'abc'], /^devtls: --https-port accepts a port number 0-65535, not "abc"\.$/],
    [['up', '--https-port', '70000'], /^devtls: --https-port accepts a port number 0-65535, not "70000"\.$/],
    [['up', '--http-port', '0x50'], /^devtls: --http-port accepts a port number 0-65535, not "0x50"\.$/],
    [['up', '--https-port', '1', '--https-port', '2'], /^devtls: --https-port was given 2 times \("1", "2"\); give it once: a port number 0-65535\.$/],
    [['up', '--config', 'a', '--config', 'b'], /^devtls: --config was given 2 times \("a", "b"\); give it once\.$/],
    [['up', '-c', 'a', '--config', 'b'], /^devtls: --config was given 2 times/],
    [['up', '--https-port'], /^devtls: --https-port needs a value\.$/],
    [['up', '--config'], /^devtls: --config needs a value\.$/],
    [['up', '--host'], /^devtls: --host needs a value\.$/],
    [['up', '--host', '127.0.0.1', '--host', ''], /^devtls: --host needs a value\.$/],
    [['up', '--ca-dir', 'x', '--ca-dir', 'y'], /^devtls: --ca-dir was given 2 times/],
    [['up', '--certs-dir', 'x', '--certs-dir', 'y'], /^devtls: --certs-dir was given 2 times/],
    [['init', '--config', 'a', '--config', 'b'], /^devtls: --config was given 2 times/],
    [['cert', 'app.localhost', '--out', 'a', '--out', 'b'], /^devtls: --out was given 2 times/],
    [['cert'], /^devtls: Missing an argument: .*cli\.js cert <hosts\.\.>$/],
    [['trust', '--store', 'bogus'], /^devtls: --store accepts "all", "system", "nss", "windows", not "bogus"\.$/],
    [['trust', '--store', 'nss', '--store', 'all'], /^devtls: --store was given 2 times \("nss", "all"\); give it once: one of all, system, nss, windows\.$/],
    [['untrust', '--keychain', 'x'], /^devtls: --keychain accepts "login", "system", not "x"\.$/],
    [['env', '--shell', 'zsh'], /^devtls: --shell accepts "sh", "fish", "powershell", not "zsh"\.$/],
    [['ca', '--permit'], /^devtls: --permit needs a value\.$/],
    [['up', '--bogus'], /^devtls: Unknown argument: bogus$/],
    [['serve', '--https-port', 'abc'], /^devtls: --https-port accepts a port number 0-65535, not "abc"\.$/],
    [['status', '--json', 'x'], /^devtls: Unknown argument: x$/],
  ];
  // Five at a time: each run is a short node start, mostly waiting for the CPU.
  const results: Awaited<ReturnType<typeof runDevtls>>[] = [];
  for (let start = 0; start < cases.length; start += 5) {
    results.push(...(await Promise.all(cases.slice(start, start + 5).map(([args]) => runDevtls(args, { cwd: dir, env })))));
  }
  for (const [index, [args, message]] of cases.entries()) {
    const result = results[index] as (typeof results)[number];
    const what = `devtls ${args.join(' ')}: ${result.stderr}`;
    t.is(result.code, 2, what);
    const lines = result.stderr.trimEnd().split('\n');
    t.regex(lines[0] ?? '', message, what);
    t.deepEqual(lines.slice(1), [`Run: ${DEVTLS} ${args[0]} --help`], what);
    t.is(result.stdout, '', what);
  }
});

test('an unknown command suggests the closest one, and only a command that exists', async (t) => {
  const cwd = await tempDirFor(t);
  const upp = await runDevtls(['upp'], { cwd });
  t.is(upp.code, 2);
  t.is(upp.stderr, `devtls: "upp" is not a devtls command. Did you mean: ${DEVTLS} up?\nThe commands: up, status, stop, serve, init, cert, ca, trust, untrust, env, export, doctor, hosts, run (${DEVTLS} --help says what each does).\n`);
  const trsut = await runDevtls(['trsut', '--check'], { cwd });
  t.is(trsut.code, 2);
  t.true(trsut.stderr.startsWith(`devtls: "trsut" is not a devtls command. Did you mean: ${DEVTLS} trust?\n`), trsut.stderr);
  const far = await runDevtls(['deploy'], { cwd });
  t.is(far.code, 2);
  t.notRegex(far.stderr, /Did you mean/);
  t.notRegex(far.stderr, /deploy --help/);
  const none = await runDevtls([], { cwd });
  t.is(none.code, 2);
  t.is(none.stderr, `devtls: Name a command: up, status, stop, serve, init, cert, ca, trust, untrust, env, export, doctor, hosts, run.\nRun: ${DEVTLS} --help\n`);
});

test('devtls init in a Vite project writes one route named after the project, and says what it found', async (t) => {
  const dir = await tempDirFor(t);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@acme/Shop_Web', scripts: { dev: 'vite', build: 'vite build' }, devDependencies: { vite: '^8.0.0' } }));
  const result = await runDevtls(['init'], { cwd: dir });
  t.is(result.code, 0, result.stderr);
  const config = JSON.parse(await readFile(join(dir, 'proxy.config.json'), 'utf8')) as { routes: unknown[] };
  t.deepEqual(config.routes, [{ host: 'shop-web.localhost', target: 5173 }]);
  t.regex(result.stdout, /^Found Vite \(package\.json script "dev": "vite"\): its dev server listens on port 5173\.$/m);
  t.regex(result.stdout, /https:\/\/shop-web\.localhost → http:\/\/localhost:5173/);
  t.true(result.stdout.includes(`then run: ${DEVTLS} up\n`), result.stdout);
});

test('devtls init where no dev server is recognised writes the example routes and says so', async (t) => {
  const dir = await tempDirFor(t);
  const result = await runDevtls(['init'], { cwd: dir });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /No dev server recognised/);
  const config = JSON.parse(await readFile(join(dir, 'proxy.config.json'), 'utf8')) as { routes: { host: string }[] };
  t.is(config.routes[0]?.host, 'app.localhost');
  const again = await runDevtls(['init'], { cwd: dir });
  t.is(again.code, 1);
  t.true(again.stderr.includes(`run ${DEVTLS} init --force to replace it`), again.stderr);
});
