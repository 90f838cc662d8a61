import test from 'ava';
import { once } from 'node:events';
import { unlink, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import WebSocket from 'ws';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { serveConfigFile } from '../../dist/app/serve-config-file.js';
import { MemoryLogger } from '../helpers/memory-logger.js';
import { deadPort, startBackend, type TestBackend } from '../helpers/backends.js';
import { testPort } from '../helpers/test-ports.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { EDITOR_SAVES, type SaveStyle } from '../helpers/editor-saves.js';
import { eventually } from '../helpers/eventually.js';
import { httpsRequest } from '../helpers/https-client.js';

let blue: TestBackend;
let green: TestBackend;

test.before(async () => {
  [blue, green] = await Promise.all([startBackend('blue'), startBackend('green')]);
});

test.after.always(async () => {
  await Promise.all([blue, green].map((backend) => backend?.close()));
});

function configText(routes: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ routes, ...extra }, null, 2) + '\n';
}

async function serverFor(devtls: TestDevtls, host: string, agent?: Agent): Promise<string> {
  const res = await httpsRequest({ port: devtls.httpsPort, host, ca: devtls.ca.certPem, ...(agent === undefined ? {} : { agent }) });
  if (res.status !== 200) return `status ${res.status}`;
  return (JSON.parse(res.text) as { server: string }).server;
}

async function watched(t: import('ava').ExecutionContext, routes: unknown[]): Promise<TestDevtls> {
  const devtls = await startTestDevtls(configText(routes), { watch: true });
  t.teardown(() => devtls.stop());
  return devtls;
}

test('each editor save style is picked up, and the watch survives 20 saves in a row', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  const styles = Object.keys(EDITOR_SAVES) as SaveStyle[];
  for (let i = 0; i < 24; i++) {
    const style = styles[i % styles.length] as SaveStyle;
    const backend = i % 2 === 0 ? green : blue;
    await EDITOR_SAVES[style](devtls.configFile, configText([{ host: 'app.localhost', target: backend.port }]));
    const expected = i % 2 === 0 ? 'green' : 'blue';
    const switched = await eventually(async () => (await serverFor(devtls, 'app.localhost')) === expected);
    t.true(switched, `save #${i + 1} (${style}) took effect`);
  }
  t.false(devtls.logger.lines.some((line) => /error|still serving/.test(line)), devtls.logger.lines.join('\n'));
});

test('50 route swaps under continuous keep-alive load: no failed request, no 5xx', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  const agent = new Agent({ keepAlive: true, maxSockets: 4, ca: devtls.ca.certPem });
  t.teardown(() => agent.destroy());
  let done = false;
  const outcomes = { ok: 0, failed: [] as string[] };
  const deadline = Date.now() + 60_000;
  const worker = async (): Promise<void> => {
    while (!done && Date.now() < deadline) {
      try {
        const server = await serverFor(devtls, 'app.localhost', agent);
        if (server === 'blue' || server === 'green') outcomes.ok++;
        else outcomes.failed.push(server);
      } catch (error) {
        outcomes.failed.push(String(error));
      }
    }
  };
  const workers = Array.from({ length: 4 }, () => worker());
  for (let swap = 1; swap <= 50; swap++) {
    const backend = swap % 2 === 0 ? blue : green;
    const routes = [{ host: 'app.localhost', target: backend.port }, { host: `extra-${swap}.localhost`, target: backend.port }];
    const reloadsBefore = devtls.logger.lines.filter((line) => line.startsWith('reloaded')).length;
    await EDITOR_SAVES[swap % 2 === 0 ? 'in place' : 'write temp then rename'](devtls.configFile, configText(routes));
    const reloaded = await eventually(() => devtls.logger.lines.filter((line) => line.startsWith('reloaded')).length > reloadsBefore);
    t.true(reloaded, `swap ${swap} applied`);
  }
  done = true;
  await Promise.all(workers);
  t.deepEqual(outcomes.failed, []);
  t.true(outcomes.ok > 50, `${outcomes.ok} requests succeeded during the swaps`);
});

test('a broken edit is reported with file:line:col, the old routes keep serving, a later good edit applies', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  await writeFile(devtls.configFile, `{\n  "routes": [\n    { "host": "app.localhost", "target": ${green.port}, }\n  ]\n}\n`);
  t.true(await eventually(() => devtls.logger.lines.some((line) => /proxy\.config\.json:3:\d+: .*still serving the last good routes/.test(line))), devtls.logger.lines.join('\n'));
  t.is(await serverFor(devtls, 'app.localhost'), 'blue');
  await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: 70000 }]));
  t.true(await eventually(() => devtls.logger.lines.some((line) => /proxy\.config\.json:\d+:\d+: .*70000/.test(line))));
  t.is(await serverFor(devtls, 'app.localhost'), 'blue');
  await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: green.port }, { host: 'api.app.localhost', target: blue.port }]));
  t.true(await eventually(async () => (await serverFor(devtls, 'app.localhost')) === 'green'));
  const reloaded = devtls.logger.lines.find((line) => line.startsWith('reloaded'));
  t.regex(reloaded ?? '', new RegExp(`\\+ api\\.app\\.localhost → :${blue.port}`));
  t.regex(reloaded ?? '', new RegExp(`~ app\\.localhost → :${green.port}`));
});

test('a file caught half-written mid-save gives no spurious error', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  const full = configText([{ host: 'app.localhost', target: green.port }]);
  await writeFile(devtls.configFile, '');
  await writeFile(devtls.configFile, full.slice(0, 20));
  await writeFile(devtls.configFile, full);
  t.true(await eventually(async () => (await serverFor(devtls, 'app.localhost')) === 'green'));
  await new Promise((resolve) => setTimeout(resolve, 400)); // past the settle time, when a real error would be reported
  t.false(devtls.logger.lines.some((line) => /still serving/.test(line)), devtls.logger.lines.join('\n'));
});

test('a request waiting for a dev server that is not listening follows an edit of the route\'s port', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: await deadPort() }]);
  const waiting = httpsRequest({ port: devtls.httpsPort, host: 'app.localhost', path: '/waited', ca: devtls.ca.certPem });
  // Long enough for devtls to have been refused at least once; well inside the 5 s connect timeout.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: blue.port }]));
  const res = await waiting;
  t.is(res.status, 200, res.text);
  t.like(JSON.parse(res.text), { server: 'blue', url: '/waited' });
});

test('a removed route answers 404 from the next request; a deleted file keeps the last routes', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }, { host: 'old.localhost', target: blue.port }]);
  t.is(await serverFor(devtls, 'old.localhost'), 'blue');
  await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: blue.port }]));
  t.true(await eventually(async () => (await serverFor(devtls, 'old.localhost')) === 'status 404'));
  t.true(devtls.logger.lines.some((line) => line.includes('- old.localhost')));
  await unlink(devtls.configFile);
  t.true(await eventually(() => devtls.logger.lines.some((line) => /was deleted/.test(line))));
  t.is(await serverFor(devtls, 'app.localhost'), 'blue');
  await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: green.port }]));
  t.true(await eventually(async () => (await serverFor(devtls, 'app.localhost')) === 'green'), `recreating the file resumes the watch: ${devtls.logger.lines.join('\n')}`);
});

test('a host added at run time is served with a certificate a client trusting only the CA accepts', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: blue.port }, { host: 'new.localhost', target: green.port }]));
  t.true(await eventually(async () => (await serverFor(devtls, 'new.localhost')) === 'green'));
});

test('an open WebSocket survives an unrelated route change', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  const ws = new WebSocket(`wss://127.0.0.1:${devtls.httpsPort}/live`, {
    servername: 'app.localhost',
    headers: { host: `app.localhost:${devtls.httpsPort}` },
    ca: devtls.ca.certPem,
  } as WebSocket.ClientOptions);
  t.teardown(() => ws.terminate());
  await once(ws, 'open');
  await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: blue.port }, { host: 'other.localhost', target: green.port }]));
  t.true(await eventually(async () => (await serverFor(devtls, 'other.localhost')) === 'green'));
  ws.send('still there?');
  const [message] = (await once(ws, 'message')) as [Buffer];
  t.is(message.toString(), 'blue:/live:still there?');
});

test('listen ports in the file move when edited; the old port stops accepting', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  const [first, second] = [await testPort(t), await testPort(t)];
  const configFile = `${temp.dir}/proxy.config.json`;
  let release: () => void = () => undefined;
  const held = await startBackend('held', (_req, res) => {
    res.writeHead(200);
    res.write('started;');
    release = () => res.end('finished');
  });
  t.teardown(() => held.close());
  const routes = [{ host: 'app.localhost', target: blue.port }, { host: 'held.localhost', target: held.port }];
  await writeFile(configFile, configText(routes, { httpsPort: first, httpPort: false }));
  const logger = new MemoryLogger();
  const running = await serveConfigFile({ configFile, caDir: `${temp.dir}/ca`, hosts: ['127.0.0.1'], logger });
  t.teardown(() => running.stop());
  t.is(running.proxy.httpsPort, first);
  // A response in flight on the old port when the port moves.
  const inFlight = httpsRequest({ port: first, host: 'held.localhost', ca: running.ca.certPem });
  t.true(await eventually(() => held.requests.length === 1));
  await writeFile(configFile, configText(routes, { httpsPort: second, httpPort: false }));
  t.true(await eventually(() => running.proxy.httpsPort === second), logger.lines.join('\n'));
  t.is((await httpsRequest({ port: second, host: 'app.localhost', ca: running.ca.certPem })).status, 200);
  t.true(logger.lines.some((line) => line.includes(`https moved from :${first} to :${second}`)), logger.lines.join('\n'));
  const refused = await t.throwsAsync(httpsRequest({ port: first, host: 'app.localhost', ca: running.ca.certPem }));
  t.is((refused as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  release();
  const finished = await inFlight;
  t.is(finished.text, 'started;finished', 'the request in flight on the old port finished');
});

test('a port move that cannot open every new listener changes nothing: old ports, old routes', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  const [first, second, redirect] = [await testPort(t), await testPort(t), await testPort(t)];
  // Another program holds the HTTP port the edit asks for.
  const busy = createNetServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => busy.close());
  const busyPort = (busy.address() as AddressInfo).port;
  const configFile = `${temp.dir}/proxy.config.json`;
  await writeFile(configFile, configText([{ host: 'app.localhost', target: blue.port }], { httpsPort: first, httpPort: redirect }));
  const logger = new MemoryLogger();
  const running = await serveConfigFile({ configFile, caDir: `${temp.dir}/ca`, hosts: ['127.0.0.1'], logger });
  t.teardown(() => running.stop());
  await writeFile(configFile, configText([{ host: 'app.localhost', target: green.port }], { httpsPort: second, httpPort: busyPort }));
  t.true(await eventually(() => logger.lines.some((line) => line.includes('still serving the last good routes'))), logger.lines.join('\n'));
  t.regex(logger.lines.join('\n'), new RegExp(`Port ${busyPort} \\(HTTP`));
  t.is(running.proxy.httpsPort, first);
  t.is(running.proxy.httpPort, redirect);
  const old = await httpsRequest({ port: first, host: 'app.localhost', ca: running.ca.certPem });
  t.is((JSON.parse(old.text) as { server: string }).server, 'blue', 'the old routes keep serving on the old port');
  const refused = await t.throwsAsync(httpsRequest({ port: second, host: 'app.localhost', ca: running.ca.certPem }));
  t.is((refused as NodeJS.ErrnoException).code, 'ECONNREFUSED', 'the HTTPS listener opened for the move was closed again');
});

test('saves in quick succession are coalesced, and the last one wins', async (t) => {
  const devtls = await watched(t, [{ host: 'app.localhost', target: blue.port }]);
  const reloadsBefore = devtls.logger.lines.filter((line) => line.startsWith('reloaded')).length;
  for (let i = 1; i <= 6; i++) {
    const last = i === 6;
    await writeFile(devtls.configFile, configText([{ host: 'app.localhost', target: last ? green.port : blue.port, path: last ? '/' : `/v${i}` }]));
  }
  t.true(await eventually(async () => (await serverFor(devtls, 'app.localhost')) === 'green'));
  await new Promise((resolve) => setTimeout(resolve, 400)); // past the settle re-read
  const reloads = devtls.logger.lines.filter((line) => line.startsWith('reloaded')).length - reloadsBefore;
  t.true(reloads >= 1 && reloads < 6, `${reloads} reloads for 6 quick saves`);
  t.is(await serverFor(devtls, 'app.localhost'), 'green');
});
