// CA files on disk: permissions under any umask, refusing unsafe or foreign CAs, atomic and
// race-free creation (several processes at once). Serial: these tests change process.umask.
import test, { type ExecutionContext } from 'ava';
import { chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../dist/errors.js';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { LeafCertificateStore } from '../../dist/pki/leaf-store.js';
import { writeFileAtomic, writeFileExclusive } from '../../dist/pki/secure-files.js';
import { runTool } from '../helpers/run-tool.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const run = runTool;

const tempDir = (t: ExecutionContext): Promise<string> => tempDirFor(t, 'devtls-pki-files-');

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** Run `fn` with umask 000 (the worst case), restoring the previous umask afterwards. */
async function withUmask0<T>(fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(0);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

function assertNoKeyMaterial(t: ExecutionContext, error: unknown): void {
  const text = error instanceof UserError ? `${error.message}\n${error.hint ?? ''}\n${error.stack ?? ''}` : String(error);
  t.false(text.includes('PRIVATE KEY'), text);
  t.false(/MI[GH][A-Za-z0-9+/]{20}/.test(text), 'no base64 key body');
}

test.serial('under umask 000 the CA folder is 0700 (with new parents), the key 0600', async (t) => {
  const dir = join(await tempDir(t), 'deep', 'parents', 'ca');
  await withUmask0(() => CertificateAuthority.open({ dir }));
  t.is(await modeOf(dir), 0o700);
  t.is(await modeOf(join(dir, '..')), 0o700);
  t.is(await modeOf(join(dir, '..', '..')), 0o700);
  t.is(await modeOf(join(dir, 'rootCA-key.pem')), 0o600);
  t.is(await modeOf(join(dir, 'rootCA.pem')), 0o644);
  t.deepEqual((await readdir(dir)).sort(), ['rootCA-key.pem', 'rootCA.pem'], 'no temp files left behind');
});

test.serial('under umask 000 the leaf store folder is 0700 and leaf keys 0600, even if certs/ existed as 0755', async (t) => {
  const base = await tempDir(t);
  const { ca } = await CertificateAuthority.open({ dir: join(base, 'ca') });
  const certs = join(base, 'project', 'certs');
  await mkdir(certs, { recursive: true });
  await chmod(certs, 0o755);
  const store = new LeafCertificateStore(ca, certs);
  await withUmask0(() => store.get('app.localhost'));
  t.is(await modeOf(certs), 0o700);
  t.is(await modeOf(join(certs, 'app.localhost-key.pem')), 0o600);
  t.is(await modeOf(join(certs, 'app.localhost.pem')), 0o644);
  t.deepEqual((await readdir(certs)).sort(), ['app.localhost-key.pem', 'app.localhost.pem']);
});

test.serial('atomic writes keep the exact mode under umask 000', async (t) => {
  const dir = await tempDir(t);
  await withUmask0(async () => {
    await writeFileAtomic(join(dir, 'a'), 'one', 0o600);
    await writeFileAtomic(join(dir, 'a'), 'two', 0o600);
    t.true(await writeFileExclusive(join(dir, 'b'), 'first', 0o600));
    t.false(await writeFileExclusive(join(dir, 'b'), 'second', 0o600));
  });
  t.is(await readFile(join(dir, 'a'), 'utf8'), 'two');
  t.is(await readFile(join(dir, 'b'), 'utf8'), 'first');
  t.is(await modeOf(join(dir, 'a')), 0o600);
  t.is(await modeOf(join(dir, 'b')), 0o600);
  t.deepEqual((await readdir(dir)).sort(), ['a', 'b']);
});

test.serial('a CA key readable by others is refused with the exact chmod fix', async (t) => {
  const dir = join(await tempDir(t), 'ca');
  const { ca } = await CertificateAuthority.open({ dir });
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    await chmod(ca.keyPath, mode);
    for (const attempt of [() => CertificateAuthority.load(dir), () => CertificateAuthority.open({ dir })]) {
      const error = await t.throwsAsync(attempt(), { instanceOf: UserError });
      t.is(error?.code, 'EPKI_KEY_MODE');
      t.true(error?.message.includes(ca.keyPath), error?.message);
      t.is(error?.hint, `Run: chmod 600 ${ca.keyPath}`);
      assertNoKeyMaterial(t, error);
    }
  }
  await chmod(ca.keyPath, 0o600);
  t.is((await CertificateAuthority.load(dir)).fingerprintSha256, ca.fingerprintSha256);
  await chmod(ca.keyPath, 0o400);
  t.is((await CertificateAuthority.load(dir)).fingerprintSha256, ca.fingerprintSha256, 'read-only for the owner is fine');
});

test.serial('a CA folder writable by others is refused', async (t) => {
  const dir = join(await tempDir(t), 'ca');
  await CertificateAuthority.open({ dir });
  for (const mode of [0o777, 0o722, 0o770]) {
    await chmod(dir, mode);
    const error = await t.throwsAsync(CertificateAuthority.load(dir), { instanceOf: UserError });
    t.is(error?.code, 'EPKI_DIR_MODE');
    t.is(error?.hint, `Run: chmod 700 ${dir}`);
    await t.throwsAsync(CertificateAuthority.open({ dir }), { instanceOf: UserError, message: /writable by other users/ });
  }
});

test.serial('the user\'s own CA folder open to others (0755, 0750, 0711) is set to 0700, with one notice', async (t) => {
  const dir = join(await tempDir(t), 'ca');
  const { ca } = await CertificateAuthority.open({ dir });
  t.deepEqual(ca.notices, [], 'a folder devtls just made needs no notice');
  for (const mode of [0o755, 0o750, 0o711]) {
    for (const attempt of [() => CertificateAuthority.load(dir), async () => (await CertificateAuthority.open({ dir })).ca]) {
      await chmod(dir, mode);
      const opened = await attempt();
      t.is(await modeOf(dir), 0o700);
      t.is(opened.fingerprintSha256, ca.fingerprintSha256);
      t.deepEqual(opened.notices, [`The CA folder ${dir} was open to other users (mode 0${mode.toString(8)}); devtls set it to 0700.`]);
      t.deepEqual((await CertificateAuthority.load(dir)).notices, [], 'said once: the next open finds it private');
    }
  }
  // An existing empty folder of the user's, 0755, becomes the CA folder the same way.
  const empty = join(await tempDir(t), 'empty');
  await mkdir(empty);
  await chmod(empty, 0o755);
  const created = await CertificateAuthority.open({ dir: empty });
  t.true(created.created);
  t.is(await modeOf(empty), 0o700);
  t.is(created.ca.notices.length, 1);
});

test.serial('damaged, incomplete or foreign CA files give a UserError without key material', async (t) => {
  const base = await tempDir(t);
  const make = async (name: string) => {
    const dir = join(base, name);
    const { ca } = await CertificateAuthority.open({ dir });
    return { dir, ca };
  };

  const corruptKey = await make('corrupt-key');
  // A truncated, meaningless key (built here so no key-shaped text is committed).
  const label = ['PRIVATE', 'KEY'].join(' ');
  await writeFile(corruptKey.ca.keyPath, `-----BEGIN ${label}-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAAAA\n-----END ${label}-----\n`);
  let error = await t.throwsAsync(CertificateAuthority.load(corruptKey.dir), { instanceOf: UserError });
  t.is(error?.code, 'EPKI_CA_DAMAGED');
  t.true(error?.message.includes(corruptKey.ca.keyPath));
  assertNoKeyMaterial(t, error);

  const corruptCert = await make('corrupt-cert');
  await writeFile(corruptCert.ca.certPath, 'not a certificate');
  error = await t.throwsAsync(CertificateAuthority.load(corruptCert.dir), { instanceOf: UserError });
  t.is(error?.code, 'EPKI_CA_DAMAGED');

  // Key and certificate from two different CAs.
  const a = await make('mismatch-a');
  const b = await make('mismatch-b');
  await writeFile(a.ca.keyPath, await readFile(b.ca.keyPath, 'utf8'));
  error = await t.throwsAsync(CertificateAuthority.load(a.dir), { instanceOf: UserError, message: /does not match/ });
  assertNoKeyMaterial(t, error);

  const noCert = await make('no-cert');
  await rm(noCert.ca.certPath);
  // An old orphan key (not a creation in progress): open() must not wait for a certificate.
  const longAgo = new Date(Date.now() - 60_000);
  await utimes(noCert.ca.keyPath, longAgo, longAgo);
  error = await t.throwsAsync(CertificateAuthority.load(noCert.dir), { instanceOf: UserError });
  t.is(error?.code, 'EPKI_CA_INCOMPLETE');
  t.true(error?.message.includes('rootCA.pem'));
  // open() does not paper over it by creating a second CA next to the old key.
  await t.throwsAsync(CertificateAuthority.open({ dir: noCert.dir }), { instanceOf: UserError, message: /incomplete/ });

  const noKey = await make('no-key');
  await rm(noKey.ca.keyPath);
  await t.throwsAsync(CertificateAuthority.open({ dir: noKey.dir }), { instanceOf: UserError, message: /rootCA-key\.pem is missing/ });

  // An unconstrained CA (what mkcert makes) in the same file names is not used.
  const foreign = join(base, 'foreign');
  await mkdir(foreign, { mode: 0o700 });
  const made = await run('/usr/bin/openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30',
    '-subj', '/CN=mkcert-like CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-keyout', join(foreign, 'rootCA-key.pem'), '-out', join(foreign, 'rootCA.pem'),
  ]);
  t.is(made.code, 0, made.stderr);
  await chmod(join(foreign, 'rootCA-key.pem'), 0o600);
  error = await t.throwsAsync(CertificateAuthority.load(foreign), { instanceOf: UserError });
  t.is(error?.code, 'EPKI_NOT_DEVTLS_CA');
  t.regex(error?.message ?? '', /no name constraints/);
});

test.serial('concurrent open() in one process creates exactly one CA', async (t) => {
  const dir = join(await tempDir(t), 'ca');
  const results = await Promise.all(Array.from({ length: 6 }, () => CertificateAuthority.open({ dir })));
  t.is(results.filter((r) => r.created).length, 1);
  t.is(new Set(results.map((r) => r.ca.fingerprintSha256)).size, 1);
  t.deepEqual((await readdir(dir)).sort(), ['rootCA-key.pem', 'rootCA.pem'], 'losers cleaned up their temp files');
  const onDisk = await CertificateAuthority.load(dir);
  t.is(results[0]?.ca.fingerprintSha256, onDisk.fingerprintSha256);
});

test.serial('concurrent open() from several processes creates exactly one CA', async (t) => {
  const base = await tempDir(t);
  const dir = join(base, 'ca');
  const moduleUrl = new URL('../../dist/pki/certificate-authority.js', import.meta.url).href;
  const script = join(base, 'open-ca.mjs');
  // Each child waits for the same instant, then opens the CA.
  await writeFile(
    script,
    `import { CertificateAuthority } from ${JSON.stringify(moduleUrl)};
const [dir, at] = process.argv.slice(2);
await new Promise((r) => setTimeout(r, Math.max(0, Number(at) - Date.now())));
const { ca, created } = await CertificateAuthority.open({ dir });
console.log(JSON.stringify({ created, fingerprint: ca.fingerprintSha256 }));
`,
  );
  const startAt = String(Date.now() + 1200);
  const children = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, [script, dir, startAt])));
  for (const child of children) t.is(child.code, 0, child.stderr);
  const outputs = children.map((child) => JSON.parse(child.stdout) as { created: boolean; fingerprint: string });
  t.is(outputs.filter((o) => o.created).length, 1, JSON.stringify(outputs));
  t.is(new Set(outputs.map((o) => o.fingerprint)).size, 1);
  t.is(outputs[0]?.fingerprint, (await CertificateAuthority.load(dir)).fingerprintSha256);
  t.deepEqual((await readdir(dir)).sort(), ['rootCA-key.pem', 'rootCA.pem']);
});
