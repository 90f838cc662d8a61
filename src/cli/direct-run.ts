import { readInstanceArgs } from '../instance/instance-args.js';
import { reportFailure } from './exit-status.js';
import { readUpArgs } from './up-argv.js';

/**
 * The two command lines run without yargs: the background instance `devtls up` starts
 * (instance-args.ts), and `devtls up` itself in its usual forms (up-argv.ts). Resolves with
 * the exit code, or undefined when yargs has to read the command line.
 */
export async function runDirectly(argv: readonly string[]): Promise<number | undefined> {
  const background = readInstanceArgs(argv);
  if (background !== undefined) return (await import('./background-instance.js')).runBackgroundInstance(background);
  const up = readUpArgs(argv);
  if (up === undefined) return undefined;
  try {
    const { upCommand } = await import('./up-command.js');
    await (upCommand.handler as (args: typeof up) => Promise<void>)(up);
    return 0;
  } catch (error) {
    return reportFailure(error, 'up');
  }
}
