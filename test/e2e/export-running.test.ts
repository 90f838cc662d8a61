// `devtls export --running`: every project of the running shared instance in one config,
// served by the real Caddy as the instance serves it.
import test from 'ava';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBackend, type EchoReply, type TestBackend } from '../helpers/backends.js';
import { runDevtls } from '../helpers/cli-process.js';
import { caddyEnvironment, startEngine } from '../helpers/engines.js';
import { httpsRequest } from '../helpers/https-client.js';
import { projectFolder, sharedWorld, upIn } from '../helpers/instance.js';
import { requireTool } from '../helpers/tools.js';

let web: TestBackend;
let api: TestBackend;

test.before(async () => {
  [web, api] = await Promise.all([startBackend('web'), startBackend('api')]);
});
test.after.always(async () => {
  await Promise.all([web, api].map((backend) => backend?.close()));
});

test('without a running devtls, --running is a one-line error, exit 1, nothing written', async (t) => {
  const world = await sharedWorld(t);
  const out = join(world.root, 'out');
  const result = await runDevtls(['export', 'caddy', '--running', '--out', out], { env: world.env });
  t.is(result.code, 1);
  t.regex(result.stderr, /^devtls: devtls is not running, so --running has no routes to export\n/);
  const both = await runDevtls(['export', 'caddy', '--running', '--config', 'proxy.config.json'], { env: world.env });
  t.is(both.code, 2, 'two flags that exclude each other: a usage error');
  t.regex(both.stderr, /mutually exclusive/);
});

test('--running exports the routes of every project, on the instance ports and CA, and Caddy serves them all', async (t) => {
  if (!(await requireTool(t, 'caddy', 'apt-get install caddy'))) return;
  const world = await sharedWorld(t);
  const one = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }]);
  const two = await projectFolder(world, 'api', [{ host: 'api.localhost', target: api.port }, { host: 'web.localhost', path: '/api', target: api.port, stripPrefix: true }]);
  await upIn(t, world, one);
  await upIn(t, world, two);

  await chmod(world.root, 0o755);
  const out = join(world.root, 'out');
  const exported = await runDevtls(['export', 'caddy', '--running', '--out', out, '--bind', '127.0.0.1'], { env: world.env });
  t.is(exported.code, 0, exported.stderr);
  t.regex(exported.stdout, /Exported 3 routes of 2 running projects for caddy/);
  const text = await readFile(join(out, 'Caddyfile'), 'utf8');
  t.regex(text, /from the running devtls \(2 projects: .*web[/\\]proxy\.config\.json, .*api[/\\]proxy\.config\.json\)/);
  t.true(text.includes(`https://web.localhost:${world.httpsPort} {`), 'the instance https port');
  t.is(await readFile(join(out, 'certs', 'devtls-ca.pem'), 'utf8'), await world.ca(), "the instance's CA");

  // The same ports as the instance: stop it first (its ups go with it), then run Caddy there.
  t.is((await runDevtls(['stop'], { env: world.env })).code, 0);
  const env = await caddyEnvironment(world.root);
  const caddy = await startEngine('caddy', ['run', '--config', 'Caddyfile', '--adapter', 'caddyfile'], { cwd: out, env, port: await waitFreed(world.httpsPort) });
  t.teardown(() => caddy.stop());
  const ca = await world.ca();
  for (const [host, path, server, url] of [
    ['web.localhost', '/page', 'web', '/page'],
    ['web.localhost', '/api/users', 'api', '/users'],
    ['api.localhost', '/v1', 'api', '/v1'],
  ] as const) {
    const res = await httpsRequest({ port: world.httpsPort, host, path, ca });
    t.is(res.status, 200, `${host}${path}`);
    const reply = JSON.parse(res.text) as EchoReply;
    t.is(reply.server, server, `${host}${path}`);
    t.is(reply.url, url, `${host}${path}`);
  }
});

/** The port, once nothing listens on it any more (the instance stopped); bounded. */
async function waitFreed(port: number): Promise<number> {
  const { createServer } = await import('node:net');
  for (let attempt = 0; attempt < 50; attempt++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`port ${port} is still in use`);
}

