import yargs, { type Argv, type CommandModule } from 'yargs';
import { COMMAND_NAMES, COMMANDS, commandModules, commandsToLoad } from './commands.js';
import { splitRunArgv } from './run-argv.js';
import { reportFailure } from './exit-status.js';
import { checkSingleValues, unknownCommandError, usageError, usageMessage } from './usage.js';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { devtlsVersion } from '../version.js';

/** `cert <hosts..>` for `cert`: what the command expects, for a usage message. */
const COMMAND_USAGE = new Map(COMMANDS.map((entry) => [entry.name, entry.usage ?? entry.command] as const));

/** Run the command line; resolves to the exit code. Long-running `up` resolves when it stops. */
export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  const { devtls: devtlsArgv, command: commandWords } = splitRunArgv(argv);
  try {
    const first = argv[0];
    // Checked before yargs, which would call it an "Unknown argument" and suggest any command.
    if (first !== undefined && !first.startsWith('-') && !COMMAND_NAMES.includes(first)) throw unknownCommandError(first, COMMAND_NAMES);
    const command = first !== undefined && !first.startsWith('-') ? first : undefined;
    // Help examples show the command as this user runs it (`npx devtls up`); only help needs it.
    const wantsHelp = argv.includes('--help') || argv.includes('-h');
    const commands = await commandModules(commandsToLoad(devtlsArgv), commandWords);
    await commandLine(devtlsArgv, commands, { command, wantsHelp }).parseAsync();
  } catch (error) {
    exitCode = reportFailure(error, argv[0]);
  }
  return exitCode;
}

/**
 * yargs, set up for these words and commands. `command` is the command typed (for usage
 * messages); help text is laid out only when help is asked for.
 */
export function commandLine(devtlsArgv: string[], commands: CommandModule[], { command, wantsHelp }: { command: string | undefined; wantsHelp: boolean }): Argv {
  return yargs(devtlsArgv)
    .scriptName(wantsHelp ? invocation() : 'devtls')
    .usage('$0 <command> [options]\n\nLocal HTTPS for your dev servers: https://app.localhost → http://127.0.0.1:8080')
    .command(commands)
    .demandCommand(1, `Name a command: ${COMMAND_NAMES.join(', ')}.`)
    .parserConfiguration({ 'parse-numbers': false })
    .check(checkSingleValues, true)
    .strict()
    .help()
    .alias('h', 'help')
    .version(devtlsVersion())
    .wrap(wantsHelp ? Math.min(100, process.stdout.columns ?? 100) : null)
    .exitProcess(false)
    .fail((message, error) => {
      if (error instanceof UserError) throw error;
      // yargs wraps what a check or coerce threw in a YError; anything else is a bug and keeps its stack.
      if (error !== undefined && error !== null && error.name !== 'YError') throw error;
      throw usageError(usageMessage(message ?? error?.message ?? 'invalid command line', command === undefined ? undefined : COMMAND_USAGE.get(command)));
    });
}
