import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './temp-dir.js';

const run = promisify(execFile);

export interface BrowserProfile {
  home: string;
  remove: () => Promise<void>;
}

/** A throwaway HOME whose NSS database (the one Chromium reads on Linux) trusts only `caFile`. */
export async function browserProfileTrusting(caFile: string | undefined): Promise<BrowserProfile> {
  const { dir, remove } = await makeTempDir('devtls-browser-');
  const nssdb = join(dir, '.pki', 'nssdb');
  await mkdir(nssdb, { recursive: true });
  await run('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
  if (caFile !== undefined) await run('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'devtls-test', '-i', caFile]);
  return { home: dir, remove };
}

/** The flags every headless Chromium of the tests runs with: no sandbox, GPU, QUIC or background traffic, this profile. */
export function headlessChromiumFlags(profile: BrowserProfile): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--user-data-dir=${join(profile.home, 'chromium-profile')}`,
  ];
}

/** Load a page in headless Chromium and return its DOM (stdout) and what it complained about (stderr). */
export async function dumpDom(url: string, profile: BrowserProfile, extraFlags: string[] = []): Promise<{ dom: string; errors: string }> {
  const args = [
    ...headlessChromiumFlags(profile),
    ...extraFlags,
    '--dump-dom',
    url,
  ];
  try {
    const { stdout, stderr } = await run('chromium', args, { env: chromiumEnv(profile), timeout: 60_000, maxBuffer: 10 * 1024 * 1024 });
    return { dom: stdout, errors: stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    return { dom: failure.stdout ?? '', errors: `${failure.stderr ?? ''}\n${failure.message}` };
  }
}

/** Chromium's environment: the profile's folder as its home and its temp dir, both removed with it. */
export function chromiumEnv(profile: BrowserProfile): NodeJS.ProcessEnv {
  return { ...process.env, HOME: profile.home, TMPDIR: profile.home };
}
