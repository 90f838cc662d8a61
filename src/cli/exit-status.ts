import { reportCommandFailure } from './command-failure.js';
import { COMMAND_NAMES } from './commands.js';

/** What a command that failed prints, and its exit code. `first` is the first word typed. */
export function reportFailure(error: unknown, first: string | undefined): number {
  return reportCommandFailure(error, first !== undefined && COMMAND_NAMES.includes(first) ? first : undefined);
}
