/** Which nginx an nginx.conf is written for: parsed from `nginx -v`, or given as --nginx-version. */
import { execFile } from 'node:child_process';

export type NginxVersion = readonly [number, number, number];

/** When no nginx is installed here and none is named: the syntax of current releases. */
export const ASSUMED_NGINX_VERSION: NginxVersion = [1, 26, 0];

/** `1.22.1` or `nginx version: nginx/1.22.1` → [1, 22, 1]; undefined for anything else. */
export function parseNginxVersion(text: string): NginxVersion | undefined {
  const match = /(?:^|nginx\/)(\d+)\.(\d+)(?:\.(\d+))?\b/.exec(text.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function formatVersion(version: NginxVersion): string {
  return version.join('.');
}

export function compareVersions(a: NginxVersion, b: NginxVersion): number {
  for (let i = 0; i < 3; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The version of the `nginx` on PATH (it prints `nginx version: nginx/X.Y.Z` on stderr), or undefined. */
export function detectInstalledNginx(command = 'nginx'): Promise<NginxVersion | undefined> {
  const path = `${process.env['PATH'] ?? ''}:/usr/sbin:/usr/local/sbin:/sbin`;
  return new Promise((resolve) => {
    execFile(command, ['-v'], { timeout: 5000, env: { ...process.env, PATH: path } }, (error, stdout, stderr) => {
      if (error !== null && stderr === '') {
        resolve(undefined);
        return;
      }
      resolve(parseNginxVersion(`${stderr}${stdout}`.split('\n')[0] ?? ''));
    });
  });
}
