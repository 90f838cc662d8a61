/**
 * How this system can resolve every `*.localhost` name to loopback for all programs, not
 * only browsers. On glibc systems the `myhostname` NSS module does it (systemd's
 * nss-myhostname: `localhost` and `*.localhost` → 127.0.0.1 and ::1); elsewhere the answer
 * is a hosts-file line per name.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ResolverSystem {
  platform: NodeJS.Platform;
  /** glibc (whose NSS modules include myhostname), as opposed to musl, macOS, Windows. */
  glibc: boolean;
  /** Debian/Ubuntu family (where the module is the libnss-myhostname package). */
  debian: boolean;
  /** The `hosts:` line of /etc/nsswitch.conf ('' when absent). */
  nsswitchHosts: string;
}

export async function currentResolverSystem(root = '/'): Promise<ResolverSystem> {
  const header = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  let nsswitch = '';
  try {
    nsswitch = await readFile(join(root, 'etc/nsswitch.conf'), 'utf8');
  } catch {
    // No NSS configuration (not glibc).
  }
  return {
    platform: process.platform,
    glibc: process.platform === 'linux' && typeof header?.header?.glibcVersionRuntime === 'string',
    debian: await stat(join(root, 'etc/debian_version')).then(() => true, () => false),
    nsswitchHosts: /^hosts:(.*)$/m.exec(nsswitch)?.[1]?.trim() ?? '',
  };
}

/** The one command or edit that makes the system resolver answer `*.localhost` with
 * loopback, or undefined where only hosts-file lines can. */
export function localhostResolverFix(system: ResolverSystem): string | undefined {
  if (!system.glibc) return undefined;
  const configured = /(^|\s)myhostname(\s|$)/.test(system.nsswitchHosts);
  if (system.debian && !configured) return 'sudo apt-get install libnss-myhostname   (resolves every *.localhost name to loopback)';
  if (!configured) return `add "myhostname" to the hosts: line of /etc/nsswitch.conf, before "dns" (now: hosts: ${system.nsswitchHosts || '(none)'})`;
  return undefined;
}
