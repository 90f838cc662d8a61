// `devtls ca`: the scope it prints is the CA certificate's own, and a CA folder open to
// other users is made private with one line saying so.
import test from 'ava';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { caPaths, publishCaFiles } from '../../dist/pki/ca-files.js';
import { parseIpRange, type IpRange } from '../../dist/pki/host-names.js';
import { createRootCertificate } from '../../dist/pki/root-certificate.js';
import { runDevtls } from '../helpers/cli-process.js';
import { tempDirFor } from '../helpers/temp-dir.js';

test('devtls ca prints the names and IP ranges read from the CA certificate', async (t) => {
  const dir = join(await tempDirFor(t), 'ca');
  await mkdir(dir, { mode: 0o700 });
  await chmod(dir, 0o700);
  // A CA made with other constraints than today's defaults (an older or custom one).
  const root = await createRootCertificate({
    permittedDnsNames: ['localhost', 'corp.lan'],
    permittedIpRanges: ['127.0.0.0/24', '::1/128'].map((text) => parseIpRange(text) as IpRange),
  });
  t.true(await publishCaFiles(caPaths(dir), root));
  const result = await runDevtls(['ca', '--ca-dir', dir]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^ {2}may sign {5}\.localhost \.corp\.lan 127\.0\.0\.0\/24 ::1$/m);
  t.is(result.stderr, '');
});

test('devtls ca tightens the user\'s own 0755 CA folder to 0700 and says so in one line', async (t) => {
  const dir = join(await tempDirFor(t), 'ca');
  t.is((await runDevtls(['ca', '--ca-dir', dir])).code, 0);
  await chmod(dir, 0o755);
  const result = await runDevtls(['ca', '--ca-dir', dir]);
  t.is(result.code, 0, result.stderr);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  t.is(result.stderr, `warning The CA folder ${dir} was open to other users (mode 0755); devtls set it to 0700.\n`);
  const again = await runDevtls(['ca', '--ca-dir', dir]);
  t.is(again.stderr, '', 'nothing more to say once it is private');
  await chmod(dir, 0o777);
  const refused = await runDevtls(['ca', '--ca-dir', dir]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /writable by other users \(mode 0777\)/);
  t.is((await stat(dir)).mode & 0o777, 0o777, 'a folder others can write to is refused, not silently fixed');
});
