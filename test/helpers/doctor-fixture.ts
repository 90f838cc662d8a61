/**
 * A machine for `devtls doctor` to examine, in a temp folder: a CA, a config, a HOME with an
 * empty Chromium NSS database, a filesystem root holding a copy of the system bundle (the
 * real store is never touched), and a hosts file. Fixes are applied as a person would: the
 * fix text run by sh, with `devtls` being this checkout's CLI.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import { runDoctor, type DoctorOptions, type DoctorReport } from '../../dist/app/doctor.js';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { systemRunner } from '../../dist/trust/command-runner.js';
import { deadPort } from './backends.js';
import { CLI_PATH } from './cli-process.js';
import { tempDirFor } from './temp-dir.js';
import { invocation } from '../../dist/invocation.js';

const run = promisify(execFile);
export const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface DoctorMachine {
  dir: string;
  ca: CertificateAuthority;
  caDir: string;
  configFile: string;
  home: string;
  nssDb: string;
  root: string;
  /** The throwaway copy of the system bundle. */
  bundle: string;
  hostsFile: string;
  httpsPort: number;
  httpPort: number;
  trustEnv: DoctorOptions['trustEnv'];
  doctor(extra?: Partial<DoctorOptions>): Promise<DoctorReport>;
  /** Run a fix as printed, in sh; resolves to its stdout. */
  applyFix(fix: string, env?: NodeJS.ProcessEnv): Promise<string>;
}

export async function doctorMachine(
  t: ExecutionContext,
  options: { hosts: string[]; resolvedNames?: string[]; hostsText?: string },
): Promise<DoctorMachine> {
  const dir = await tempDirFor(t, 'devtls-doctor-');
  const caDir = join(dir, 'ca');
  const { ca } = await CertificateAuthority.open({ dir: caDir });
  const home = join(dir, 'home');
  const nssDb = join(home, '.pki', 'nssdb');
  await mkdir(nssDb, { recursive: true });
  await run('certutil', ['-N', '-d', `sql:${nssDb}`, '--empty-password']);
  const root = join(dir, 'root');
  await mkdir(join(root, 'usr/local/share/ca-certificates'), { recursive: true });
  await mkdir(join(root, 'etc/ssl/certs'), { recursive: true });
  const bundle = join(root, SYSTEM_BUNDLE);
  await copyFile(SYSTEM_BUNDLE, bundle);
  const hostsFile = join(dir, 'hosts');
  const resolved = (options.resolvedNames ?? options.hosts).map((host) => host.replace(/^\*\./, 'devtls-doctor.'));
  await writeFile(hostsFile, options.hostsText ?? `127.0.0.1 localhost\n${resolved.map((name) => `127.0.0.1 ${name}\n::1 ${name}\n`).join('')}`);
  const [httpsPort, httpPort] = [await deadPort(), await deadPort()];
  const configFile = join(dir, 'proxy.config.json');
  await writeFile(configFile, JSON.stringify({ httpsPort, httpPort, routes: options.hosts.map((host, index) => ({ host, target: 9000 + index })) }));
  const trustEnv = { platform: 'linux' as const, home, root, isRoot: false, procVersion: '', runner: systemRunner({ isRoot: false }) };
  const machine: DoctorMachine = {
    dir, ca, caDir, configFile, home, nssDb, root, bundle, hostsFile, httpsPort, httpPort, trustEnv,
    doctor: (extra = {}) =>
      runDoctor({ configFile, caDir, flags: { caDir, config: configFile, hostsFile }, trustEnv, hostsFile, env: {}, ...extra }),
    applyFix: (fix, env = {}) =>
      new Promise((resolve, reject) => {
        // A fix names devtls as this process runs it (from the checkout); here it runs in the machine's folder.
        const script = `devtls() { "$DEVTLS_NODE" "$DEVTLS_CLI" "$@"; }\n${fix.replaceAll(`${invocation()} `, 'devtls ')}`;
        const child = spawn('sh', ['-c', script], {
          cwd: dir,
          env: { ...process.env, HOME: home, NO_COLOR: '1', DEVTLS_NODE: process.execPath, DEVTLS_CLI: CLI_PATH, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
        child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve(stdout);
          else reject(new Error(`fix failed (${String(code)}): ${fix}\n${stdout}${stderr}`));
        });
      }),
  };
  return machine;
}

/** What `devtls trust --store system` does to the bundle on Debian (update-ca-certificates
 * appends the anchor), done to the throwaway copy. */
export async function trustInBundleCopy(machine: DoctorMachine): Promise<void> {
  await appendFile(machine.bundle, `\n${machine.ca.certPem}`);
}

export function check(report: DoctorReport, id: string): DoctorReport['checks'][number] {
  const found = report.checks.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`no check ${id} in ${report.checks.map((entry) => entry.id).join(', ')}`);
  return found;
}

export async function fileText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
