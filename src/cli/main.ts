import yargs from 'yargs';
import { COMMAND_NAMES, COMMANDS, commandModules, commandsToLoad } from './commands.js';
import { splitRunArgv } from './run-argv.js';
import { ExitWith } from './exit-code.js';
import { reportError } from './terminal.js';
import { USAGE_ERROR_CODE, checkSingleValues, unknownCommandError, usageError, usageMessage } from './usage.js';
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
    await yargs(devtlsArgv)
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
      })
      .parseAsync();
  } catch (error) {
    exitCode = error instanceof ExitWith ? error.exitCode : reportError(withHelpHint(error, argv[0]));
  }
  return exitCode;
}

/** A usage error without a hint of its own points to the command's --help. */
function withHelpHint(error: unknown, first: string | undefined): unknown {
  if (!(error instanceof UserError) || error.code !== USAGE_ERROR_CODE || error.hint !== undefined) return error;
  const command = first !== undefined && COMMAND_NAMES.includes(first) ? ` ${first}` : '';
  return usageError(error.message, `Run: ${invocation()}${command} --help`);
}
