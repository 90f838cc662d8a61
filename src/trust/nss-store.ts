/** NSS databases through certutil: Chrome/Chromium's (~/.local/share/pki/nssdb, else
 * ~/.pki/nssdb) and each Firefox profile's. The CA's nickname carries its fingerprint, so
 * removal touches exactly this CA. */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { assertSucceeded, type CommandRunner } from './command-runner.js';
import { findFirefoxProfiles } from './firefox-profiles.js';
import { CERTUTIL, CHROMIUM_BROWSERS, CHROMIUM_NSS_DBS, CHROMIUM_NSS_DB_TO_CREATE } from './store-paths.js';
import { tildePath, type TrustEnvironment, type TrustStore } from './store-contract.js';
import { pemFingerprints, type TrustedCa } from './trusted-ca.js';

export interface NssEntry {
  nickname: string;
  /** SSL,S/MIME,JAR trust flags, e.g. `C,,`. */
  trust: string;
}

/** Parse `certutil -L -d DB`: one entry per line after the header. */
export function parseCertutilList(output: string): NssEntry[] {
  const entries: NssEntry[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = /^(.*\S)\s+([a-zA-Z]*,[a-zA-Z]*,[a-zA-Z]*)\s*$/.exec(line);
    if (match === null || match[1] === undefined || match[2] === undefined) continue;
    if (/^Certificate Nickname/.test(match[1]) || /^SSL,S\/MIME/.test(match[2])) continue;
    entries.push({ nickname: match[1], trust: match[2] });
  }
  return entries;
}

/** `sql:` for a cert9.db database (or one to create), `dbm:` for a legacy cert8.db only. */
export async function databaseSpec(dir: string): Promise<string> {
  return !(await hasFile(dir, 'cert9.db')) && (await hasFile(dir, 'cert8.db')) ? `dbm:${dir}` : `sql:${dir}`;
}

function hasFile(dir: string, file: string): Promise<boolean> {
  return stat(join(dir, file)).then(() => true, () => false);
}

export function nssDatabaseStore(options: { dir: string; label: string; create: boolean; env: TrustEnvironment }): TrustStore {
  const { dir, env } = options;
  const runner: CommandRunner = env.runner;

  async function certutil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const result = await runner.run([CERTUTIL.tool, ...args]);
    if (result.code === 127) {
      throw new UserError(`certutil (NSS tools) is not installed, so devtls cannot use ${options.label}.`, { hint: CERTUTIL.install, code: 'ETRUST_NO_CERTUTIL' });
    }
    return result;
  }

  async function exists(): Promise<boolean> {
    return stat(dir).then((s) => s.isDirectory(), () => false);
  }

  /** Nicknames in this database that hold exactly this CA and only it (ours, or one a person
   * added by hand): NSS groups certificates by subject, so a nickname shared by several CAs
   * with the same subject is never deleted unless it is ours by name. */
  async function ourNicknames(ca: TrustedCa): Promise<{ nickname: string; trust: string }[]> {
    if (!(await exists())) return [];
    const db = await databaseSpec(dir);
    const list = await certutil(['-L', '-d', db]);
    if (list.code !== 0) return [];
    const found: NssEntry[] = [];
    for (const entry of parseCertutilList(list.stdout)) {
      const pem = await certutil(['-L', '-d', db, '-n', entry.nickname, '-a']);
      if (pem.code !== 0) continue;
      const prints = pemFingerprints(pem.stdout);
      if (entry.nickname === ca.storeName ? prints.includes(ca.sha256) : prints.length === 1 && prints[0] === ca.sha256) found.push(entry);
    }
    return found;
  }

  const store: TrustStore = {
    kind: 'nss',
    label: options.label,
    verifier: { kind: 'nss-database', dir },
    adminSteps: () => [],
    async check(ca) {
      if (!(await exists())) return { trusted: false, note: `no database yet; ${invocation()} trust creates it` };
      const ours = await ourNicknames(ca);
      if (ours.some((entry) => entry.trust.split(',')[0]?.includes('C'))) return { trusted: true };
      return ours.length > 0 ? { trusted: false, note: `present without trust for web sites (${ours[0]?.trust})` } : { trusted: false };
    },
    async install(ca) {
      if ((await store.check(ca)).trusted) return 'already trusted';
      let created = false;
      if (!(await hasFile(dir, 'cert9.db')) && !(await hasFile(dir, 'cert8.db'))) {
        if (!options.create && !(await exists())) throw new UserError(`${dir} does not exist.`, { code: 'ETRUST_NO_DB' });
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const init = ['-N', '-d', `sql:${dir}`, '--empty-password'];
        assertSucceeded([CERTUTIL.tool, ...init], await certutil(init));
        created = true;
      }
      const add = ['-A', '-d', await databaseSpec(dir), '-t', 'C,,', '-n', ca.storeName, '-i', ca.certPath];
      assertSucceeded([CERTUTIL.tool, ...add], await certutil(add));
      return `${created ? 'created the database and ' : ''}added "${ca.storeName}" (trusted for web sites)`;
    },
    async uninstall(ca) {
      const ours = await ourNicknames(ca);
      if (ours.length === 0) return 'was not installed';
      const db = await databaseSpec(dir);
      for (const { nickname } of ours) {
        // Several certificates may share a nickname: delete until ours is gone (bounded).
        for (let attempt = 0; attempt < 5; attempt += 1) {
          const del = ['-D', '-d', db, '-n', nickname];
          assertSucceeded([CERTUTIL.tool, ...del], await certutil(del));
          if (!(await ourNicknames(ca)).some((entry) => entry.nickname === nickname)) break;
        }
      }
      return `removed ${ours.map((entry) => `"${entry.nickname}"`).join(', ')}`;
    },
  };
  return store;
}

/**
 * Chrome/Chromium: every existing database of the two (the XDG one is what Chromium 146+
 * reads when present; older versions and other NSS programs read the legacy one). When
 * neither exists, the legacy one is created, but only when asked (`--store nss`) or when a
 * Chromium-family browser is installed.
 */
export async function detectChromium(env: TrustEnvironment, options: { createIfMissing: boolean }): Promise<TrustStore[]> {
  if (env.platform !== 'linux') return [];
  const stores: TrustStore[] = [];
  for (const relative of [CHROMIUM_NSS_DBS.xdg, CHROMIUM_NSS_DBS.legacy]) {
    const dir = join(env.home, relative);
    if (await stat(dir).then((s) => s.isDirectory(), () => false)) {
      stores.push(nssDatabaseStore({ dir, label: `nss ${tildePath(dir, env.home)}`, create: false, env }));
    }
  }
  if (stores.length > 0) return stores;
  let browser = options.createIfMissing;
  for (const program of CHROMIUM_BROWSERS) browser ||= await env.runner.has(program);
  if (!browser) return [];
  const dir = join(env.home, CHROMIUM_NSS_DB_TO_CREATE);
  return [nssDatabaseStore({ dir, label: `nss ${tildePath(dir, env.home)}`, create: true, env })];
}

/** One store per Firefox profile listed in a profiles.ini (Linux and macOS). */
export async function detectFirefox(env: TrustEnvironment): Promise<TrustStore[]> {
  if (env.platform === 'win32') return [];
  const profiles = await findFirefoxProfiles(env.home, env.platform);
  return profiles.map((profile) =>
    nssDatabaseStore({ dir: profile.dir, label: `firefox profile ${profile.name} (${tildePath(profile.dir, env.home)})`, create: false, env }),
  );
}

export async function detect(env: TrustEnvironment, options: { createIfMissing: boolean } = { createIfMissing: false }): Promise<TrustStore[]> {
  return [...(await detectChromium(env, options)), ...(await detectFirefox(env))];
}
