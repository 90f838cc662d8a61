import test from 'ava';
import type { CommandModule } from 'yargs';
import { COMMANDS } from '../../dist/cli/commands.js';
import { commandLine } from '../../dist/cli/main.js';
import { readUpArgs, type UpArgs } from '../../dist/cli/up-argv.js';
import { upCommand } from '../../dist/cli/up-command.js';
import { assertReadsAsYargs } from '../helpers/quick-argv.js';

const FIELDS = ['config', 'httpsPort', 'httpPort', 'host', 'caDir', 'certsDir', 'watch', 'quiet', 'log'] as const;

/** What yargs, set up as `devtls` sets it up, gives the up handler for these words (or the error). */
async function throughYargs(argv: string[]): Promise<Partial<UpArgs> | Error> {
  let seen: Record<string, unknown> | undefined;
  const entry = COMMANDS.find((command) => command.name === 'up');
  const up = { ...upCommand, command: entry?.command, describe: entry?.describe, handler: (args: Record<string, unknown>) => void (seen = args) } as CommandModule;
  try {
    await commandLine(argv, [up], { command: 'up', wantsHelp: false }).parseAsync();
  } catch (error) {
    return error as Error;
  }
  return seen === undefined ? new Error('no handler ran') : Object.fromEntries(FIELDS.map((field) => [field, seen?.[field]]));
}

const LINES: string[][] = [
  ['up'],
  ['up', '--https-port', '8443', '--http-port', '0', '--host', '127.0.0.1', '--ca-dir', '/ca', '--no-watch'],
  ['up', '--config', 'proxy.config.json', '--certs-dir', '/certs', '--quiet', '--log', 'json'],
  ['up', '-c', 'a.json', '-q', '--watch', '--host', '::1', '--host', '127.0.0.1', '--https-port', '443', '--http-port', '80'],
  ['up', '--log', 'text', '--https-port', '65535'],
  // Left to yargs: each of these is refused, or written in a form only yargs reads.
  ['up', '--https-port', '65536'],
  ['up', '--https-port', 'abc'],
  ['up', '--https-port', '0x1bb'],
  ['up', '--https-port', ''],
  ['up', '--https-port'],
  ['up', '--https-port=8443'],
  ['up', '--config', 'a.json', '--config', 'b.json'],
  ['up', '--quiet', '--quiet'],
  ['up', '--watch', '--no-watch'],
  ['up', '--log', 'yaml'],
  ['up', '--host', 'a', 'b'],
  ['up', '--host', '--no-watch'],
  ['up', '--unknown'],
  ['up', 'extra'],
  ['up', '--help'],
  ['up', '-h'],
  ['up', '--version'],
  ['up', '--httpsPort', '8443'],
  ['up', '-qc', 'a.json'],
  ['up', '--no-quiet'],
  ['up', '--', 'x'],
  ['status'],
];

test('every up command line read without yargs gives the handler what yargs gives it', async (t) => {
  await assertReadsAsYargs(t, LINES, (argv) => {
    const quick = readUpArgs(argv);
    return quick === undefined ? undefined : { ...quick };
  }, throughYargs, 5);
});

test('what is not read without yargs is left to it whole', (t) => {
  for (const argv of LINES.slice(5)) t.is(readUpArgs(argv), undefined, argv.join(' '));
});
