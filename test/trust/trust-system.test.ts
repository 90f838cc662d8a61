import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEBIAN } from '../../dist/trust/store-paths.js';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { runDevtls, startDevtlsProcess } from '../helpers/cli-process.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { requireTool } from '../helpers/tools.js';

// For real, in the machine's Debian system store: only as root (CI runs as root). Every test
// puts the store back as it was, even when it fails.
const run = promisify(execFile);
const BUNDLE = DEBIAN.bundles[0] as string;
const JAVA_CACERTS = '/etc/ssl/certs/java/cacerts';

let page: TestBackend;
let devtls: TestDevtls;

test.before(async () => {
  page = await startBackend('page', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello from the dev server');
  });
  devtls = await startTestDevtls({ routes: [{ host: 'app.localhost', target: page.port }] });
});
test.after.always(async () => {
  await devtls?.stop();
  await page?.close();
});

async function canRun(t: ExecutionContext): Promise<boolean> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    if (process.env['CI'] === 'true') t.fail('CI must run as root to test the system store for real');
    else {
      t.log('SKIPPED: changing the system trust store needs root (CI runs this as root)');
      t.pass();
    }
    return false;
  }
  return (await requireTool(t, 'update-ca-certificates', 'apt-get install ca-certificates')) && (await requireTool(t, 'curl', 'apt-get install curl'));
}

async function optional(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch(() => undefined);
}

/** Snapshot the store now; the teardown removes our file(s), regenerates, and restores what a
 * hook may have rewritten (the Java keystore), then checks the bundle is byte-identical. */
async function restoreStoreAfter(t: ExecutionContext): Promise<{ bundle: Buffer }> {
  const bundle = await readFile(BUNDLE);
  const anchors = new Set(await readdir(DEBIAN.anchorsDir));
  const java = await optional(JAVA_CACERTS);
  t.teardown(async () => {
    let changed = false;
    for (const entry of await readdir(DEBIAN.anchorsDir)) {
      if (!anchors.has(entry)) {
        await rm(join(DEBIAN.anchorsDir, entry), { force: true });
        changed = true;
      }
    }
    if (changed || !(await readFile(BUNDLE)).equals(bundle)) await run('update-ca-certificates', ['--fresh']);
    if (java !== undefined && !(await optional(JAVA_CACERTS))?.equals(java)) await writeFile(JAVA_CACERTS, java);
  });
  return { bundle };
}

/** curl with only the system store: no --cacert, no CA variables. */
async function curl(): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const name of ['CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE']) delete env[name];
  const port = devtls.httpsPort;
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--max-time', '10', '--resolve', `app.localhost:${port}:127.0.0.1`, `https://app.localhost:${port}/`], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : -1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

async function upOutput(home: string, dir: string): Promise<string> {
  const { child, output } = await startDevtlsProcess(['up', '--https-port', '0', '--http-port', '0', '--host', '127.0.0.1', '--config', join(dir, 'proxy.config.json')], /Press Ctrl-C/, {
    env: { HOME: home, DEVTLS_CA_DIR: devtls.caDir },
  });
  child.kill('SIGTERM');
  return output();
}

test.serial('Debian system store for real: trust → curl (no --cacert) succeeds; untrust → certificate error; --check and devtls up say so truthfully', async (t) => {
  if (!(await canRun(t))) return;
  const { bundle } = await restoreStoreAfter(t);
  const { dir, remove } = await makeTempDir('devtls-trust-system-');
  t.teardown(remove);
  const home = join(dir, 'home');
  await mkdir(home);
  await writeFile(join(dir, 'proxy.config.json'), JSON.stringify({ routes: [{ host: 'app.localhost', target: page.port }] }));
  const env = { HOME: home, DEVTLS_CA_DIR: devtls.caDir };

  const untrustedCurl = await curl();
  t.is(untrustedCurl.code, 60, `curl must fail on the certificate before trust: ${untrustedCurl.stderr}`);
  const checkBefore = await runDevtls(['trust', '--check', '--store', 'system'], { env });
  t.is(checkBefore.code, 1);
  t.regex(checkBefore.stdout, /^system \(Debian\/Ubuntu\): not trusted$/m);

  const trust = await runDevtls(['trust'], { env, timeoutMs: 120_000 });
  t.is(trust.code, 0, trust.stdout + trust.stderr);
  const file = join(DEBIAN.anchorsDir, `devtls-${devtls.ca.fingerprintSha256.replace(/:/g, '').slice(0, 16).toLowerCase()}.crt`);
  t.true(trust.stdout.includes(`system (Debian/Ubuntu): added ${file} and ran update-ca-certificates`), trust.stdout);
  t.regex(trust.stdout, /^nss ~\/\.pki\/nssdb: created the database and added/m);
  t.is((await readFile(file, 'utf8')).trim(), devtls.ca.certPem.trim());

  const trustedCurl = await curl();
  t.is(trustedCurl.code, 0, trustedCurl.stderr);
  t.is(trustedCurl.stdout, 'hello from the dev server');
  const checkTrusted = await runDevtls(['trust', '--check'], { env });
  t.is(checkTrusted.code, 0, checkTrusted.stdout + checkTrusted.stderr);
  t.regex(checkTrusted.stdout, /^system \(Debian\/Ubuntu\): trusted$/m);
  t.regex(checkTrusted.stdout, /^nss ~\/\.pki\/nssdb: trusted$/m);
  t.regex(await upOutput(home, dir), /devtls CA trusted by this system: system \(Debian\/Ubuntu\), nss ~\/\.pki\/nssdb\./);

  const untrust = await runDevtls(['untrust'], { env, timeoutMs: 120_000 });
  t.is(untrust.code, 0, untrust.stdout + untrust.stderr);
  t.true(untrust.stdout.includes(`system (Debian/Ubuntu): removed ${file} and ran update-ca-certificates --fresh`), untrust.stdout);
  const failedCurl = await curl();
  t.is(failedCurl.code, 60, `curl must fail with a certificate error (exit 60): ${failedCurl.stderr}`);
  t.regex(failedCurl.stderr, /certificate/i);
  const checkAfter = await runDevtls(['trust', '--check', '--store', 'system'], { env });
  t.is(checkAfter.code, 1);
  t.regex(checkAfter.stdout, /^system \(Debian\/Ubuntu\): not trusted$/m);
  const up = await upOutput(home, dir);
  t.regex(up, /The devtls CA is not trusted yet by system \(Debian\/Ubuntu\), nss ~\/\.pki\/nssdb: [^\n]*\n {2}node (?:\S+\/)?dist\/cli\.js trust\n/);
  t.true((await readFile(BUNDLE)).equals(bundle), 'untrust leaves the bundle exactly as it was');
});

test.serial('untrust removes only our CA: a file holding another CA stays', async (t) => {
  if (!(await canRun(t))) return;
  await restoreStoreAfter(t);
  const other = await makeTempDir('devtls-other-ca-');
  t.teardown(other.remove);
  const { CertificateAuthority } = await import('../../dist/pki/certificate-authority.js');
  const otherCa = (await CertificateAuthority.open({ dir: other.dir })).ca;
  const foreign = join(DEBIAN.anchorsDir, 'devtls-other-test.crt');
  await writeFile(foreign, otherCa.certPem);
  const env = { DEVTLS_CA_DIR: devtls.caDir };
  t.is((await runDevtls(['trust', '--store', 'system'], { env, timeoutMs: 120_000 })).code, 0);
  const untrust = await runDevtls(['untrust', '--store', 'system'], { env, timeoutMs: 120_000 });
  t.is(untrust.code, 0, untrust.stderr);
  t.is(await readFile(foreign, 'utf8'), otherCa.certPem);
  t.false((await readdir(DEBIAN.anchorsDir)).some((entry) => entry.startsWith(`devtls-${devtls.ca.fingerprintSha256.replace(/:/g, '').slice(0, 16).toLowerCase()}`)));
});
