/** The CA as a client depends on it: both files present, the key private (0600 in a 0700
 * folder), the certificate valid, and every routed name inside what it may sign. */
import { stat } from 'node:fs/promises';
import { isUserError } from '../errors.js';
import { CA_CERT_FILE, CA_KEY_FILE, CertificateAuthority } from '../pki/certificate-authority.js';
import { join } from 'node:path';
import { devtlsCommand, fail, ok, warn, type DoctorCheck, type FixFlags } from './check.js';

const DAY_MS = 86_400_000;

async function mode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

const octal = (value: number): string => value.toString(8).padStart(4, '0');

export async function checkCaFiles(dir: string, flags: FixFlags, platform = process.platform): Promise<DoctorCheck[]> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const [dirMode, certMode, keyMode] = [await mode(dir), await mode(certPath), await mode(keyPath)];
  if (certMode === undefined && keyMode === undefined) {
    return [fail('ca.files', `no devtls CA in ${dir}`, devtlsCommand('ca', flags, ['caDir']))];
  }
  if (certMode === undefined || keyMode === undefined) {
    const [present, absent] = certMode === undefined ? [keyPath, certPath] : [certPath, keyPath];
    return [fail('ca.files', `the CA is incomplete: ${absent} is missing`, `restore ${absent} from a backup, or rm ${present} && ${devtlsCommand('ca', flags, ['caDir'])} (then trust it again)`)];
  }
  const checks = [ok('ca.files', `CA files present in ${dir}`)];
  if (platform === 'win32' || dirMode === undefined) return checks;
  const fixes: string[] = [];
  const problems: string[] = [];
  if ((dirMode & 0o077) !== 0) {
    problems.push(`the folder is ${octal(dirMode)}`);
    fixes.push(`chmod 700 ${dir}`);
  }
  if ((keyMode & 0o077) !== 0) {
    problems.push(`the key is ${octal(keyMode)}: other users can read it`);
    fixes.push(`chmod 600 ${keyPath}`);
  }
  checks.push(
    problems.length === 0
      ? ok('ca.permissions', `key ${keyPath} is 0600 in a 0700 folder`)
      : fail('ca.permissions', `${problems.join('; ')} (a private key must be 0600 in a 0700 folder)`, fixes.join(' && ')),
  );
  return checks;
}

/** Load the CA (only when its files passed) and check its validity and names. */
export async function loadCheckedCa(
  dir: string,
  routedHosts: readonly string[],
  flags: FixFlags,
  now: Date,
): Promise<{ checks: DoctorCheck[]; ca: CertificateAuthority | undefined }> {
  let ca: CertificateAuthority;
  try {
    ca = await CertificateAuthority.load(dir);
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { checks: [fail('ca.certificate', error.message, error.hint ?? '')], ca: undefined };
  }
  const checks: DoctorCheck[] = [];
  const days = Math.floor((ca.notAfter.getTime() - now.getTime()) / DAY_MS);
  const renew = `rm ${ca.certPath} ${ca.keyPath} && ${devtlsCommand('trust', flags, ['caDir'])}   (a new CA, trusted again)`;
  if (days < 0) checks.push(fail('ca.validity', `the CA expired on ${ca.notAfter.toISOString().slice(0, 10)}`, renew));
  else if (days < 30) checks.push(warn('ca.validity', `the CA expires in ${days} days (${ca.notAfter.toISOString().slice(0, 10)})`, renew));
  else checks.push(ok('ca.validity', `CA valid until ${ca.notAfter.toISOString().slice(0, 10)} (${days} days)`));
  const outside = routedHosts.filter((host) => !ca.permits(host));
  checks.push(
    outside.length === 0
      ? ok('ca.names', `CA may sign ${ca.describeScope()}: every routed name is inside`)
      : fail(
          'ca.names',
          `the CA may only sign ${ca.describeScope()}, not ${outside.join(', ')}`,
          `rename ${outside.join(', ')} in the config to a name under one of those, e.g. ${(outside[0] ?? 'app').replace(/^\*\./, '').split('.')[0]}.localhost`,
        ),
  );
  return { checks, ca };
}
