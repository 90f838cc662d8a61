// The access log each `up` and `run` terminal prints: aligned lines by default, nothing per request
// with --quiet, one JSON object per line with --log json; WebSockets open and close.
import test from 'ava';
import { once } from 'node:events';
import WebSocket from 'ws';
import { deadPort, startBackend, type TestBackend } from '../helpers/backends.js';
import { eventually } from '../helpers/eventually.js';
import { httpsRequest } from '../helpers/https-client.js';
import { startDevtlsProcess } from '../helpers/cli-process.js';
import { exitOf, projectFolder, sharedWorld, upIn } from '../helpers/instance.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureProject, runIn } from '../helpers/run-fixtures.js';

let web: TestBackend;

test.before(async () => {
  web = await startBackend('web');
});
test.after.always(async () => {
  await web?.close();
});

test('each up prints one aligned line per request to its own hosts; --quiet prints none', async (t) => {
  const world = await sharedWorld(t);
  const down = await deadPort();
  const loud = await projectFolder(world, 'loud', [{ host: 'loud.localhost', target: web.port }, { host: 'down.localhost', target: down }]);
  const quiet = await projectFolder(world, 'quiet', [{ host: 'quiet.localhost', target: web.port }]);
  const a = await upIn(t, world, loud);
  const b = await upIn(t, world, quiet, ['--quiet']);
  const ca = await world.ca();
  const longPath = `/src/components/${'very-long-folder-name/'.repeat(4)}Button.tsx?v=1`;
  // The quiet project's requests first: once the loud one's lines are printed, they would have been too.
  t.is((await httpsRequest({ port: world.httpsPort, host: 'quiet.localhost', path: '/q', ca })).status, 200);
  t.is((await httpsRequest({ port: world.httpsPort, host: 'loud.localhost', path: longPath, ca })).status, 200);
  t.is((await httpsRequest({ port: world.httpsPort, host: 'down.localhost', path: '/x', method: 'POST', ca })).status, 502);
  t.true(await eventually(() => /POST +down\.localhost\/x +502/.test(a.output()), 5_000), a.output());

  const lines = a.output().split('\n').filter((line) => /^\d\d:\d\d:\d\d /.test(line));
  t.is(lines.length, 2, lines.join('\n'));
  const [ok, failed] = lines as [string, string];
  t.regex(ok, /^\d\d:\d\d:\d\d GET +loud\.localhost\/src\/components\/.*….*Button\.tsx\?v=1 +200 +\d+ ms +\d+(\.\d)? (B|kB) h1$/);
  t.regex(failed, /^\d\d:\d\d:\d\d POST +down\.localhost\/x +502 +\d+(\.\d)? (ms|s) +\d+(\.\d)? (B|kB) h1$/);
  t.is(ok.indexOf(' 200 '), failed.indexOf(' 502 '), 'the status columns line up');
  t.regex(a.output(), /502 down\.localhost → http:\/\/127\.0\.0\.1:\d+: refused the connection/, 'the error line is printed as before');
  t.notRegex(a.output(), /quiet\.localhost\/q/, 'another project\'s request is not in this terminal');
  t.notRegex(b.output(), /quiet\.localhost\/q/, '--quiet prints no line per request');
});

test('--log json prints one JSON object per line, WebSocket open and close included', async (t) => {
  const world = await sharedWorld(t);
  const dir = await projectFolder(world, 'json', [{ host: 'json.localhost', target: web.port }]);
  const up = await startDevtlsProcess(
    ['up', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), '--host', '127.0.0.1', '--log', 'json'],
    /"message":"ready"/,
    { cwd: dir, env: world.env },
  );
  t.teardown(() => up.child.kill('SIGKILL'));
  let stdout = '';
  up.child.stdout?.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  const ca = await world.ca();
  t.is((await httpsRequest({ port: world.httpsPort, host: 'json.localhost', path: '/api?x=1', ca })).status, 200);
  const ws = new WebSocket(`wss://127.0.0.1:${world.httpsPort}/live`, { servername: 'json.localhost', headers: { host: `json.localhost:${world.httpsPort}` }, ca } as WebSocket.ClientOptions);
  await once(ws, 'open');
  ws.send('hello');
  await once(ws, 'message');
  ws.close();
  await once(ws, 'close');
  t.true(await eventually(() => stdout.includes('"websocket":"close"'), 5_000), stdout);

  const objects = stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  const requests = objects.filter((object) => 'status' in object);
  t.like(requests[0], { method: 'GET', host: 'json.localhost', path: '/api?x=1', status: 200, protocol: 'h1' });
  t.true(typeof requests[0]?.['bytes'] === 'number' && (requests[0]['bytes'] as number) > 0);
  t.regex(String(requests[0]?.['time']), /^\d{4}-\d\d-\d\dT/);
  t.like(requests[1], { host: 'json.localhost', path: '/live', status: 101, protocol: 'ws', websocket: 'open' });
  t.like(requests[2], { host: 'json.localhost', path: '/live', status: 101, protocol: 'ws', websocket: 'close' });
  t.true((requests[2]?.['bytes'] as number) > 0, 'bytes relayed both ways');
});

test('devtls run prints its own host\'s requests among the dev server\'s output, marked as devtls\'s; --quiet prints none', async (t) => {
  const world = await sharedWorld(t);
  const loud = await fixtureProject(world, 'loud', { name: 'loud' });
  const quiet = await fixtureProject(world, 'quiet', { name: 'quiet' });
  const a = await runIn(t, world, loud, ['node', 'server.mjs']);
  const b = await runIn(t, world, quiet, ['node', 'server.mjs'], { devtlsArgs: ['--quiet'] });
  const ca = await world.ca();
  t.is((await httpsRequest({ port: world.httpsPort, host: 'quiet.localhost', path: '/q', ca })).status, 200);
  t.is((await httpsRequest({ port: world.httpsPort, host: 'loud.localhost', path: '/page?x=1', ca })).status, 200);
  t.true(await eventually(() => /loud\.localhost\/page/.test(a.output()), 5_000), a.output());
  t.regex(a.output(), /^devtls \d\d:\d\d:\d\d GET +loud\.localhost\/page\?x=1 +200 +\d+ ms +\d+(\.\d)? (B|kB) h1$/m);
  t.notRegex(a.output(), /quiet\.localhost\/q/, 'another project\'s request is not in this terminal');
  t.notRegex(b.output(), /quiet\.localhost\/q/, '--quiet prints no line per request');
});

test('devtls run --log json: requests and devtls\'s own messages as JSON objects, one per line', async (t) => {
  const world = await sharedWorld(t);
  const project = await fixtureProject(world, 'tools', { name: 'tools' });
  const run = await startDevtlsProcess(
    ['run', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), '--log', 'json', '--', 'node', 'server.mjs'],
    /"message":"(https:\/\/\S+) →/,
    { cwd: project.dir, env: { ...world.env, PATH: project.path } },
  );
  // The dev server writes into the project folder when a signal reaches it: wait for both to end before the folder goes.
  t.teardown(async () => {
    run.child.kill('SIGTERM');
    if (run.child.exitCode === null && run.child.signalCode === null) await exitOf(run.child);
    for (const pid of (await readFile(join(project.dir, 'server.pids'), 'utf8').catch(() => '')).split('\n').filter((line) => line !== '')) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  t.is(run.match[1], `https://tools.localhost:${world.httpsPort}`);
  t.is((await httpsRequest({ port: world.httpsPort, host: 'tools.localhost', path: '/api', ca: await world.ca() })).status, 200);
  t.true(await eventually(() => run.output().includes('"path":"/api"'), 5_000), run.output());
  const line = run.output().split('\n').find((text) => text.includes('"path":"/api"')) as string;
  t.like(JSON.parse(line), { method: 'GET', host: 'tools.localhost', path: '/api', status: 200, protocol: 'h1' });
});

test('a notice comes after the lines of the requests that ended before it', async (t) => {
  const world = await sharedWorld(t);
  const down = await deadPort();
  const dir = await projectFolder(world, 'order', []);
  // A short connect timeout: the refused dev server's 502 comes after 300 ms, not 5 s.
  const routes = [{ host: 'order.localhost', target: web.port }, { host: 'gone.localhost', target: down }];
  await writeFile(join(dir, 'proxy.config.json'), JSON.stringify({ timeouts: { connect: 300 }, routes }));
  const up = await upIn(t, world, dir);
  const ca = await world.ca();
  // Each request ends before the next starts; the notices (a refused dev server, an unrouted
  // name) are sent at once, the requests' lines within 50 ms: they must still come first.
  t.is((await httpsRequest({ port: world.httpsPort, host: 'order.localhost', path: '/first', ca })).status, 200);
  t.is((await httpsRequest({ port: world.httpsPort, host: 'gone.localhost', path: '/second', ca })).status, 502);
  t.is((await httpsRequest({ port: world.httpsPort, host: 'order.localhost', path: '/third', ca })).status, 200);
  t.is((await httpsRequest({ port: world.httpsPort, host: 'nowhere.localhost', path: '/', ca })).status, 404);
  t.true(await eventually(() => /nowhere\.localhost: no route serves this name/.test(up.output()) && /order\.localhost\/third/.test(up.output()), 5_000), up.output());
  const at = (pattern: RegExp): number => up.output().search(pattern);
  const order = [/GET +order\.localhost\/first +200/, /502 gone\.localhost → /, /GET +gone\.localhost\/second +502/, /GET +order\.localhost\/third +200/, /nowhere\.localhost: no route serves this name/].map(at);
  t.true(order.every((position) => position >= 0), up.output());
  t.deepEqual([...order].sort((a, b) => a - b), order, up.output());
});
