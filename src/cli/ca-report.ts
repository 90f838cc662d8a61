import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { terminalLogger } from './terminal.js';

/** What a command says after opening the CA: that it was just created (stdout), and
 * anything devtls changed on the way, such as making its folder private (stderr). */
export function reportCaOpened(ca: CertificateAuthority, created: boolean): void {
  if (created) console.log(`Created a local certificate authority in ${ca.dir}`);
  reportCaNotices(ca);
}

/** Only the notices, on stderr: for commands whose stdout is read by a shell (`devtls env`). */
export function reportCaNotices(ca: CertificateAuthority): void {
  for (const notice of ca.notices) terminalLogger.warn(notice);
}
