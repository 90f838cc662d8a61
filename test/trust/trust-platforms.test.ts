import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { elevatedArgv } from '../../dist/trust/command-runner.js';
import { ARCH, CHROMIUM_NSS_DBS, DEBIAN, FEDORA, MACOS, OPENSUSE, WSL } from '../../dist/trust/store-paths.js';
import { macosKeychainStore, parseFindCertificate } from '../../dist/trust/macos-keychain.js';
import { detectStores } from '../../dist/trust/all-stores.js';
import type { TrustEnvironment } from '../../dist/trust/store-contract.js';
import { pemFingerprints, trustedCa, type TrustedCa } from '../../dist/trust/trusted-ca.js';
import { parseCertutilStore, windowsRootStore } from '../../dist/trust/windows-store.js';
import { isWsl } from '../../dist/trust/wsl.js';
import { runDevtls, startDevtlsProcess } from '../helpers/cli-process.js';
import { recordingRunner } from '../helpers/recording-runner.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { PROC_VERSION, certutilStoreOutput, securityFindCertificateOutput } from '../helpers/trust-fixtures.js';

let ca: TrustedCa;
let other: TrustedCa;
let caDir: string;
let removeAll: () => Promise<void>;

test.before(async () => {
  const temp = await makeTempDir('devtls-trust-platforms-');
  removeAll = temp.remove;
  caDir = join(temp.dir, 'ca');
  ca = trustedCa((await CertificateAuthority.open({ dir: caDir })).ca);
  other = trustedCa((await CertificateAuthority.open({ dir: join(temp.dir, 'other-ca') })).ca);
});
test.after.always(async () => removeAll?.());

function environment(overrides: Partial<TrustEnvironment>): TrustEnvironment {
  return { platform: 'linux', home: '/home/ada', root: '/nonexistent-root', isRoot: false, procVersion: PROC_VERSION.debian, runner: recordingRunner(() => undefined), ...overrides };
}

async function fakeRoot(t: import('ava').ExecutionContext, dirs: string[]): Promise<string> {
  const temp = await makeTempDir('devtls-fake-root-');
  t.teardown(temp.remove);
  for (const dir of dirs) await mkdir(join(temp.dir, dir), { recursive: true });
  return temp.dir;
}

test('the store name carries the fingerprint, so two devtls CAs never share a file name or nickname', async (t) => {
  t.regex(ca.storeName, /^devtls-[0-9a-f]{16}$/);
  t.is(ca.storeName, `devtls-${ca.sha256.slice(0, 16).toLowerCase()}`);
  t.is(other.commonName, ca.commonName, 'same user and host: same subject');
  t.not(other.storeName, ca.storeName);
  t.deepEqual(pemFingerprints(ca.certPem), [ca.sha256]);
});

// Each system store path, detected from a fake filesystem root laid out like that distribution.
const layouts = [
  { name: 'Debian/Ubuntu', dirs: [DEBIAN.anchorsDir, '/etc/ssl/certs'], label: 'system (Debian/Ubuntu)' },
  { name: 'Fedora/RHEL', dirs: [FEDORA.anchorsDir, '/etc/pki/tls/certs'], label: 'system (Fedora/RHEL)' },
  { name: 'openSUSE', dirs: [OPENSUSE.anchorsDir], label: 'system (openSUSE)' },
  { name: 'Arch', dirs: [ARCH.trustSourceDir, '/etc/ssl/certs'], label: 'system (Arch, p11-kit)' },
  { name: 'Fedora with a stray Debian folder', dirs: [FEDORA.anchorsDir, DEBIAN.anchorsDir], label: 'system (Fedora/RHEL)' },
  { name: 'none (a minimal container)', dirs: ['/etc'], label: undefined },
];
for (const layout of layouts) {
  test(`system store detection: ${layout.name}`, async (t) => {
    const root = await fakeRoot(t, layout.dirs);
    const stores = await detectStores(environment({ root }), 'system');
    t.deepEqual(stores.map((store) => store.label), layout.label === undefined ? [] : [layout.label]);
  });
}

const anchorStores = [
  { paths: DEBIAN, file: `/usr/local/share/ca-certificates/`, ext: '.crt', refresh: ['update-ca-certificates'], removal: ['update-ca-certificates', '--fresh'] },
  { paths: FEDORA, file: `/etc/pki/ca-trust/source/anchors/`, ext: '.pem', refresh: ['update-ca-trust', 'extract'], removal: ['update-ca-trust', 'extract'] },
  { paths: OPENSUSE, file: `/etc/pki/trust/anchors/`, ext: '.pem', refresh: ['update-ca-certificates'], removal: ['update-ca-certificates'] },
];
for (const store of anchorStores) {
  test(`${store.paths.anchorsDir}: install runs exactly these steps elevated, check reads the bundle, untrust removes our file`, async (t) => {
    const root = await fakeRoot(t, [store.paths.anchorsDir]);
    const runner = recordingRunner(() => ({ code: 0 }));
    const [system] = await detectStores(environment({ root, runner }), 'system');
    if (system === undefined) return t.fail('not detected');
    const target = join(root, store.file, `${ca.storeName}${store.ext}`);
    t.deepEqual(system.adminSteps(ca, 'install'), [`install -m 0644 ${ca.certPath} ${target}`, store.refresh.join(' ')]);
    t.is((await system.check(ca)).trusted, false);
    await system.install(ca);
    t.deepEqual(runner.calls, [
      { argv: ['install', '-m', '0644', ca.certPath, target], elevated: true },
      { argv: store.refresh, elevated: true },
    ]);
    // What the refresh tool would produce: the bundle now holds the CA.
    const bundle = join(root, store.paths.bundles[0] as string);
    await mkdir(join(bundle, '..'), { recursive: true });
    await writeFile(bundle, `# another root\n${ca.certPem}`);
    t.is((await system.check(ca)).trusted, true);
    await writeFile(target, ca.certPem);
    await writeFile(join(root, store.paths.anchorsDir, `someone-else${store.ext}`), other.certPem);
    runner.calls.length = 0;
    await system.uninstall(ca);
    t.deepEqual(runner.calls, [
      { argv: ['rm', '-f', target], elevated: true },
      { argv: store.removal, elevated: true },
    ]);
  });
}

test('Arch: trust anchor --store / --remove with the CA file, elevated', async (t) => {
  const root = await fakeRoot(t, [ARCH.trustSourceDir]);
  const runner = recordingRunner(() => ({ code: 0 }));
  const [system] = await detectStores(environment({ root, runner }), 'system');
  if (system === undefined) return t.fail('not detected');
  await system.install(ca);
  t.deepEqual(runner.calls, [{ argv: ['trust', 'anchor', '--store', ca.certPath], elevated: true }]);
  const bundle = join(root, ARCH.bundles[0]);
  await mkdir(join(bundle, '..'), { recursive: true });
  await writeFile(bundle, ca.certPem);
  t.true((await system.check(ca)).trusted);
  await system.uninstall(ca);
  t.deepEqual(runner.calls.at(-1), { argv: ['trust', 'anchor', '--remove', ca.certPath], elevated: true });
});

test('elevation: sudo only for steps that need it, and never when already root', (t) => {
  t.deepEqual(elevatedArgv(['update-ca-certificates'], true, false), ['sudo', 'update-ca-certificates']);
  t.deepEqual(elevatedArgv(['update-ca-certificates'], true, true), ['update-ca-certificates']);
  t.deepEqual(elevatedArgv(['certutil', '-L'], false, false), ['certutil', '-L']);
});

test('Chromium NSS paths: the XDG database and the legacy one are each found; with none, the legacy one is created only when asked', async (t) => {
  for (const [dirs, expected] of [
    [[CHROMIUM_NSS_DBS.xdg], ['nss ~/.local/share/pki/nssdb']],
    [[CHROMIUM_NSS_DBS.legacy], ['nss ~/.pki/nssdb']],
    [[CHROMIUM_NSS_DBS.xdg, CHROMIUM_NSS_DBS.legacy], ['nss ~/.local/share/pki/nssdb', 'nss ~/.pki/nssdb']],
  ] as const) {
    const home = await fakeRoot(t, [...dirs]);
    t.deepEqual((await detectStores(environment({ home }), 'nss')).map((store) => store.label), [...expected]);
  }
  const empty = await fakeRoot(t, []);
  t.deepEqual((await detectStores(environment({ home: empty }), 'all')).map((store) => store.label), [], 'no browser, no database: nothing');
  t.deepEqual((await detectStores(environment({ home: empty }), 'nss')).map((store) => store.label), ['nss ~/.pki/nssdb'], '--store nss');
  const withChromium = environment({ home: empty, runner: recordingRunner(() => undefined, ['chromium']) });
  t.deepEqual((await detectStores(withChromium, 'all')).map((store) => store.label), ['nss ~/.pki/nssdb'], 'chromium installed');
});

test('macOS login keychain: exact security commands, and trust read from recorded find-certificate output', async (t) => {
  const home = '/Users/ada';
  const keychain = `${home}/${MACOS.loginKeychain}`;
  let listing = securityFindCertificateOutput(ca, keychain, false);
  let verifyCode = 0;
  const runner = recordingRunner((argv) => (argv[1] === 'find-certificate' ? { stdout: listing } : argv[1] === 'verify-cert' ? { code: verifyCode } : { code: 0 }));
  const env = environment({ platform: 'darwin', home, runner });
  const [store] = await detectStores(env, 'system');
  if (store === undefined) return t.fail('not detected');
  t.is(store.label, 'macOS login keychain');
  t.deepEqual(store.adminSteps(ca, 'install'), [], 'the login keychain needs no admin rights');
  t.false((await store.check(ca)).trusted, 'only another devtls CA with the same name is in the keychain');
  await store.install(ca);
  t.deepEqual(runner.calls.at(-1), { argv: ['security', 'add-trusted-cert', '-r', 'trustRoot', '-k', keychain, ca.certPath], elevated: false });
  t.deepEqual(runner.calls[0], { argv: ['security', 'find-certificate', '-a', '-Z', '-c', ca.commonName, keychain], elevated: false });
  listing = securityFindCertificateOutput(ca, keychain);
  t.true((await store.check(ca)).trusted);
  t.deepEqual(runner.calls.at(-1)?.argv, ['security', 'verify-cert', '-c', ca.certPath, '-p', 'ssl', '-L']);
  verifyCode = 1;
  t.deepEqual(await store.check(ca), { trusted: false, note: 'in the keychain but not trusted for SSL' });
  runner.calls.length = 0;
  await store.uninstall(ca);
  t.deepEqual(runner.calls.slice(1), [
    { argv: ['security', 'remove-trusted-cert', ca.certPath], elevated: false },
    { argv: ['security', 'delete-certificate', '-Z', ca.sha1, keychain], elevated: false },
  ]);
});

test('macOS System keychain: -d (admin trust settings) and each step elevated', async (t) => {
  const runner = recordingRunner((argv) => (argv[1] === 'find-certificate' ? { stdout: securityFindCertificateOutput(ca, MACOS.systemKeychain) } : { code: 0 }));
  const store = macosKeychainStore(environment({ platform: 'darwin', home: '/Users/ada', runner }), 'system');
  t.deepEqual(store.adminSteps(ca, 'install'), [`security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${ca.certPath}`]);
  await store.uninstall(ca);
  t.deepEqual(runner.calls.slice(1), [
    { argv: ['security', 'remove-trusted-cert', '-d', ca.certPath], elevated: true },
    { argv: ['security', 'delete-certificate', '-Z', ca.sha1, MACOS.systemKeychain], elevated: true },
  ]);
});

test('parseFindCertificate reads both hashes of each certificate, and SHA-1-only output of older macOS', (t) => {
  const entries = parseFindCertificate(securityFindCertificateOutput(ca, '/k'));
  t.is(entries.length, 2);
  t.deepEqual(entries[1], { sha256: ca.sha256, sha1: ca.sha1, keychain: '/k' });
  const old = parseFindCertificate(`SHA-1 hash: ${ca.sha1}\nkeychain: "/k"\nSHA-1 hash: ${'AB'.repeat(20)}\nkeychain: "/k"\n`);
  t.deepEqual(old.map((entry) => entry.sha1), [ca.sha1, 'AB'.repeat(20)]);
});

for (const style of ['windows11', 'windows7'] as const) {
  test(`Windows user Root store: exact certutil commands, trust read from recorded output (${style})`, async (t) => {
    let listing = certutilStoreOutput(undefined, style);
    const runner = recordingRunner((argv) => (argv[2] === '-store' ? { stdout: listing } : { code: 0 }));
    const [store] = await detectStores(environment({ platform: 'win32', home: 'C:\\Users\\ada', runner }), 'system');
    if (store === undefined) return t.fail('not detected');
    t.is(store.label, 'Windows user Root store');
    t.deepEqual(parseCertutilStore(certutilStoreOutput(ca.sha1, style)).at(-1), ca.sha1);
    t.false((await store.check(ca)).trusted);
    await store.install(ca);
    t.deepEqual(runner.calls.map((call) => call.argv), [
      ['certutil', '-user', '-store', 'Root'],
      ['certutil', '-user', '-store', 'Root'],
      ['certutil', '-user', '-addstore', 'Root', ca.certPath],
    ]);
    t.false(runner.calls.some((call) => call.elevated), 'the user store needs no admin rights');
    listing = certutilStoreOutput(ca.sha1, style);
    t.true((await store.check(ca)).trusted);
    await store.uninstall(ca);
    t.deepEqual(runner.calls.at(-1)?.argv, ['certutil', '-user', '-delstore', 'Root', ca.sha1]);
  });
}

test('WSL is recognised from /proc/version (WSL 1 and 2), and a plain Linux kernel is not', (t) => {
  t.true(isWsl(PROC_VERSION.wsl2));
  t.true(isWsl(PROC_VERSION.wsl1));
  t.false(isWsl(PROC_VERSION.debian));
});

test('WSL: the Windows store is offered through certutil.exe with the Windows path of the CA, never included in "all"', async (t) => {
  const runner = recordingRunner((argv) => {
    if (argv[0] === WSL.wslpath) return { stdout: '\\\\wsl.localhost\\Debian\\home\\ada\\.local\\share\\devtls\\rootCA.pem\n' };
    if (argv[2] === '-store') return { stdout: certutilStoreOutput(undefined, 'windows11') };
    return { code: 0 };
  });
  const env = environment({ procVersion: PROC_VERSION.wsl2, runner });
  t.false((await detectStores(env, 'all')).some((store) => store.kind === 'windows'));
  const [store] = await detectStores(env, 'windows');
  if (store === undefined) return t.fail('not detected');
  t.is(store.label, 'windows (user Root store, via WSL)');
  await store.install(ca);
  t.deepEqual(runner.calls.at(-1)?.argv, [WSL.certutilExe, '-user', '-addstore', 'Root', '\\\\wsl.localhost\\Debian\\home\\ada\\.local\\share\\devtls\\rootCA.pem']);
  t.true(runner.calls.some((call) => call.argv.join(' ') === `wslpath -w ${ca.certPath}`));
  const onPath = recordingRunner(() => ({ code: 0, stdout: '' }), ['certutil.exe']);
  const [viaPath] = await detectStores(environment({ procVersion: PROC_VERSION.wsl1, runner: onPath }), 'windows');
  await viaPath?.check(ca);
  t.is(onPath.calls.at(-1)?.argv[0], 'certutil.exe');
  t.deepEqual(await detectStores(environment({ runner }), 'windows'), [], 'not WSL: no Windows store');
});

/** A shell with none of the CA variables set (the machine running the tests may set some). */
const CLEAN_CA_VARIABLES = { NODE_EXTRA_CA_CERTS: '', DENO_CERT: '', REQUESTS_CA_BUNDLE: '', SSL_CERT_FILE: '', CURL_CA_BUNDLE: '', GIT_SSL_CAINFO: '' };

test('devtls env: every CA line names the CA or a bundle in the CA folder that holds it, with a note', async (t) => {
  const result = await runDevtls(['env'], { env: { DEVTLS_CA_DIR: caDir, ...CLEAN_CA_VARIABLES } });
  t.is(result.code, 0, result.stderr);
  const all = result.stdout.split('\n').filter((line) => line.startsWith('export '));
  t.deepEqual(all.map((line) => /^export (\w+)=/.exec(line)?.[1]).slice(-2), ['NO_PROXY', 'no_proxy']);
  const exports = all.slice(0, -2);
  const names = exports.map((line) => /^export (\w+)=/.exec(line)?.[1]);
  t.deepEqual(names, ['NODE_EXTRA_CA_CERTS', 'DENO_CERT', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO']);
  for (const line of exports) {
    t.true(line.includes(caDir), line);
    t.regex(line, /' {2}# \S/, `a note: ${line}`);
  }
  t.true(exports[0]?.includes(`'${ca.certPath}'`));
  const bundlePath = /REQUESTS_CA_BUNDLE='([^']+)'/.exec(result.stdout)?.[1] ?? '';
  const prints = pemFingerprints(await readFile(bundlePath, 'utf8'));
  t.true(prints.includes(ca.sha256), 'the bundle holds the devtls CA');
  t.true(prints.length > 1, 'and the system roots, so public sites keep working');
  const fish = await runDevtls(['env', '--shell', 'fish'], { env: { DEVTLS_CA_DIR: caDir, ...CLEAN_CA_VARIABLES } });
  t.regex(fish.stdout, new RegExp(`set -gx NODE_EXTRA_CA_CERTS '${ca.certPath.replace(/[.]/g, '\\.')}'`));
});

test('devtls up says the CA is not trusted and names the one command, when no store trusts it', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  await writeFile(join(temp.dir, 'proxy.config.json'), JSON.stringify({ routes: [{ host: 'app.localhost', target: 9 }] }));
  await mkdir(join(temp.dir, 'home'));
  const { child, output } = await startDevtlsProcess(['up', '--https-port', '0', '--http-port', '0', '--host', '127.0.0.1'], /Press Ctrl-C/, {
    cwd: temp.dir,
    env: { DEVTLS_CA_DIR: join(temp.dir, 'ca'), HOME: join(temp.dir, 'home') },
  });
  child.kill('SIGTERM');
  t.regex(output(), /The devtls CA is not trusted yet by [^\n]*: browsers will warn until it is\. Trust it once with:\n {2}node (?:\S+\/)?dist\/cli\.js trust\n/);
  t.notRegex(output(), /CA trusted by this system/);
});
