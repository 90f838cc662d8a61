import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBackend, type TestBackend } from './helpers/backends.js';
import { browserProfileTrusting, dumpDom } from './helpers/chromium.js';
import { startTestDevtls, type TestDevtls } from './helpers/devtls-instance.js';
import { requireTool } from './helpers/tools.js';

let page: TestBackend;
let devtls: TestDevtls;
let caFile: string;

test.before(async () => {
  page = await startBackend('page', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>dev</title><p id="marker">served by the dev server through devtls</p>');
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
