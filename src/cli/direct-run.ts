import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliEntryPath } from '../entry-point.js';
import { readInstanceArgs } from '../instance/instance-args.js';
import { readRunArgs } from './run-argv.js';
import { readUpArgs } from './up-argv.js';

/**
 * The command lines run without yargs: the background instance `devtls up` starts
 * (instance-args.ts), and `devtls up` and `devtls run` in their usual forms (up-argv.ts,
 * run-argv.ts). Resolves with the exit code, or undefined when yargs has to read the command
 * line. Each is loaded from its own one-file bundle (scripts/bundle.mjs), not from the split
 * one's many chunks.
 */
export async function runDirectly(argv: readonly string[]): Promise<number | undefined> {
  const background = readInstanceArgs(argv);
  if (background !== undefined) {
    const { runBackgroundInstance } = (await import(wholeBundle('whole-instance.js'))) as typeof import('./background-instance.js');
    return runBackgroundInstance(background);
  }
  const up = readUpArgs(argv);
  if (up !== undefined) {
    const { runUpDirectly } = (await import(wholeBundle('whole-up.js'))) as typeof import('./up-direct.js');
    return runUpDirectly(up);
  }
  const run = readRunArgs(argv);
  if (run !== undefined) {
    const { runRunDirectly } = (await import(wholeBundle('whole-run.js'))) as typeof import('./run-direct.js');
    return runRunDirectly(run.args, run.command);
  }
  return undefined;
}

/** A one-file bundle in dist/chunks/, beside the entry point dist/cli.js, as a URL to import. */
function wholeBundle(name: string): string {
  return pathToFileURL(join(dirname(cliEntryPath(import.meta.url, '..')), 'chunks', name)).href;
}
