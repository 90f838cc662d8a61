/**
 * `devtls up` in its usual forms, bundled as one file of its own (dist/chunks/whole-up.js,
 * see scripts/bundle.mjs). Everything `up` does, its error reporting included, is inside
 * that file, so no error is tested with `instanceof` against another copy of its class.
 */
import { reportCommandFailure } from './command-failure.js';
import type { UpArgs } from './up-argv.js';
import { upCommand } from './up-command.js';

export async function runUpDirectly(args: UpArgs): Promise<number> {
  try {
    await (upCommand.handler as (args: UpArgs) => Promise<void>)(args);
    return 0;
  } catch (error) {
    return reportCommandFailure(error, 'up');
  }
}
