/** Read what `detectProjectRoute` looks at in a folder; anything unreadable is simply absent. */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ProjectFolder } from './project-detection.js';

export async function readProjectFolder(dir: string): Promise<ProjectFolder> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const folder: ProjectFolder = { name: basename(dir), files };
  if (files.includes('package.json')) {
    try {
      folder.packageJson = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as unknown;
    } catch {
      // A broken package.json tells nothing; init then writes the example routes.
    }
  }
  if (files.includes('Gemfile')) {
    const gemfile = await readFile(join(dir, 'Gemfile'), 'utf8').catch(() => undefined);
    if (gemfile !== undefined) folder.gemfile = gemfile;
  }
  return folder;
}
