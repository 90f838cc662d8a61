import type { Argv } from 'yargs';

export const portOption = {
  type: 'number',
  coerce: (value: unknown): number | undefined => {
    if (value === undefined) return undefined;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Not a port number: ${String(value)} (expected 0-65535)`);
    return port;
  },
} as const;

/** --ca-dir, shared by every command that touches the CA. */
export function caOptions<T>(yargs: Argv<T>) {
  return yargs.option('ca-dir', {
    type: 'string',
    describe: 'Folder of the local CA [default: $DEVTLS_CA_DIR, else the per-user data folder]',
  });
}
