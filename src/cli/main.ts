import yargs, { type CommandModule } from 'yargs';
import { caCommand } from './ca-command.js';
import { certCommand } from './cert-command.js';
import { initCommand } from './init-command.js';
import { upCommand } from './up-command.js';
import { runCommand, splitRunArgv } from './run-command.js';
import { ExitWith } from './exit-code.js';
import { trustCommand } from './trust-command.js';
import { untrustCommand } from './untrust-command.js';
import { envCommand } from './env-command.js';
import { serveCommand } from './serve-command.js';
import { statusCommand } from './status-command.js';
import { stopCommand } from './stop-command.js';
import { exportCommand } from './export-command.js';
import { doctorCommand } from './doctor-command.js';
import { hostsCommand } from './hosts-command.js';
import { reportError } from './terminal.js';
import { USAGE_ERROR_CODE, checkSingleValues, unknownCommandError, usageError, usageMessage } from './usage.js';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { devtlsVersion } from '../version.js';

/** In the order `--help` lists them. */
const COMMANDS = [upCommand, statusCommand, stopCommand, serveCommand, initCommand, certCommand, caCommand, trustCommand, untrustCommand, envCommand, exportCommand, doctorCommand, hostsCommand];
const COMMAND_NAMES = [...COMMANDS.map((command) => String(command.command).split(' ')[0] as string), 'run'];
/** `cert <hosts..>` for `cert`: what the command expects, for a usage message. */
const COMMAND_USAGE = new Map([...COMMANDS.map((command) => [String(command.command).split(' ')[0] as string, String(command.command)] as const), ['run', 'run [options] [--] COMMAND [ARGS…]'] as const]);

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
    await yargs(devtlsArgv)
      .scriptName(wantsHelp ? invocation() : 'devtls')
      .usage('$0 <command> [options]\n\nLocal HTTPS for your dev servers: https://app.localhost → http://127.0.0.1:8080')
      .command([...COMMANDS, runCommand(commandWords)] as unknown as CommandModule[])
      .demandCommand(1, `Name a command: ${COMMAND_NAMES.join(', ')}.`)
      .parserConfiguration({ 'parse-numbers': false })
      .check(checkSingleValues, true)
      .strict()
      .help()
      .alias('h', 'help')
      .version(devtlsVersion())
      .wrap(Math.min(100, process.stdout.columns ?? 100))
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
