// The status page at https://devtls.localhost: what the instance serves, live, read-only,
// answered only under its own name; the name reserved for it.
import test, { type ExecutionContext } from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { deadPort, startBackend, type TestBackend } from '../helpers/backends.js';
import { browserProfileTrusting } from '../helpers/chromium.js';
import { startBrowser } from '../helpers/browser-session.js';
import { CLI_INVOCATION, runDevtls } from '../helpers/cli-process.js';
import { eventually } from '../helpers/eventually.js';
import { httpsRequest } from '../helpers/https-client.js';
import { projectFolder, sharedWorld, upIn, type SharedWorld } from '../helpers/instance.js';
import { requireTool } from '../helpers/tools.js';
import { tempDirFor } from '../helpers/temp-dir.js';

let web: TestBackend;

test.before(async () => {
  web = await startBackend('web');
});
test.after.always(async () => {
  await web?.close();
});

async function servingWorld(t: ExecutionContext, given?: SharedWorld): Promise<{ world: SharedWorld; ca: string; down: number; dir: string }> {
  const world = given ?? (await sharedWorld(t));
  const down = await deadPort();
  const dir = await projectFolder(world, 'shop', [{ host: 'web.localhost', target: web.port }, { host: 'down.localhost', path: '/api', target: down }]);
  await upIn(t, world, dir);
  return { world, ca: await world.ca(), down, dir };
}

test('/api/status is status --json plus target states and recent requests; read-only, no CORS, CSP self only', async (t) => {
  const { world, ca, down } = await servingWorld(t);
  t.is((await httpsRequest({ port: world.httpsPort, host: 'web.localhost', path: '/seen', ca })).status, 200);
  const res = await httpsRequest({ port: world.httpsPort, host: 'devtls.localhost', path: '/api/status', ca });
  t.is(res.status, 200);
  const api = JSON.parse(res.text) as Record<string, unknown> & { targets: { target: string; state: string }[]; recent: { host: string; path: string; status: number }[] };
  const status = await world.status();
  t.like(api, status as unknown as Record<string, unknown>, 'the same shape and values as devtls status --json');
  t.deepEqual(
    api.targets.map(({ target, state }) => ({ target, state })),
    [
      { target: `http://127.0.0.1:${web.port}`, state: 'up' },
      { target: `http://127.0.0.1:${down}`, state: 'refusing' },
    ],
  );
  t.like(api.recent.at(-1), { host: 'web.localhost', path: '/seen', status: 200 });
  // The test CA is in no system store: the doctor's handshake through the system bundle says so, with the fix.
  const trust = api['trust'] as { checkedAt: string; stores: { store: string; state: string; fix: string }[] };
  t.like(trust.stores.find((store) => store.store.startsWith('system')), { state: 'not trusted', fix: `${CLI_INVOCATION} trust --store system` });
  t.false(Number.isNaN(Date.parse(trust.checkedAt)));
  t.regex(String(res.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
  t.false(Object.keys(res.headers).some((name) => name.startsWith('access-control-')), 'never CORS headers');

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    const refused = await httpsRequest({ port: world.httpsPort, host: 'devtls.localhost', path: '/api/status', method, ca });
    t.is(refused.status, 405, method);
    t.is(refused.headers['allow'], 'GET, HEAD');
  }
  const head = await httpsRequest({ port: world.httpsPort, host: 'devtls.localhost', path: '/', method: 'HEAD', ca });
  t.is(head.status, 200);
  const noPort = await httpsRequest({ port: world.httpsPort, host: 'devtls.localhost', path: '/api/status', headers: { host: 'devtls.localhost' }, ca });
  t.is(noPort.status, 200, 'Host without the port is the same site');
  const redirect = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    get({ host: '127.0.0.1', port: world.httpPort, path: '/api/status', headers: { host: 'devtls.localhost' } }, (answer) => {
      answer.resume();
      resolve({ status: answer.statusCode ?? 0, location: answer.headers.location });
    }).on('error', reject);
  });
  t.deepEqual(redirect, { status: 308, location: `https://devtls.localhost:${world.httpsPort}/api/status` }, 'plain http is redirected like a routed host');
  // Another name on the same connection (a rebinding page's Host) never reaches it.
  const other = await httpsRequest({ port: world.httpsPort, host: 'devtls.localhost', path: '/api/status', headers: { host: `evil.localhost:${world.httpsPort}` }, ca });
  t.not(other.status, 200);
  t.notRegex(other.text, /"running"/);
  const otherSni = await httpsRequest({ port: world.httpsPort, host: 'devtls.localhost', servername: 'web.localhost', path: '/api/status', ca });
  t.is(otherSni.status, 404, 'a connection opened for another name does not reach it');
  t.notRegex(otherSni.text, /"running"/);
});

test('a route for devtls.localhost is refused with a clear error', async (t) => {
  const world = await sharedWorld(t);
  const dir = await projectFolder(world, 'greedy', [{ host: 'devtls.localhost', target: web.port }]);
  const result = await runDevtls(['up', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), '--host', '127.0.0.1'], { cwd: dir, env: world.env });
  t.is(result.code, 1);
  t.regex(result.stderr, /proxy\.config\.json:\d+:\d+.*"devtls\.localhost" is reserved: devtls serves its status page there/s);
});

test.serial('Chromium shows the routes, a target that is down, and a request made after the page opened, live over HTTP/2', async (t) => {
  if (!(await requireTool(t, 'chromium', 'apt-get install chromium'))) return;
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  // The CA first, so that the browser's NSS database trusts it, and the instance (started
  // with that HOME) finds the database trusting it: the page shows that store trusted.
  const world = await sharedWorld(t);
  t.is((await runDevtls(['ca'], { env: world.env })).code, 0);
  const ca = await world.ca();
  const caFile = join(world.root, 'ca.pem');
  await writeFile(caFile, ca);
  const profile = await browserProfileTrusting(caFile);
  t.teardown(profile.remove);
  world.env['HOME'] = profile.home;
  await servingWorld(t, world);
  const folder = process.env['DEVTLS_SCREENSHOTS'] ?? (await tempDirFor(t, 'devtls-shots-'));
  await mkdir(folder, { recursive: true });
  const browser = await startBrowser(profile);
  t.teardown(browser.close);

  await browser.open(`https://devtls.localhost:${world.httpsPort}/`);
  t.true(await eventually(() => browser.evaluate<boolean>(`document.getElementById('live').textContent === 'live'`), 10_000), 'the live stream opened');
  const routes = await browser.evaluate<string[][]>(`[...document.querySelectorAll('tr[data-origin]')].map((tr) => [...tr.cells].slice(0, 4).map((td) => td.textContent))`);
  t.deepEqual(routes, [
    ['web.localhost', 'up', `http://127.0.0.1:${web.port}`, '/'],
    ['down.localhost', 'refusing', routes[1]?.[2] as string, '/api'],
  ]);
  t.is(await browser.evaluate<string>(`location.protocol + performance.getEntriesByType('navigation')[0].nextHopProtocol`), 'https:h2');
  const stores = await browser.evaluate<string[][]>(`[...document.querySelectorAll('#trust li')].map((li) => [li.dataset.store, li.querySelector('.state').textContent])`);
  t.deepEqual(stores.find(([store]) => store?.startsWith('nss')), ['nss ~/.pki/nssdb', 'trusted'], 'the browser\'s own database, checked with a handshake');
  t.deepEqual(stores.find(([store]) => store?.startsWith('system'))?.[1], 'not trusted');

  t.is((await httpsRequest({ port: world.httpsPort, host: 'web.localhost', path: '/made-after-the-page-opened', ca })).status, 200);
  const appeared = await eventually(() => browser.evaluate<boolean>(`document.getElementById('requests').textContent.includes('web.localhost/made-after-the-page-opened')`), 10_000);
  t.true(appeared, 'the request appears without a reload');
  t.is(await browser.evaluate<number>(`performance.getEntriesByType('navigation').length`), 1, 'no reload happened');
  await writeFile(join(folder, 'status-wide.png'), await browser.screenshot());

  // Filters: by host, by status.
  await browser.evaluate(`(() => { const f = document.getElementById('filter-host'); f.value = 'down'; f.dispatchEvent(new Event('input')); })()`);
  t.is(await browser.evaluate<number>(`[...document.getElementById('requests').rows].filter((tr) => !tr.hidden).length`), 0);

  await browser.open(`https://devtls.localhost:${world.httpsPort}/`, 390, 844);
  t.true(await eventually(() => browser.evaluate<boolean>(`document.getElementById('live').textContent === 'live'`), 10_000));
  t.true(await browser.evaluate<boolean>(`document.documentElement.scrollWidth <= window.innerWidth`), 'no sideways scrolling of the whole page on a phone');
  await writeFile(join(folder, 'status-phone.png'), await browser.screenshot());

  await browser.open(`https://typo.localhost:${world.httpsPort}/`);
  t.true(await browser.evaluate<boolean>(`document.querySelector('header a').href === 'https://devtls.localhost:${world.httpsPort}/'`), 'the 404 page links to the status page');
  await writeFile(join(folder, 'not-found.png'), await browser.screenshot());
  t.log(`screenshots in ${folder}`);
});
