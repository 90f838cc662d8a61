/**
 * An error the user can cause and fix (bad config, busy port, unreadable key).
 * The CLI prints `message` and `hint` without a stack trace; anything else is a bug
 * and keeps its stack.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly code: string;

  constructor(message: string, options: { hint?: string; code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.code = options.code ?? 'EUSER';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
