/**
 * `devtls run` in its usual forms (run-argv.ts), bundled as one file of its own
 * (dist/chunks/whole-run.js, see scripts/bundle.mjs), as up-direct.ts is for `up`.
 */
import { reportCommandFailure } from './command-failure.js';
import type { RunArgs } from './run-argv.js';
import { runCommand } from './run-command.js';

export async function runRunDirectly(args: RunArgs, command: readonly string[]): Promise<number> {
  try {
    await (runCommand(command).handler as (args: RunArgs) => Promise<void>)(args);
    return 0;
  } catch (error) {
    return reportCommandFailure(error, 'run');
  }
}
