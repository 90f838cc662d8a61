import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { findFirefoxProfiles, firefoxProfileRoots, parseProfilesIni } from '../../dist/trust/firefox-profiles.js';
import { FIREFOX_PROFILE_ROOTS } from '../../dist/trust/store-paths.js';
import { runDevtls } from '../helpers/cli-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { requireTool } from '../helpers/tools.js';

const run = promisify(execFile);

test('profiles.ini: relative and absolute paths, IsRelative, several profiles; Install and General sections ignored', (t) => {
  const ini = `[Install4F96D1932A9F858E]\nDefault=abcd.default-release\nLocked=1\n\n[General]\nStartWithLastProfile=1\nVersion=2\n\n[Profile1]\nName=work\nIsRelative=0\nPath=/data/firefox/work\n\n[Profile0]\nName=default-release\nIsRelative=1\nPath=Profiles/abcd.default-release\nDefault=1\n\n[Profile2]\r\nName=no-isrelative\r\nPath=efgh.dev\r\n`;
  t.deepEqual(parseProfilesIni(ini, '/home/ada/.mozilla/firefox'), [
    { name: 'work', dir: '/data/firefox/work', root: '/home/ada/.mozilla/firefox' },
    { name: 'default-release', dir: '/home/ada/.mozilla/firefox/Profiles/abcd.default-release', root: '/home/ada/.mozilla/firefox' },
    { name: 'no-isrelative', dir: '/home/ada/.mozilla/firefox/efgh.dev', root: '/home/ada/.mozilla/firefox' },
  ]);
});

test('the Firefox locations: classic, XDG (147+), snap and flatpak', (t) => {
  t.deepEqual(firefoxProfileRoots('/h', 'linux'), [
    '/h/.mozilla/firefox',
    '/h/.config/mozilla/firefox',
    '/h/snap/firefox/common/.mozilla/firefox',
    '/h/.var/app/org.mozilla.firefox/.mozilla/firefox',
    '/h/.var/app/org.mozilla.firefox/config/mozilla/firefox',
  ]);
  t.deepEqual(firefoxProfileRoots('/Users/ada', 'darwin'), ['/Users/ada/Library/Application Support/Firefox']);
});

for (const root of FIREFOX_PROFILE_ROOTS.default) {
  test(`detection reads ~/${root}/profiles.ini and finds exactly the profiles that exist`, async (t) => {
    const { dir: home, remove } = await makeTempDir('devtls-firefox-');
    t.teardown(remove);
    const base = join(home, root);
    const elsewhere = join(home, 'elsewhere', 'abs.profile');
    await mkdir(join(base, 'aaaa.default-release'), { recursive: true });
    await mkdir(join(base, 'Profiles', 'bbbb.work'), { recursive: true });
    await mkdir(join(base, 'cccc.not-listed'), { recursive: true }); // a folder profiles.ini does not name: never guessed
    await mkdir(elsewhere, { recursive: true });
    await writeFile(
      join(base, 'profiles.ini'),
      `[Profile0]\nName=default-release\nIsRelative=1\nPath=aaaa.default-release\n\n[Profile1]\nName=work\nPath=Profiles/bbbb.work\n\n[Profile2]\nName=abs\nIsRelative=0\nPath=${elsewhere}\n\n[Profile3]\nName=deleted\nIsRelative=1\nPath=dddd.gone\n\n[General]\nVersion=2\n`,
    );
    const found = await findFirefoxProfiles(home, 'linux');
    t.deepEqual(
      found.map((profile) => [profile.name, profile.dir]),
      [
        ['default-release', join(base, 'aaaa.default-release')],
        ['work', join(base, 'Profiles', 'bbbb.work')],
        ['abs', elsewhere],
      ],
    );
  });
}

test('a Firefox profile NSS database: trust adds our CA, --check sees it, untrust removes exactly ours (another devtls CA with the same subject stays)', async (t) => {
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const { dir, remove } = await makeTempDir('devtls-firefox-db-');
  t.teardown(remove);
  const home = join(dir, 'home');
  const profile = join(home, 'snap/firefox/common/.mozilla/firefox', 'xyz.default');
  await mkdir(profile, { recursive: true });
  await writeFile(join(home, 'snap/firefox/common/.mozilla/firefox', 'profiles.ini'), '[Profile0]\nName=default\nIsRelative=1\nPath=xyz.default\n');
  await run('certutil', ['-d', `sql:${profile}`, '-N', '--empty-password']);
  // Another user's / folder's devtls CA, same subject, already trusted in this profile.
  const other = (await CertificateAuthority.open({ dir: join(dir, 'other-ca') })).ca;
  await run('certutil', ['-d', `sql:${profile}`, '-A', '-t', 'C,,', '-n', 'devtls-0000000000000000', '-i', other.certPath]);
  const env = { HOME: home, DEVTLS_CA_DIR: join(dir, 'ca') };
  const label = 'firefox profile default (~/snap/firefox/common/.mozilla/firefox/xyz.default)';

  const trust = await runDevtls(['trust', '--store', 'nss'], { env });
  t.is(trust.code, 0, trust.stdout + trust.stderr);
  t.true(trust.stdout.includes(`${label}: added "devtls-`), trust.stdout);
  const check = await runDevtls(['trust', '--check', '--store', 'nss'], { env });
  t.true(check.stdout.includes(`${label}: trusted`), check.stdout);
  const listed = (await run('certutil', ['-L', '-d', `sql:${profile}`])).stdout;
  t.regex(listed, /devtls-(?!0000000000000000)[0-9a-f]{16}\s+C,,/);

  const untrust = await runDevtls(['untrust', '--store', 'nss'], { env });
  t.is(untrust.code, 0, untrust.stdout + untrust.stderr);
  t.true(untrust.stdout.includes(`${label}: removed "devtls-`), untrust.stdout);
  const after = (await run('certutil', ['-L', '-d', `sql:${profile}`])).stdout;
  t.regex(after, /devtls-0000000000000000\s+C,,/, 'the other CA is untouched');
  t.notRegex(after, /devtls-(?!0000000000000000)/);
  const otherPem = (await run('certutil', ['-L', '-d', `sql:${profile}`, '-n', 'devtls-0000000000000000', '-a'])).stdout;
  t.is(otherPem.replace(/\s+/g, ''), other.certPem.replace(/\s+/g, ''));
  const recheck = await runDevtls(['trust', '--check', '--store', 'nss'], { env });
  t.is(recheck.code, 1);
  t.true(recheck.stdout.includes(`${label}: not trusted`), recheck.stdout);
});
