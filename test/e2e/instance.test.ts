// The shared instance: several projects' `devtls up` on one port, joining and leaving
// under load, crashes on either side, conflicts, mismatched settings, another user.
import test from 'ava';
import { writeFile, chmod } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import WebSocket from 'ws';
import { once } from 'node:events';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { runDevtls } from '../helpers/cli-process.js';
import { eventually } from '../helpers/eventually.js';
import { httpsRequest } from '../helpers/https-client.js';
import { exitOf, projectFolder, sharedWorld, upIn, type SharedWorld } from '../helpers/instance.js';
import { requireTool } from '../helpers/tools.js';

let web: TestBackend;
let api: TestBackend;
let docs: TestBackend;

test.before(async () => {
  [web, api, docs] = await Promise.all([startBackend('web'), startBackend('api'), startBackend('docs')]);
});
test.after.always(async () => {
  await Promise.all([web, api, docs].map((backend) => backend?.close()));
});

/** Which backend answers for `host`, or `not served` (a 404, or no certificate for the name any more). */
async function serverFor(world: SharedWorld, host: string, agent?: Agent): Promise<string> {
  try {
    const res = await httpsRequest({ port: world.httpsPort, host, ca: await world.ca(), ...(agent === undefined ? {} : { agent }) });
    return res.status === 200 ? (JSON.parse(res.text) as { server: string }).server : res.status === 404 ? 'not served' : `status ${res.status}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'not served';
    throw error;
  }
}

test('three projects in three folders are served on one port; status --json says what is served', async (t) => {
  const world = await sharedWorld(t);
  const a = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }]);
  const b = await projectFolder(world, 'api', [{ host: 'api.localhost', target: api.port }, { host: 'web.localhost', path: '/api', target: api.port }]);
  const c = await projectFolder(world, 'docs', [{ host: 'docs.localhost', target: docs.port }]);
  const first = await upIn(t, world, a);
  const second = await upIn(t, world, b);
  const third = await upIn(t, world, c);
  t.regex(first.output(), /Created a local certificate authority/);
  t.regex(second.output(), /Also serving 1 other project on this port:\n  .*web[/\\]proxy\.config\.json: web\.localhost/);
  t.regex(third.output(), /Also serving 2 other projects/);
  t.is(await serverFor(world, 'web.localhost'), 'web');
  t.is(await serverFor(world, 'api.localhost'), 'api');
  t.is(await serverFor(world, 'docs.localhost'), 'docs');
  const res = await httpsRequest({ port: world.httpsPort, host: 'web.localhost', path: '/api/users', ca: await world.ca() });
  t.is((JSON.parse(res.text) as { server: string }).server, 'api', 'a path route of another project on the same host');

  const status = await world.status();
  t.is(status.running, true);
  t.is(status.pid, await world.instancePid());
  t.is(status.httpsPort, world.httpsPort);
  t.is(status.httpPort, world.httpPort);
  t.deepEqual(
    status.projects.map((project) => ({ source: project.source, pid: project.pid })),
    [
      { source: join(a, 'proxy.config.json'), pid: first.child.pid as number },
      { source: join(b, 'proxy.config.json'), pid: second.child.pid as number },
      { source: join(c, 'proxy.config.json'), pid: third.child.pid as number },
    ],
  );
  t.deepEqual(status.projects[1]?.routes, [
    { host: 'api.localhost', path: '/', target: `http://127.0.0.1:${api.port}` },
    { host: 'web.localhost', path: '/api', target: `http://127.0.0.1:${api.port}` },
  ]);
  const human = await runDevtls(['status'], { env: world.env });
  t.regex(human.stdout, new RegExp(`devtls is running \\(pid ${status.pid}`));
  t.regex(human.stdout, /https:\/\/docs\.localhost:\d+ → http:\/\/127\.0\.0\.1:\d+/);

  // Ctrl-C: each leaves with exit 0; the last one takes the instance down and frees the port.
  for (const up of [second, third]) {
    up.child.kill('SIGINT');
    t.is(await exitOf(up.child), 0);
  }
  t.true(await eventually(async () => (await serverFor(world, 'api.localhost')) === 'not served', 2_000), 'a project that left is gone at once');
  t.is(await serverFor(world, 'web.localhost'), 'web');
  first.child.kill('SIGINT');
  t.is(await exitOf(first.child), 0);
  t.true(await portFree(world.httpsPort), 'the instance stopped and freed its port within 2 s');
  t.deepEqual(await world.status(), { running: false, projects: [] });
});

async function portFree(port: number): Promise<boolean> {
  return eventually(async () => {
    try {
      await httpsRequest({ port, host: 'web.localhost', ca: '' });
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
    }
  }, 2_000);
}

test('a project joins and leaves while another is under keep-alive load: no failed request, no closed WebSocket', async (t) => {
  const world = await sharedWorld(t);
  const a = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }]);
  const b = await projectFolder(world, 'api', [{ host: 'api.localhost', target: api.port }]);
  await upIn(t, world, a);
  const ca = await world.ca();
  const agent = new Agent({ keepAlive: true, maxSockets: 4, ca });
  t.teardown(() => agent.destroy());
  const ws = new WebSocket(`wss://127.0.0.1:${world.httpsPort}/live`, { servername: 'web.localhost', headers: { host: `web.localhost:${world.httpsPort}` }, ca } as WebSocket.ClientOptions);
  await once(ws, 'open');
  let closed = false;
  ws.on('close', () => (closed = true));
  let failures = 0;
  let requests = 0;
  let loading = true;
  const load = (async () => {
    while (loading && requests < 20_000) {
      requests++;
      const res = await httpsRequest({ port: world.httpsPort, host: 'web.localhost', ca, agent }).catch(() => undefined);
      if (res?.status !== 200) failures++;
    }
  })();
  for (let round = 0; round < 3; round++) {
    const joined = await upIn(t, world, b);
    t.is(await serverFor(world, 'api.localhost'), 'api');
    joined.child.kill(round === 1 ? 'SIGKILL' : 'SIGINT');
    await exitOf(joined.child);
    t.true(await eventually(async () => (await serverFor(world, 'api.localhost')) === 'not served', 2_000));
  }
  loading = false;
  await load;
  ws.send('still here');
  const [message] = (await once(ws, 'message')) as [Buffer];
  t.is(message.toString(), 'web:/live:still here');
  ws.close();
  t.false(closed);
  t.true(requests > 10);
  t.is(failures, 0, `${failures} of ${requests} requests failed while another project joined and left`);
});

test('kill -9 of an up: its routes are gone within 2 s; kill -9 of the instance: everything is back within 3 s', async (t) => {
  const world = await sharedWorld(t);
  const a = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }]);
  const b = await projectFolder(world, 'api', [{ host: 'api.localhost', target: api.port }]);
  const c = await projectFolder(world, 'docs', [{ host: 'docs.localhost', target: docs.port }]);
  const first = await upIn(t, world, a);
  const second = await upIn(t, world, b);
  await upIn(t, world, c);
  second.child.kill('SIGKILL');
  t.true(await eventually(async () => (await serverFor(world, 'api.localhost')) === 'not served', 2_000), 'routes of a killed up are removed within 2 s');
  t.is(await serverFor(world, 'web.localhost'), 'web');

  const old = await world.instancePid();
  t.truthy(old);
  process.kill(old as number, 'SIGKILL');
  t.true(
    await eventually(async () => (await serverFor(world, 'web.localhost')) === 'web' && (await serverFor(world, 'docs.localhost')) === 'docs', 3_000),
    first.output(),
  );
  const status = await world.status();
  t.not(status.pid, old);
  t.is(status.projects.length, 2, 'each living project registered again, once');
  t.regex(first.output(), /instance stopped unexpectedly; starting it again/);
});

test('a second project asking for a host and path another serves exits 1 naming both; a conflicting edit is refused like a broken one', async (t) => {
  const world = await sharedWorld(t);
  const a = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }, { host: 'web.localhost', path: '/api', target: api.port }]);
  const b = await projectFolder(world, 'other', [{ host: 'web.localhost', path: '/api', target: docs.port }]);
  await upIn(t, world, a);
  const refused = await runDevtls(['up', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), '--host', '127.0.0.1'], { cwd: b, env: world.env });
  t.is(refused.code, 1);
  t.regex(refused.stderr, new RegExp(`host web\\.localhost with path /api \\(web\\.localhost/api\\) is already served by ${escape(join(a, 'proxy.config.json'))}`));
  t.notRegex(refused.stderr, /\n\s+at /);
  t.is(await serverFor(world, 'web.localhost'), 'web');

  const c = await projectFolder(world, 'docs', [{ host: 'docs.localhost', target: docs.port }]);
  const third = await upIn(t, world, c);
  await writeFile(join(c, 'proxy.config.json'), JSON.stringify({ routes: [{ host: 'web.localhost', target: docs.port }] }));
  t.true(await eventually(() => /already served by .*still serving the last good routes/.test(third.output()), 5_000), third.output());
  t.is(await serverFor(world, 'docs.localhost'), 'docs');
  t.is(await serverFor(world, 'web.localhost'), 'web');
});

test('an up with other ports or another CA folder exits 1 saying what runs where', async (t) => {
  const world = await sharedWorld(t);
  const a = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }]);
  const b = await projectFolder(world, 'api', [{ host: 'api.localhost', target: api.port }]);
  await upIn(t, world, a);
  const otherPort = await runDevtls(['up', '--https-port', String(world.httpsPort + 1), '--http-port', String(world.httpPort), '--host', '127.0.0.1'], { cwd: b, env: world.env });
  t.is(otherPort.code, 1);
  t.regex(otherPort.stderr, new RegExp(`already running for this user \\(pid \\d+\\) on https :${world.httpsPort}, http :${world.httpPort}.*asks for https port ${world.httpsPort + 1}`));
  // devtls as these tests run it: node <checkout>/dist/cli.js.
  t.regex(otherPort.stderr, new RegExp(`cli\\.js up --https-port ${world.httpsPort} --http-port ${world.httpPort}\\), or stop it first: node \\S+cli\\.js stop`));
  const otherCa = await runDevtls(['up', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), '--host', '127.0.0.1', '--ca-dir', join(world.root, 'ca2')], { cwd: b, env: world.env });
  t.is(otherCa.code, 1);
  t.regex(otherCa.stderr, /asks for the CA in/);
  t.is(await serverFor(world, 'api.localhost'), 'not served', 'nothing of the refused project is served');
});

test('devtls stop stops the instance at once; every attached up says why and exits 0', async (t) => {
  const world = await sharedWorld(t);
  const a = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }]);
  const b = await projectFolder(world, 'api', [{ host: 'api.localhost', target: api.port }]);
  const first = await upIn(t, world, a);
  const second = await upIn(t, world, b);
  const stopped = await runDevtls(['stop'], { env: world.env });
  t.is(stopped.code, 0);
  t.regex(stopped.stdout, /Stopped devtls \(pid \d+\); 2 projects were told\./);
  for (const up of [first, second]) {
    t.is(await exitOf(up.child), 0);
    t.regex(up.output(), /devtls stopped: stopped with devtls stop\./);
  }
  t.true(await portFree(world.httpsPort));
  t.deepEqual(await world.status(), { running: false, projects: [] });
  const again = await runDevtls(['stop'], { env: world.env });
  t.is(again.code, 0);
  t.regex(again.stdout, /devtls is not running/);
});

test('another user pointed at this state folder is refused and registers nothing', async (t) => {
  if (process.getuid?.() !== 0) {
    if (process.env['CI'] === 'true') t.fail('CI runs as root to run a process as another user');
    else t.log('SKIPPED: needs root to run a process as another user');
    return t.pass();
  }
  if (!(await requireTool(t, 'setpriv', 'apt-get install util-linux'))) return;
  const world = await sharedWorld(t);
  const a = await projectFolder(world, 'web', [{ host: 'web.localhost', target: web.port }]);
  await upIn(t, world, a);
  // The other user's project lives where they can read it.
  const theirs = join(world.root, 'theirs');
  await projectFolder(world, 'theirs', [{ host: 'evil.localhost', target: docs.port }]);
  await chmod(world.root, 0o755);
  await chmod(theirs, 0o755);
  await chmod(join(theirs, 'proxy.config.json'), 0o644);
  const result = await runDevtls(['up', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort)], {
    cwd: theirs,
    env: { ...world.env, HOME: theirs },
    wrapper: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'],
  });
  t.is(result.code, 1, result.stdout + result.stderr);
  t.regex(result.stderr, /devtls (may not use the instance in|will not use) .*(permission denied|belongs to another user)/);
  t.is(await serverFor(world, 'evil.localhost'), 'not served');
  t.is((await world.status()).projects.length, 1);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
