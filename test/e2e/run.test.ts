// `devtls run`: a dev server started on a free port behind https://NAME.localhost, on the
// shared instance, with real processes: the port handed over by PORT or by the tool's own
// flag, a late listener, the child's exit code, signals, a name taken, runs beside an up.
import test from 'ava';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runDevtls } from '../helpers/cli-process.js';
import { eventually } from '../helpers/eventually.js';
import { httpsRequest } from '../helpers/https-client.js';
import { exitOf, projectFolder, sharedWorld, upIn, type SharedWorld } from '../helpers/instance.js';
import { fixtureProject, runIn } from '../helpers/run-fixtures.js';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { testPort } from '../helpers/test-ports.js';

interface FixtureReply {
  port: number;
  pid: number;
  args: string[];
  env: Record<string, string | undefined>;
}

async function get(world: SharedWorld, host: string): Promise<{ status: number; text: string }> {
  return httpsRequest({ port: world.httpsPort, host, ca: await world.ca() });
}

test('a server listening on $PORT is served at https://NAME.localhost with PORT, HOST, DEVTLS_URL and the CA in its environment', async (t) => {
  const world = await sharedWorld(t);
  const project = await fixtureProject(world, 'shop', { name: '@acme/Shop_Web' });
  const run = await runIn(t, world, project, ['node', 'server.mjs'], { env: { NODE_EXTRA_CA_CERTS: '' } });
  t.is(run.url, `https://shop-web.localhost:${world.httpsPort}`);
  const res = await get(world, 'shop-web.localhost');
  t.is(res.status, 200);
  const reply = JSON.parse(res.text) as FixtureReply;
  t.is(reply.env['PORT'], String(reply.port));
  t.is(reply.env['HOST'], '127.0.0.1');
  t.is(reply.env['DEVTLS_URL'], run.url);
  t.is(reply.env['__VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS'], 'shop-web.localhost');
  t.is(reply.env['RAILS_DEVELOPMENT_HOSTS'], 'shop-web.localhost');
  t.is(await readFile(reply.env['NODE_EXTRA_CA_CERTS'] as string, 'utf8'), await world.ca());

  const status = await world.status();
  t.deepEqual(status.projects, [
    // The pid of the command devtls run started (the dev server), not devtls run's own.
    { source: 'devtls run -- node server.mjs', pid: reply.pid, routes: [{ host: 'shop-web.localhost', path: '/', target: `http://127.0.0.1:${reply.port}` }] },
  ]);
  run.child.kill('SIGINT');
  t.is(await exitOf(run.child), 130, 'the child died of SIGINT: 128 + 2');
});

test('NODE_EXTRA_CA_CERTS already set: the child gets a bundle of that CA and the devtls CA, never the devtls CA alone', async (t) => {
  const world = await sharedWorld(t);
  const project = await fixtureProject(world, 'corp', { name: 'corp' });
  const corporate = '-----BEGIN CERTIFICATE-----\nMIIBcorporate\n-----END CERTIFICATE-----\n';
  const corporateFile = join(world.root, 'corporate.pem');
  await import('node:fs/promises').then((fs) => fs.writeFile(corporateFile, corporate));
  await runIn(t, world, project, ['node', 'server.mjs'], { env: { NODE_EXTRA_CA_CERTS: corporateFile } });
  const reply = JSON.parse((await get(world, 'corp.localhost')).text) as FixtureReply;
  const bundle = await readFile(reply.env['NODE_EXTRA_CA_CERTS'] as string, 'utf8');
  t.not(reply.env['NODE_EXTRA_CA_CERTS'], corporateFile);
  t.true(bundle.startsWith(corporate.trim()), 'the corporate CA is kept');
  t.true(bundle.includes((await world.ca()).trim()), 'the devtls CA is added');
});

test('a tool that ignores PORT (named vite, first on PATH) gets --port and --strictPort, run directly, through npx-less scripts of npm', async (t) => {
  const world = await sharedWorld(t);
  const project = await fixtureProject(world, 'front', { name: 'front', scripts: { dev: 'vite' } });
  const direct = await runIn(t, world, project, ['vite'], { devtlsArgs: ['--name', 'direct'] });
  const reply = JSON.parse((await get(world, 'direct.localhost')).text) as FixtureReply;
  t.deepEqual(reply.args.slice(0, 3), ['--port', String(reply.port), '--strictPort']);
  t.regex(direct.output(), /Vite ignores PORT: devtls passes it its own flags for :\d+/);

  await runIn(t, world, project, ['npm', 'run', 'dev'], { devtlsArgs: ['--name', 'script'] });
  const viaScript = JSON.parse((await get(world, 'script.localhost')).text) as FixtureReply;
  t.deepEqual(viaScript.args.slice(0, 3), ['--port', String(viaScript.port), '--strictPort'], 'npm run dev -- --port N reaches vite');
});

test('a server that ignores PORT and keeps a port of its own (behind npm run dev): the URL goes to the port of its processes that speaks HTTP', async (t) => {
  const world = await sharedWorld(t);
  // The port that speaks no HTTP is the lower one: it is tried first and passed over.
  const [raw, fixed] = [await testPort(t), await testPort(t)].sort((a, b) => a - b) as [number, number];
  const project = await fixtureProject(world, 'fixed', { name: 'fixed', scripts: { dev: 'node server.mjs' } });
  const run = await runIn(t, world, project, ['npm', 'run', 'dev'], { env: { FIXTURE_FIXED_PORT: String(fixed), FIXTURE_RAW_PORT: String(raw) } });
  // Sent at once, before devtls has found the port: it waits for the dev server, then follows the move.
  const early = get(world, 'fixed.localhost');
  t.true(await eventually(() => run.output().includes('now goes to'), 10_000), run.output());
  const first = await early;
  t.is(first.status, 200, first.text);
  t.is((JSON.parse(first.text) as FixtureReply).port, fixed);
  const url = `https://fixed.localhost:${world.httpsPort}`;
  t.regex(run.output(), new RegExp(`devtls npm run dev listens on :${fixed} \\(and :${raw}\\), not on :\\d+ \\(PORT\\): ${url.replace(/\./g, '\\.')} now goes to http://127\\.0\\.0\\.1:${fixed}\\.`));
  const res = await get(world, 'fixed.localhost');
  t.is(res.status, 200);
  t.is((JSON.parse(res.text) as FixtureReply).port, fixed, 'served by the port the server chose');
  t.deepEqual((await world.status()).projects[0]?.routes, [{ host: 'fixed.localhost', path: '/', target: `http://127.0.0.1:${fixed}` }]);
});

test('a side HTTP port opened long before the server listens on PORT: the URL goes there for a while, then back to PORT for good', async (t) => {
  const world = await sharedWorld(t);
  const side = await testPort(t);
  const project = await fixtureProject(world, 'late', { name: 'late' });
  const run = await runIn(t, world, project, ['node', 'server.mjs'], { env: { FIXTURE_SIDE_HTTP_PORT: String(side), FIXTURE_LISTEN_AFTER_MS: '4000' } });
  t.true(await eventually(() => run.output().includes(`now goes to http://127.0.0.1:${side}.`), 10_000), run.output());
  t.is((await get(world, 'late.localhost')).text, 'side');
  t.true(await eventually(() => /devtls node server\.mjs now listens on :\d+: https:\/\/late\.localhost:\d+ goes there again\./.test(run.output()), 10_000), run.output());
  const reply = JSON.parse((await get(world, 'late.localhost')).text) as FixtureReply;
  t.is(reply.env['PORT'], String(reply.port), 'the server on PORT answers');
  t.deepEqual((await world.status()).projects[0]?.routes, [{ host: 'late.localhost', path: '/', target: `http://127.0.0.1:${reply.port}` }]);
});

test('a side HTTP port opened half a second before the server listens on PORT: the URL never moves', async (t) => {
  const world = await sharedWorld(t);
  const side = await testPort(t);
  const project = await fixtureProject(world, 'steady', { name: 'steady' });
  const run = await runIn(t, world, project, ['node', 'server.mjs'], { env: { FIXTURE_SIDE_HTTP_PORT: String(side), FIXTURE_LISTEN_AFTER_MS: '500' } });
  const reply = JSON.parse((await get(world, 'steady.localhost')).text) as FixtureReply;
  t.is(reply.env['PORT'], String(reply.port));
  // Longer than devtls waits before a port of the command's counts (1 s), with room.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  t.notRegex(run.output(), /now goes to/, run.output());
  t.is(JSON.parse((await get(world, 'steady.localhost')).text).port, reply.port);
});

test('a server that starts listening 2 s late: the first request, sent at once, succeeds', async (t) => {
  const world = await sharedWorld(t);
  const project = await fixtureProject(world, 'slow', { name: 'slow' });
  await runIn(t, world, project, ['node', 'server.mjs'], { env: { FIXTURE_LISTEN_AFTER_MS: '2000' } });
  const res = await get(world, 'slow.localhost');
  t.is(res.status, 200);
});

test('a dev server that never listens: after the connect timeout, a 502 page that names the command and port and reloads itself', async (t) => {
  const world = await sharedWorld(t);
  const project = await fixtureProject(world, 'never', { name: 'never' });
  await runIn(t, world, project, ['node', '-e', 'setTimeout(() => {}, 60000)']);
  const res = await get(world, 'never.localhost');
  t.is(res.status, 502);
  t.regex(res.text, /<meta http-equiv="refresh" content="2">/);
  t.regex(res.text, /waited for devtls run -- node -e &#39;setTimeout\(\(\) =&#62; \{\}, 60000\)&#39; to listen on :\d+/);
});

test('the command exits with code 3: devtls run exits 3 and the route is gone', async (t) => {
  const world = await sharedWorld(t);
  const keep = await fixtureProject(world, 'keep', { name: 'keep' });
  const project = await fixtureProject(world, 'crash', { name: 'crash' });
  await runIn(t, world, keep, ['node', 'server.mjs']);
  const run = await runIn(t, world, project, ['node', 'server.mjs'], { env: { FIXTURE_EXIT_CODE: '3', FIXTURE_EXIT_AFTER_MS: '1500' } });
  t.is((await get(world, 'crash.localhost')).status, 200);
  t.is(await exitOf(run.child), 3);
  t.true(await eventually(async () => (await world.status()).projects.every((project) => project.routes.every((route) => route.host !== 'crash.localhost')), 2_000));
  const after = await get(world, 'crash.localhost').catch((error: NodeJS.ErrnoException) => ({ status: error.code, text: '' }));
  t.true(after.status === 404 || after.status === 'ERR_TLS_CERT_ALTNAME_INVALID', `crash.localhost is no longer routed (${String(after.status)})`);
  t.is((await get(world, 'keep.localhost')).status, 200, 'the other project is unaffected');
});

test('SIGTERM and SIGHUP to devtls run reach the child, and devtls run exits 128 + the signal', async (t) => {
  const world = await sharedWorld(t);
  for (const [signal, number] of [['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    const project = await fixtureProject(world, `sig-${number}`, { name: `sig-${number}` });
    const run = await runIn(t, world, project, ['node', 'server.mjs']);
    t.is((await get(world, `sig-${number}.localhost`)).status, 200);
    run.child.kill(signal);
    t.is(await exitOf(run.child), 128 + number);
    t.is(await readFile(join(project.dir, 'signal.txt'), 'utf8'), signal, `the child received ${signal}`);
  }
});

test('with no instance running, a taken HTTPS port stops devtls run before the command ever starts', async (t) => {
  const world = await sharedWorld(t);
  t.is((await runDevtls(['ca'], { env: world.env })).code, 0, 'the CA exists, so only the port can stop the instance');
  const project = await fixtureProject(world, 'blocked', { name: 'blocked' });
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(world.httpsPort, '127.0.0.1', resolve));
  t.teardown(() => squatter.close());
  const result = await runDevtls(['run', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), '--', 'node', 'server.mjs'], {
    cwd: project.dir,
    env: { ...world.env, PATH: project.path },
  });
  t.is(result.code, 1, result.stderr);
  t.regex(result.stderr, new RegExp(`${world.httpsPort}`));
  t.false(existsSync(join(project.dir, 'server.pids')), 'the command never ran');
});

test('usage and command errors: no COMMAND exits 2, an unknown command 127, an invalid --name is one line', async (t) => {
  const world = await sharedWorld(t);
  const none = await runDevtls(['run'], { env: world.env });
  t.is(none.code, 2);
  t.regex(none.stderr, /Usage: devtls run/);
  const missing = await runDevtls(['run', '--', 'xyz-no-such-command'], { env: world.env });
  t.is(missing.code, 127);
  t.regex(missing.stderr, /^devtls: cannot run "xyz-no-such-command": command not found$/m);
  const bad = await runDevtls(['run', '--name', 'bad_name!', 'node'], { env: world.env });
  t.not(bad.code, 0);
  t.regex(bad.stderr, /--name "bad_name!" is not a valid host name/);
  t.deepEqual(await world.status(), { running: false, projects: [] }, 'nothing was registered');
});

let web: TestBackend;
test.before(async () => {
  web = await startBackend('web');
});
test.after.always(async () => {
  await web?.close();
});

test('a name another project serves: exit 1 naming it and --name', async (t) => {
  const world = await sharedWorld(t);
  const folder = await projectFolder(world, 'web', [{ host: 'shop.localhost', target: web.port }]);
  await upIn(t, world, folder);
  const project = await fixtureProject(world, 'shop', { name: 'shop' });
  const result = await runDevtls(['run', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), '--', 'node', 'server.mjs'], { cwd: project.dir, env: world.env });
  t.is(result.code, 1);
  t.regex(result.stderr, new RegExp(`shop\\.localhost is already served by another project: .*web[/\\\\]proxy\\.config\\.json`));
  t.regex(result.stderr, /--name/);
});

test('two runs and one up are served at once on one port', async (t) => {
  const world = await sharedWorld(t);
  const folder = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }]);
  await upIn(t, world, folder);
  const a = await fixtureProject(world, 'alpha', { name: 'alpha' });
  const b = await fixtureProject(world, 'beta', { name: 'beta' });
  const [runA, runB] = await Promise.all([runIn(t, world, a, ['node', 'server.mjs']), runIn(t, world, b, ['vite'])]);
  t.is(runA.url, `https://alpha.localhost:${world.httpsPort}`);
  t.is(runB.url, `https://beta.localhost:${world.httpsPort}`);
  const [alpha, beta, up] = await Promise.all([get(world, 'alpha.localhost'), get(world, 'beta.localhost'), get(world, 'web.localhost')]);
  t.deepEqual([alpha.status, beta.status, up.status], [200, 200, 200]);
  t.not((JSON.parse(alpha.text) as FixtureReply).port, (JSON.parse(beta.text) as FixtureReply).port);
  t.is((JSON.parse(up.text) as { server: string }).server, 'web');
  t.is((await world.status()).projects.length, 3);
});
