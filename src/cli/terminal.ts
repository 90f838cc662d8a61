import { styleText } from 'node:util';
import { isUserError } from '../errors.js';
import { USAGE_ERROR_CODE } from './usage.js';
import type { Logger } from '../proxy/logger.js';

type Style = Parameters<typeof styleText>[0];

/** Colour only for a person at a terminal, and never when NO_COLOR is set. */
const colour = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;

export function paint(style: Style, text: string): string {
  return colour ? styleText(style, text) : text;
}

/** The logger the CLI gives the proxy: warnings and errors to stderr, each one line. */
export const terminalLogger: Logger = {
  info: (line) => console.log(line),
  warn: (line) => console.error(`${paint('yellow', 'warning')} ${line}`),
  error: (line) => console.error(`${paint('red', 'error')} ${line}`),
};

/**
 * Print an error: a user's mistake as message and hint, a bug with its stack. Returns the exit
 * code: 2 for a command line devtls cannot use, 1 for other mistakes, 70 for a bug.
 */
export function reportError(error: unknown): number {
  if (isUserError(error)) {
    console.error(`${paint('red', 'devtls:')} ${error.message}`);
    // A hint the message already says (e.g. a config key's "did you mean …?") is not repeated.
    if (error.hint !== undefined && !error.message.includes(error.hint)) console.error(error.hint);
    return error.code === USAGE_ERROR_CODE ? 2 : 1;
  }
  console.error(paint('red', 'devtls: unexpected error (this is a bug in devtls, please report it):'));
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 70;
}
