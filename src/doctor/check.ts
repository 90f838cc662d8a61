/** One line of `devtls doctor`: what was checked, what was found, and the one command or
 * edit that fixes it. */
import { invocation } from '../invocation.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  /** Stable, for scripts: `ca.permissions`, `trust:nss ~/.pki/nssdb`, `name:app.test`. */
  id: string;
  status: CheckStatus;
  message: string;
  /** The command or edit that fixes it ('' when nothing needs fixing). */
  fix: string;
}

export const ok = (id: string, message: string): DoctorCheck => ({ id, status: 'ok', message, fix: '' });
export const warn = (id: string, message: string, fix: string): DoctorCheck => ({ id, status: 'warn', message, fix });
export const fail = (id: string, message: string, fix: string): DoctorCheck => ({ id, status: 'fail', message, fix });

/** The flags a fix repeats, so the command shown acts on the files doctor checked. */
export interface FixFlags {
  caDir?: string;
  config?: string;
  hostsFile?: string;
}

function quoted(value: string): string {
  return /^[\w@%+=:,./~-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `devtls trust --store nss --ca-dir /tmp/ca`: a devtls command with the flags that apply,
 * spelt the way this user runs devtls (`npx devtls`, `node dist/cli.js`). */
export function devtlsCommand(words: string, flags: FixFlags, which: readonly (keyof FixFlags)[]): string {
  const names: Record<keyof FixFlags, string> = { caDir: '--ca-dir', config: '--config', hostsFile: '--hosts-file' };
  const extra = which.flatMap((key) => (flags[key] === undefined ? [] : [`${names[key]} ${quoted(flags[key])}`]));
  return [invocation(), words, ...extra].join(' ');
}
