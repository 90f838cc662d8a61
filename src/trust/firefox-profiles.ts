/** Firefox profiles, read from profiles.ini in every folder current Firefox versions use
 * (never guessed from folder names). */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { FIREFOX_PROFILE_ROOTS } from './store-paths.js';

export interface FirefoxProfile {
  name: string;
  /** The profile folder (holds cert9.db once Firefox has run). */
  dir: string;
  /** The folder whose profiles.ini named it. */
  root: string;
}

/** The [Profile*] sections of a profiles.ini, resolved against its folder. */
export function parseProfilesIni(text: string, iniDir: string): FirefoxProfile[] {
  const profiles: FirefoxProfile[] = [];
  let section: Record<string, string> | undefined;
  const flush = (): void => {
    const path = section?.['Path'];
    if (section === undefined || path === undefined || path === '') return;
    // IsRelative defaults to 1; an absolute Path is taken as is either way.
    const relative = (section['IsRelative'] ?? '1') !== '0' && !isAbsolute(path);
    profiles.push({ name: section['Name'] ?? path, dir: relative ? join(iniDir, path) : path, root: iniDir });
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      flush();
      section = /^Profile\d+$/i.test(header[1] ?? '') ? {} : undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (section !== undefined && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  flush();
  return profiles;
}

export function firefoxProfileRoots(home: string, platform: NodeJS.Platform): string[] {
  return (FIREFOX_PROFILE_ROOTS[platform] ?? FIREFOX_PROFILE_ROOTS.default).map((relative) => join(home, relative));
}

/** Every profile named in a profiles.ini under HOME whose folder exists. */
export async function findFirefoxProfiles(home: string, platform: NodeJS.Platform): Promise<FirefoxProfile[]> {
  const found: FirefoxProfile[] = [];
  const seen = new Set<string>();
  for (const root of firefoxProfileRoots(home, platform)) {
    let text: string;
    try {
      text = await readFile(join(root, 'profiles.ini'), 'utf8');
    } catch {
      continue;
    }
    for (const profile of parseProfilesIni(text, root)) {
      if (seen.has(profile.dir)) continue;
      try {
        if (!(await stat(profile.dir)).isDirectory()) continue;
      } catch {
        continue;
      }
      seen.add(profile.dir);
      found.push(profile);
    }
  }
  return found;
}
