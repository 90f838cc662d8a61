import type { Argv } from 'yargs';
import { flagName, singleValue, usageError } from './usage.js';

/**
 * A port flag. It has no yargs `type` (and main.ts turns off yargs' number parsing) so the
 * check sees what was typed: `type: 'number'` would turn `abc` into NaN, an empty value into
 * 0 and `0x1bb` into 443.
 */
export function portOption(flag: string) {
  return {
    requiresArg: true,
    coerce: (value: unknown): number | undefined => {
      if (value === undefined) return undefined;
      const text = singleValue(flag, value, 'a port number 0-65535');
      const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
      if (!(port >= 0 && port <= 65535)) throw usageError(`${flagName(flag)} accepts a port number 0-65535, not ${JSON.stringify(text)}.`);
      return port;
    },
  } as const;
}

/** --ca-dir, shared by every command that touches the CA. */
export function caOptions<T>(yargs: Argv<T>) {
  return yargs.option('ca-dir', {
    type: 'string',
    requiresArg: true,
    describe: 'Folder of the local CA [default: $DEVTLS_CA_DIR, else the per-user data folder]',
  });
}
