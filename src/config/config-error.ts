import { UserError } from '../errors.js';

/** Where a problem is: the file as the user named it, and a 1-based line and column. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** What went wrong, in the shape every config message uses. */
export interface Problem {
  /** `"target" must be a port or an http URL` */
  readonly what: string;
  /** Already formatted, e.g. `"abc"`, `an object`, `end of file`. */
  readonly found: string;
  /** `a port like 8080 or a URL like "http://127.0.0.1:8080"` */
  readonly expected: string;
  readonly hint?: string | undefined;
}

/**
 * A mistake in proxy.config.json. The message reads
 * `<file>:<line>:<col>: <what is wrong>: found <what was found>, expected <what was expected>`,
 * which terminals and editors turn into a link to the exact spot.
 */
export class ConfigError extends UserError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units like editors count (a BOM is not counted). */
  readonly column: number;

  constructor(position: SourcePosition, problem: Problem, options: { cause?: unknown } = {}) {
    super(`${position.file}:${position.line}:${position.column}: ${problem.what}: found ${problem.found}, expected ${problem.expected}`, {
      code: 'ECONFIG',
      ...(problem.hint === undefined ? {} : { hint: problem.hint }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'ConfigError';
    this.file = position.file;
    this.line = position.line;
    this.column = position.column;
  }
}
