import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { ExitWith } from './exit-code.js';
import { reportError } from './terminal.js';
import { USAGE_ERROR_CODE, usageError } from './usage.js';

/**
 * What a command that failed prints, and its exit code. `command`: the command that ran, when
 * known. Apart from exit-status.ts so that `up`'s own file (up-direct.ts) can report its
 * failures without loading the list of every command.
 */
export function reportCommandFailure(error: unknown, command: string | undefined): number {
  return error instanceof ExitWith ? error.exitCode : reportError(withHelpHint(error, command));
}

/** A usage error without a hint of its own points to the command's --help. */
function withHelpHint(error: unknown, command: string | undefined): unknown {
  if (!(error instanceof UserError) || error.code !== USAGE_ERROR_CODE || error.hint !== undefined) return error;
  return usageError(error.message, `Run: ${invocation()}${command === undefined ? '' : ` ${command}`} --help`);
}
