// `devtls run -- npm run dev` with a real Vite dev server, seen by a real browser: the page
// loads over https://NAME.localhost, Vite's HMR WebSocket connects through devtls (not
// around it), and an edit of a stylesheet is applied in the open page without a reload.
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrowser } from '../helpers/browser-session.js';
import { browserProfileTrusting } from '../helpers/chromium.js';
import { eventually } from '../helpers/eventually.js';
import { sharedWorld } from '../helpers/instance.js';
import { runIn, type FixtureProject } from '../helpers/run-fixtures.js';
import { requireTool } from '../helpers/tools.js';
import { tempDirFor } from '../helpers/temp-dir.js';

/** The repository's node_modules/.bin, where the devDependency `vite` is. */
const REPO_BIN = fileURLToPath(new URL('../../node_modules/.bin', import.meta.url));

/** A Vite app as `npm create vite` would leave it, minus its node_modules: Vite comes from PATH. */
async function viteApp(root: string): Promise<FixtureProject> {
  const dir = join(root, 'hmr-app');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'hmr-app', private: true, type: 'module', scripts: { dev: 'vite' } }, null, 2));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>hmr-app</title></head>\n<body><h1 id="title">Served by Vite through devtls</h1><script type="module" src="/main.js"></script></body></html>\n',
  );
  await writeFile(join(dir, 'main.js'), "import './style.css';\ndocument.getElementById('title').dataset.ready = 'yes';\n");
  await writeFile(join(dir, 'style.css'), 'body { color: rgb(200, 0, 0); font: 32px sans-serif; }\n');
  return { dir, bin: REPO_BIN, path: `${REPO_BIN}${delimiter}${process.env['PATH'] ?? ''}` };
}

interface SocketSeen {
  url: string;
  status?: number;
}

test('Vite behind devtls run in Chromium: the page loads, HMR connects through devtls, a CSS edit applies without a reload', async (t) => {
  if (!(await requireTool(t, 'chromium', 'apt-get install chromium'))) return;
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const world = await sharedWorld(t);
  const app = await viteApp(world.root);
  // Whatever happens to devtls run, Vite (the process group whose pid status shows) ends with the test.
  let devServer: number | undefined;
  t.teardown(() => {
    try {
      if (devServer !== undefined) process.kill(-devServer, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const run = await runIn(t, world, app, ['npm', 'run', 'dev']);
  t.is(run.url, `https://hmr-app.localhost:${world.httpsPort}`);
  t.true(await eventually(() => /Vite ignores PORT: devtls passes it its own flags for :\d+/.test(run.output())), run.output());
  const vitePort = Number(/→ http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output())?.[1]);
  devServer = (await world.status()).projects[0]?.pid;

  const caFile = join(world.root, 'ca.pem');
  await writeFile(caFile, await world.ca());
  const profile = await browserProfileTrusting(caFile);
  t.teardown(profile.remove);
  const browser = await startBrowser(profile);
  t.teardown(browser.close);
  const consoleLines: string[] = [];
  const sockets = new Map<string, SocketSeen>();
  browser.on('Runtime.consoleAPICalled', (params) => {
    consoleLines.push(((params['args'] as { value?: unknown }[] | undefined) ?? []).map((arg) => String(arg.value)).join(' '));
  });
  browser.on('Network.webSocketCreated', (params) => sockets.set(String(params['requestId']), { url: String(params['url']) }));
  browser.on('Network.webSocketHandshakeResponseReceived', (params) => {
    const seen = sockets.get(String(params['requestId']));
    if (seen !== undefined) seen.status = (params['response'] as { status: number }).status;
  });
  await browser.enable('Runtime');
  await browser.enable('Network');

  await browser.open(`${run.url}/`);
  t.true(await eventually(() => browser.evaluate<boolean>(`document.getElementById('title')?.dataset.ready === 'yes'`), 20_000), 'main.js ran');
  t.is(await browser.evaluate<string>(`location.protocol + document.getElementById('title').textContent`), 'https:Served by Vite through devtls');
  t.is(await browser.evaluate<string>(`getComputedStyle(document.body).color`), 'rgb(200, 0, 0)', 'style.css is applied');
  t.true(await eventually(() => consoleLines.includes('[vite] connected.'), 10_000), `Vite's client connected (console: ${JSON.stringify(consoleLines)})`);
  const hmr = [...sockets.values()];
  t.deepEqual(hmr.map((socket) => ({ url: socket.url.replace(/\?.*$/, ''), status: socket.status })), [{ url: `wss://hmr-app.localhost:${world.httpsPort}/`, status: 101 }], 'one WebSocket, through devtls, none straight to Vite');
  t.false(hmr.some((socket) => socket.url.includes(`:${vitePort}`)), 'no fallback to the dev server\'s own port');
  const folder = process.env['DEVTLS_SCREENSHOTS'] ?? (await tempDirFor(t, 'devtls-shots-'));
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'vite-before-edit.png'), await browser.screenshot());

  await browser.evaluate(`window.__marker = 1`);
  await writeFile(join(app.dir, 'style.css'), 'body { color: rgb(0, 120, 0); font: 32px sans-serif; }\n');
  t.true(await eventually(() => browser.evaluate<boolean>(`getComputedStyle(document.body).color === 'rgb(0, 120, 0)'`), 15_000), 'the edit reached the open page');
  t.is(await browser.evaluate<number>(`window.__marker`), 1, 'applied without a reload');
  t.is(await browser.evaluate<number>(`performance.getEntriesByType('navigation').length`), 1);
  await writeFile(join(folder, 'vite-after-edit.png'), await browser.screenshot());
  t.log(`screenshots in ${folder}`);
});
