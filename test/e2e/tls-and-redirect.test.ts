import test from 'ava';
import { execFile } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { httpsRequest } from '../helpers/https-client.js';

const run = promisify(execFile);
let app: TestBackend;
let devtls: TestDevtls;
let caFile: string;

test.before(async () => {
  app = await startBackend('app');
  devtls = await startTestDevtls({
    routes: [
      { host: 'app.localhost', target: app.port },
      { host: 'site.test', target: app.port },
      { host: '*.preview.localhost', target: app.port },
    ],
  });
  caFile = join(devtls.dir, 'ca-copy.pem');
  await writeFile(caFile, devtls.ca.certPem);
});

test.after.always(async () => {
  await devtls?.stop();
  await app?.close();
});

/** Run openssl s_client against devtls and return what it printed (never throws). */
async function sClient(args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('sh', ['-c', `echo | openssl s_client -connect 127.0.0.1:${devtls.httpsPort} ${args.join(' ')} 2>&1`], { timeout: 10_000 });
    const output = stdout + stderr;
    return { ok: /Verify return code: 0 \(ok\)/.test(output) && !/handshake failure|alert/.test(output), output };
  } catch (error) {
    return { ok: false, output: String(error) };
  }
}

test('curl, trusting only the devtls CA, gets the page over HTTPS', async (t) => {
  const url = `https://app.localhost:${devtls.httpsPort}/hello`;
  const { stdout } = await run('curl', ['-sS', '--fail', '--cacert', caFile, '--resolve', `app.localhost:${devtls.httpsPort}:127.0.0.1`, url]);
  t.like(JSON.parse(stdout), { server: 'app', url: '/hello' });
});

test('the served chain passes openssl verify -x509_strict for the host name', async (t) => {
  const { output } = await sClient(['-servername', 'app.localhost', '-verify_hostname', 'app.localhost', '-x509_strict', '-CAfile', caFile]);
  t.regex(output, /Verify return code: 0 \(ok\)/);
  t.regex(output, /Peer signature type: ECDSA|ecdsa/i);
});

test('TLS below 1.2 and suites without forward secrecy are refused', async (t) => {
  t.false((await sClient(['-servername', 'app.localhost', '-tls1_1', '-CAfile', caFile])).ok, 'TLS 1.1');
  t.false((await sClient(['-servername', 'app.localhost', '-tls1_2', '-cipher', 'AES128-GCM-SHA256', '-CAfile', caFile])).ok, 'RSA key exchange');
  const modern = await sClient(['-servername', 'app.localhost', '-tls1_2', '-CAfile', caFile]);
  t.true(modern.ok, modern.output);
  t.regex(modern.output, /ECDHE-ECDSA/);
});

test('a wildcard route gets a wildcard certificate on disk; an unrouted name the CA may sign gets one in memory and the 404 page', async (t) => {
  const preview = await httpsRequest({ port: devtls.httpsPort, host: 'pr-7.preview.localhost', ca: devtls.ca.certPem });
  t.is(preview.status, 200);
  const files = await readdir(devtls.certsDir);
  t.true(files.some((name) => name.includes('preview.localhost')), files.join(', '));
  // Verified for its exact name against the CA alone, then devtls's 404 page.
  for (const host of ['evil.localhost', 'a.b.preview.localhost']) {
    const res = await httpsRequest({ port: devtls.httpsPort, host, ca: devtls.ca.certPem });
    t.is(res.status, 404, host);
  }
  t.deepEqual(await readdir(devtls.certsDir), files, 'nothing was written for them');
  // A name the CA may not sign still gets the default certificate, which does not cover it.
  const error = await t.throwsAsync(httpsRequest({ port: devtls.httpsPort, host: 'www.example.com', ca: devtls.ca.certPem }));
  t.is((error as NodeJS.ErrnoException).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
});

test('a client that sends no SNI (by IP) gets the localhost certificate, valid for 127.0.0.1', async (t) => {
  const res = await httpsRequest({ port: devtls.httpsPort, host: 'app.localhost', servername: '', ca: devtls.ca.certPem });
  t.is(res.status, 200);
});

test('leaf keys are stored 0600 in a 0700 certs folder', async (t) => {
  t.is((await stat(devtls.certsDir)).mode & 0o777, 0o700);
  const keys = (await readdir(devtls.certsDir)).filter((name) => name.endsWith('-key.pem'));
  t.true(keys.length >= 2);
  for (const key of keys) t.is((await stat(join(devtls.certsDir, key))).mode & 0o777, 0o600, key);
});

function plainHttp(method: string, host: string, path: string): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: devtls.httpPort, method, path, headers: { host: `${host}:${devtls.httpPort}` }, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? 'a=1' : undefined);
  });
}

test('plain HTTP gets a 308 to https with host, path and query kept', async (t) => {
  const get = await plainHttp('GET', 'app.localhost', '/some/path?x=1&y=2');
  t.is(get.status, 308, '308 keeps the method and body, unlike 301/302');
  t.is(get.location, `https://app.localhost:${devtls.httpsPort}/some/path?x=1&y=2`);
  const post = await plainHttp('POST', 'site.test', '/form');
  t.is(post.status, 308);
  t.is(post.location, `https://site.test:${devtls.httpsPort}/form`);
  t.is((await plainHttp('GET', 'x.preview.localhost', '/')).status, 308);
});

test('plain HTTP for a host no route names gets 404, not a redirect', async (t) => {
  const res = await plainHttp('GET', 'unknown.localhost', '/');
  t.is(res.status, 404);
  t.regex(res.body, /app\.localhost/);
});
