/**
 * The NAME in https://NAME.localhost: `--name`, else the nearest package.json's `name`
 * (scope dropped, made a DNS label: `@acme/Shop_Web` → `shop-web`), else the folder's name.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** `Shop_Web` → `shop-web`; '' when nothing usable is left. */
export function toDnsLabel(text: string): string {
  return text
    .replace(/^@[^/]*\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** A `--name` as given: one or more DNS labels, an optional `.localhost` suffix dropped. */
export function checkedName(given: string): string {
  const name = given.toLowerCase().replace(/\.localhost\.?$/, '');
  if (name !== '' && name.length <= 200 && name.split('.').every((label) => LABEL.test(label))) return name;
  const suggestion = toDnsLabel(given.replace(/\.localhost\.?$/i, ''));
  throw new UserError(`--name ${JSON.stringify(given)} is not a valid host name: use letters, digits and hyphens (it becomes NAME.localhost).`, {
    ...(suggestion === '' ? {} : { hint: `For example: --name ${suggestion}` }),
    code: 'EUSAGE',
  });
}

/** The name from the nearest package.json at or above `dir`, else from the folder's name. */
export function deriveName(dir: string): string {
  const manifest = nearestPackageJson(dir);
  if (manifest !== undefined) {
    const label = typeof manifest.json['name'] === 'string' ? toDnsLabel(manifest.json['name']) : '';
    if (label !== '') return label;
  }
  return toDnsLabel(basename(dir)) || 'app';
}

export interface PackageManifest {
  path: string;
  json: Record<string, unknown>;
}

/** The nearest readable package.json at or above `dir` (a broken one is skipped). */
export function nearestPackageJson(dir: string): PackageManifest | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const path = join(current, 'package.json');
    try {
      const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) return { path, json: json as Record<string, unknown> };
    } catch {
      // none here, or unreadable: look further up
    }
    if (dirname(current) === current) return undefined;
  }
}
