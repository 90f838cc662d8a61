import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { browserProfileTrusting, dumpDom } from '../helpers/chromium.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { requireTool } from '../helpers/tools.js';

const MODULES = 300;
let page: TestBackend;
let devtls: TestDevtls;
let caFile: string;

test.before(async () => {
  page = await startBackend('page', (req, res) => {
    const url = req.url ?? '/';
    const module = /^\/modules\/m(\d+)\.js$/.exec(url);
    if (module !== null) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`export default ${module[1]};`);
    } else if (url === '/modules/main.js') {
      // Like a Vite dev page: one entry importing hundreds of small ES modules.
      const imports = Array.from({ length: MODULES }, (_, i) => `import m${i} from './m${i}.js';`).join('\n');
      const sum = Array.from({ length: MODULES }, (_, i) => `m${i}`).join(' + ');
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`${imports}\nconst done = document.createElement('p'); done.id = 'loaded'; done.textContent = 'modules loaded: sum ' + (${sum}) + ' protocols: ' + [...new Set(performance.getEntriesByType('resource').map((e) => e.nextHopProtocol))].join(','); document.body.append(done);`);
    } else if (url === '/modules/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>modules</title><script type="module" src="/modules/main.js"></script><body></body>');
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<!doctype html><title>dev</title><p id="marker">served by the dev server through devtls</p>' +
          `<p id="protocol"></p><script>document.getElementById('protocol').textContent = 'protocol=' + performance.getEntriesByType('navigation')[0].nextHopProtocol;</script>`,
      );
    }
  });
  devtls = await startTestDevtls({ routes: [{ host: 'app.localhost', target: page.port }] });
  caFile = join(devtls.dir, 'ca.pem');
  await writeFile(caFile, devtls.ca.certPem);
});

test.after.always(async () => {
  await devtls?.stop();
  await page?.close();
});

test.serial('headless Chromium trusting the devtls CA loads https://app.localhost through devtls', async (t) => {
  if (!(await requireTool(t, 'chromium', 'apt-get install chromium'))) return;
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const profile = await browserProfileTrusting(caFile);
  t.teardown(profile.remove);
  const { dom, errors } = await dumpDom(`https://app.localhost:${devtls.httpsPort}/`, profile);
  t.regex(dom, /served by the dev server through devtls/, errors);
  t.notRegex(errors, /ERR_CERT/);
  t.regex(dom, /protocol=h2/, 'the page itself reports HTTP/2 as its next-hop protocol');
});

test.serial('a page importing 300 ES modules loads completely over HTTP/2', async (t) => {
  if (!(await requireTool(t, 'chromium', 'apt-get install chromium'))) return;
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const profile = await browserProfileTrusting(caFile);
  t.teardown(profile.remove);
  const before = page.requests.length;
  const { dom, errors } = await dumpDom(`https://app.localhost:${devtls.httpsPort}/modules/`, profile);
  const expectedSum = (MODULES * (MODULES - 1)) / 2;
  t.regex(dom, new RegExp(`modules loaded: sum ${expectedSum} protocols: h2<`), errors);
  t.true(page.requests.length - before >= MODULES + 2, 'every module was fetched through devtls');
});

test.serial('the same page fails with a certificate error when the CA is not trusted', async (t) => {
  if (!(await requireTool(t, 'chromium', 'apt-get install chromium'))) return;
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const profile = await browserProfileTrusting(undefined);
  t.teardown(profile.remove);
  const { dom, errors } = await dumpDom(`https://app.localhost:${devtls.httpsPort}/`, profile);
  t.notRegex(dom, /served by the dev server/);
  t.regex(errors, /ERR_CERT_AUTHORITY_INVALID/);
});

test.serial('a mistyped name the CA may sign shows devtls\'s 404 page, not a certificate error', async (t) => {
  if (!(await requireTool(t, 'chromium', 'apt-get install chromium'))) return;
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const profile = await browserProfileTrusting(caFile);
  t.teardown(profile.remove);
  const { dom, errors } = await dumpDom(`https://typo.localhost:${devtls.httpsPort}/`, profile);
  t.notRegex(errors, /ERR_CERT/);
  t.regex(dom, /devtls has no route for typo\.localhost\//, errors);
  t.regex(dom, new RegExp(`https://app\\.localhost:${devtls.httpsPort}/`), 'the page lists the hosts that are served');
});
