/**
 * Usage errors: a flag's value devtls cannot use, a flag given twice, a command that does not
 * exist. Each is one line naming the flag and what it accepts, and exits 2 (a bug exits 70).
 */
import { UserError } from '../errors.js';
import { closestName } from '../config/did-you-mean.js';
import { invocation } from '../invocation.js';

export const USAGE_ERROR_CODE = 'EUSAGE';

export function usageError(message: string, hint?: string): UserError {
  return new UserError(message, { code: USAGE_ERROR_CODE, ...(hint === undefined ? {} : { hint }) });
}

/** `"upp" is not a devtls command`, with the closest real one when there is one. */
export function unknownCommandError(name: string, commands: readonly string[]): UserError {
  const closest = closestName(name, commands);
  return usageError(
    `"${name}" is not a devtls command.${closest === undefined ? '' : ` Did you mean: ${invocation()} ${closest}?`}`,
    `The commands: ${commands.join(', ')} (${invocation()} --help says what each does).`,
  );
}

/** `--config`, or `-c` for a one-letter alias. */
export function flagName(key: string): string {
  return key.length === 1 ? `-${key}` : `--${key}`;
}

/**
 * The one-value check every single-valued option shares: the flag given once, with a value.
 * @param accepts what the flag takes, for the message, e.g. "a port number 0-65535"
 */
export function singleValue(key: string, value: unknown, accepts?: string): string {
  const what = accepts === undefined ? '' : `: ${accepts}`;
  if (Array.isArray(value)) {
    throw usageError(`${flagName(key)} was given ${value.length} times (${value.map((item) => JSON.stringify(String(item))).join(', ')}); give it once${what}.`);
  }
  const text = String(value ?? '');
  if (text === '') throw usageError(`${flagName(key)} needs a value${what}.`);
  return text;
}

/** For options yargs' `type` and `choices` do not check: given twice, or given without a value. */
export function checkSingleValues(argv: Record<string, unknown>, yargsOptions: unknown): true {
  // yargs passes its option tables (`getOptions()`); @types/yargs calls this argument "aliases".
  const options = yargsOptions as { key?: Record<string, unknown>; array?: string[]; boolean?: string[]; choices?: Record<string, unknown> };
  const arrays = new Set(options.array ?? []);
  const booleans = new Set(options.boolean ?? []);
  for (const key of Object.keys(options.key ?? {})) {
    if (key.length === 1 || /[A-Z]/.test(key) || !(key in argv)) continue;
    const value = argv[key];
    if (booleans.has(key)) continue;
    if (arrays.has(key)) {
      // An empty --host would make node listen on every address: `--host "$UNSET"` is a mistake.
      if (Array.isArray(value) && (value.length === 0 || value.some((item) => String(item) === ''))) throw usageError(`${flagName(key)} needs a value.`);
      continue;
    }
    const choices = options.choices?.[key];
    singleValue(key, value, Array.isArray(choices) ? `one of ${choices.join(', ')}` : undefined);
  }
  return true;
}

/**
 * yargs' own messages, made one line that names the flag: "Invalid values: Argument: store,
 * Given: …" → "--store accepts …". `usage` is the command's synopsis, e.g. `cert <hosts..>`.
 */
export function usageMessage(message: string, usage: string | undefined): string {
  const missingValue = /^Not enough arguments following: (\S+)$/.exec(message);
  if (missingValue !== null) return `${flagName(missingValue[1] ?? '')} needs a value.`;
  if (/^Not enough non-option arguments/.test(message) && usage !== undefined) return `Missing an argument: ${invocation()} ${usage}`;
  const invalid = /^Invalid values:\s*Argument: (\S+), Given: (.*), Choices: (.*)$/s.exec(message);
  if (invalid !== null) return `${flagName(invalid[1] ?? '')} accepts ${invalid[3]?.replace(/\s+/g, ' ')}, not ${invalid[2]}.`;
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
