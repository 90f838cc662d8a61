import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { COMMAND_NAMES } from './commands.js';
import { ExitWith } from './exit-code.js';
import { reportError } from './terminal.js';
import { USAGE_ERROR_CODE, usageError } from './usage.js';

/** What a command that failed prints, and its exit code. `first` is the first word typed. */
export function reportFailure(error: unknown, first: string | undefined): number {
  return error instanceof ExitWith ? error.exitCode : reportError(withHelpHint(error, first));
}

/** A usage error without a hint of its own points to the command's --help. */
function withHelpHint(error: unknown, first: string | undefined): unknown {
  if (!(error instanceof UserError) || error.code !== USAGE_ERROR_CODE || error.hint !== undefined) return error;
  const command = first !== undefined && COMMAND_NAMES.includes(first) ? ` ${first}` : '';
  return usageError(error.message, `Run: ${invocation()}${command} --help`);
}
