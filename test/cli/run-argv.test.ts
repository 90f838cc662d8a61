import test from 'ava';
import type { CommandModule } from 'yargs';
import { COMMANDS } from '../../dist/cli/commands.js';
import { commandLine } from '../../dist/cli/main.js';
import { readRunArgs, splitRunArgv, type RunArgs } from '../../dist/cli/run-argv.js';
import { runCommand } from '../../dist/cli/run-command.js';
import { assertReadsAsYargs } from '../helpers/quick-argv.js';

const FIELDS = ['name', 'httpsPort', 'httpPort', 'caDir', 'quiet', 'log'] as const;

/** What yargs, set up as `devtls` sets it up, gives the run handler for these words (or the error), and COMMAND. */
async function throughYargs(argv: string[]): Promise<{ args: Partial<RunArgs>; command: string[] } | Error> {
  let seen: Record<string, unknown> | undefined;
  const { devtls, command } = splitRunArgv(argv);
  const entry = COMMANDS.find((candidate) => candidate.name === 'run');
  const run = { ...runCommand(command), command: entry?.command, describe: entry?.describe, handler: (args: Record<string, unknown>) => void (seen = args) } as CommandModule;
  try {
    await commandLine(devtls, [run], { command: 'run', wantsHelp: false }).parseAsync();
  } catch (error) {
    return error as Error;
  }
  return seen === undefined ? new Error('no handler ran') : { args: Object.fromEntries(FIELDS.map((field) => [field, seen?.[field]])), command };
}

const LINES: string[][] = [
  ['run', '--', 'npm', 'run', 'dev'],
  ['run', 'vite', '--port', '3000'],
  ['run', '--name', 'shop', '--https-port', '8443', '--http-port', '0', '--ca-dir', '/ca', '--', 'vite'],
  ['run', '-q', '--log', 'json', 'node', 'server.js', '--quiet'],
  ['run', '--quiet', '--log', 'text', '--https-port', '65535', '--', 'next', 'dev', '--', 'x'],
  // Left to yargs: each of these is refused, or written in a form only yargs reads.
  ['run'],
  ['run', '--'],
  ['run', '--quiet'],
  ['run', '--https-port', '65536', '--', 'vite'],
  ['run', '--https-port', 'abc', '--', 'vite'],
  ['run', '--https-port=8443', '--', 'vite'],
  ['run', '--name', 'a', '--name', 'b', '--', 'vite'],
  ['run', '--name', '--', 'vite'],
  ['run', '-q', '--quiet', '--', 'vite'],
  ['run', '--log', 'yaml', '--', 'vite'],
  ['run', '--unknown', '--', 'vite'],
  ['run', '--help'],
  ['run', '-h', '--', 'vite'],
  ['run', '--no-quiet', '--', 'vite'],
  ['run', '-qn', 'shop', '--', 'vite'],
  ['up'],
];

test('every run command line read without yargs gives the handler what yargs gives it, and the same COMMAND', async (t) => {
  await assertReadsAsYargs(t, LINES, (argv) => {
    const quick = readRunArgs(argv);
    return quick === undefined ? undefined : { args: { ...quick.args }, command: quick.command };
  }, throughYargs, 5);
});

test('what is not read without yargs is left to it whole', (t) => {
  for (const argv of LINES.slice(5)) t.is(readRunArgs(argv), undefined, argv.join(' '));
});
