import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { dumpDom, type BrowserProfile } from '../helpers/chromium.js';
import { runDevtls } from '../helpers/cli-process.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { requireTool } from '../helpers/tools.js';

const run = promisify(execFile);
const PAGE = 'served by the dev server through devtls';

let page: TestBackend;
let devtls: TestDevtls;

test.before(async () => {
  page = await startBackend('page', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>dev</title><p id="marker">${PAGE}</p>`);
  });
  devtls = await startTestDevtls({ routes: [{ host: 'app.localhost', target: page.port }] });
});
test.after.always(async () => {
  await devtls?.stop();
  await page?.close();
});

async function tools(t: ExecutionContext): Promise<boolean> {
  return (await requireTool(t, 'chromium', 'apt-get install chromium')) && (await requireTool(t, 'certutil', 'apt-get install libnss3-tools'));
}

/** A throwaway HOME, optionally with an empty NSS database at `nssdb` (relative to it). */
async function home(t: ExecutionContext, nssdb?: string): Promise<BrowserProfile> {
  const { dir, remove } = await makeTempDir('devtls-trust-home-');
  t.teardown(remove);
  if (nssdb !== undefined) {
    await mkdir(join(dir, nssdb), { recursive: true });
    await run('certutil', ['-d', `sql:${join(dir, nssdb)}`, '-N', '--empty-password']);
  }
  return { home: dir, remove };
}

function devtlsIn(profile: BrowserProfile, args: string[]) {
  return runDevtls(args, { env: { HOME: profile.home, DEVTLS_CA_DIR: devtls.caDir } });
}

async function nicknames(db: string): Promise<string> {
  return (await run('certutil', ['-L', '-d', `sql:${db}`])).stdout;
}

const url = (): string => `https://app.localhost:${devtls.httpsPort}/`;

for (const { name, nssdb, expectedDb } of [
  { name: 'legacy ~/.pki/nssdb', nssdb: '.pki/nssdb', expectedDb: '.pki/nssdb' },
  { name: 'XDG ~/.local/share/pki/nssdb (Chromium 146+)', nssdb: '.local/share/pki/nssdb', expectedDb: '.local/share/pki/nssdb' },
  { name: 'no database yet: devtls creates ~/.pki/nssdb', nssdb: undefined, expectedDb: '.pki/nssdb' },
]) {
  test.serial(`Chromium, ${name}: trust --store nss → page loads; untrust --store nss → ERR_CERT_AUTHORITY_INVALID`, async (t) => {
    if (!(await tools(t))) return;
    const profile = await home(t, nssdb);
    const db = join(profile.home, expectedDb);

    const before = await devtlsIn(profile, ['trust', '--check', '--store', 'nss']);
    t.is(before.code, 1, before.stdout + before.stderr);
    t.regex(before.stdout, new RegExp(`^nss ~/${expectedDb.replace(/\./g, '\\.')}: not trusted`, 'm'));

    const trusted = await devtlsIn(profile, ['trust', '--store', 'nss']);
    t.is(trusted.code, 0, trusted.stdout + trusted.stderr);
    t.regex(trusted.stdout, new RegExp(`nss ~/${expectedDb.replace(/\./g, '\\.')}: ${nssdb === undefined ? 'created the database and ' : ''}added "devtls-[0-9a-f]{16}"`));
    t.true((await stat(join(db, 'cert9.db'))).isFile());
    t.regex(await nicknames(db), /devtls-[0-9a-f]{16}\s+C,,/);
    const check = await devtlsIn(profile, ['trust', '--check', '--store', 'nss']);
    t.is(check.code, 0, check.stdout + check.stderr);
    t.regex(check.stdout, /: trusted$/m);

    const loaded = await dumpDom(url(), profile);
    t.regex(loaded.dom, new RegExp(PAGE), loaded.errors);
    t.notRegex(loaded.errors, /ERR_CERT/);

    const untrusted = await devtlsIn(profile, ['untrust', '--store', 'nss']);
    t.is(untrusted.code, 0, untrusted.stdout + untrusted.stderr);
    t.regex(untrusted.stdout, /removed "devtls-[0-9a-f]{16}"/);
    t.notRegex(await nicknames(db), /devtls-/);
    const rejected = await dumpDom(url(), { home: profile.home, remove: profile.remove });
    t.notRegex(rejected.dom, new RegExp(PAGE));
    t.regex(rejected.errors, /ERR_CERT_AUTHORITY_INVALID/);
    const after = await devtlsIn(profile, ['trust', '--check', '--store', 'nss']);
    t.is(after.code, 1);
  });
}

/** A leaf signed directly with the CA's key by openssl (not through devtls's API, which refuses
 * names outside the constraints), served by a plain https server on 127.0.0.1. */
async function serveLeafSignedByCaKey(t: ExecutionContext, host: string): Promise<number> {
  const { dir, remove } = await makeTempDir('devtls-leaf-');
  t.teardown(remove);
  await writeFile(
    join(dir, 'leaf.cnf'),
    `[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=${host}\n[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${host}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`,
  );
  await run('openssl', [
    'req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-config', join(dir, 'leaf.cnf'), '-extensions', 'ext', '-days', '30',
    '-CA', join(devtls.caDir, 'rootCA.pem'), '-CAkey', join(devtls.caDir, 'rootCA-key.pem'),
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ]);
  const server: Server = createHttpsServer({ cert: await readFile(join(dir, 'cert.pem')), key: await readFile(join(dir, 'key.pem')) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><p>${host} page</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

test.serial('name constraints hold in Chromium: with the CA trusted, a leaf for evil.example.com signed by its key is rejected; app.localhost loads', async (t) => {
  if (!(await tools(t))) return;
  if (!(await requireTool(t, 'openssl', 'apt-get install openssl'))) return;
  const profile = await home(t, '.pki/nssdb');
  const trusted = await devtlsIn(profile, ['trust', '--store', 'nss']);
  t.is(trusted.code, 0, trusted.stdout + trusted.stderr);

  const evilPort = await serveLeafSignedByCaKey(t, 'evil.example.com');
  const evil = await dumpDom(`https://evil.example.com:${evilPort}/`, profile, ['--host-resolver-rules=MAP evil.example.com 127.0.0.1']);
  t.notRegex(evil.dom, /evil\.example\.com page/);
  t.regex(evil.errors, /net::ERR_CERT_INVALID/);
  t.notRegex(evil.errors, /ERR_CONNECTION|ERR_NAME_NOT_RESOLVED/);

  const controlPort = await serveLeafSignedByCaKey(t, 'app.localhost');
  const control = await dumpDom(`https://app.localhost:${controlPort}/`, profile);
  t.regex(control.dom, /app\.localhost page/, control.errors);
});
