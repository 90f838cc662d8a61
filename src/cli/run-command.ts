import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { COMMAND_NOT_FOUND, run, type RunServing } from '../app/run.js';
import { isUserError } from '../errors.js';
import { ExitWith } from './exit-code.js';
import { caOptions, portOption } from './shared-options.js';
import { paint, reportError } from './terminal.js';
import type { Logger } from '../proxy/logger.js';
import type { AccessEntry } from '../instance/protocol.js';
import { accessJsonText, accessText, jsonLogger } from './access-log.js';
import type { RunArgs } from './run-argv.js';

export const RUN_USAGE = 'Usage: devtls run [--name NAME] [--https-port N] [--http-port N] [--ca-dir DIR] [--quiet] [--log text|json] [--] COMMAND [ARGS…]';

/** devtls's own lines, marked as such among the dev server's output. */
const runLogger: Logger = {
  info: (line) => console.log(`${paint('cyan', 'devtls')} ${line}`),
  warn: (line) => console.error(`${paint('yellow', 'devtls warning')} ${line}`),
  error: (line) => console.error(`${paint('red', 'devtls error')} ${line}`),
};

export { splitRunArgv } from './run-argv.js';

/** One line per request among the dev server's output, marked as devtls's like its other lines. */
function printAccess(entries: AccessEntry[]): void {
  process.stdout.write(accessText(entries, paint('cyan', 'devtls')));
}

function printAccessJson(entries: AccessEntry[]): void {
  process.stdout.write(accessJsonText(entries));
}

/** The `run` command, given COMMAND and its arguments as split by splitRunArgv. */
export const runCommand = (commandWords: readonly string[]): CommandDefinition<RunArgs> => ({
  builder: (yargs: Argv) =>
    caOptions(yargs.usage(RUN_USAGE))
      .option('name', { type: 'string', describe: 'NAME in https://NAME.localhost [default: package.json "name", else the folder\'s name]' })
      .option('https-port', { ...portOption('https-port'), describe: 'HTTPS port when devtls is not running yet [default: 443]' })
      .option('http-port', { ...portOption('http-port'), describe: 'Port that redirects to https; 0 turns it off [default: 80]' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only devtls\'s errors, no line per request' })
      .option('log', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'How each request is printed: aligned lines marked "devtls", or one JSON object per line (devtls\'s messages too)' })
      .example('$0 run -- npm run dev', 'https://my-app.localhost → the dev server, on a port devtls picks')
      .example('$0 run --name shop -- vite', 'https://shop.localhost') as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const [command, ...commandArgs] = commandWords;
    if (command === undefined) {
      console.error(`${paint('red', 'devtls:')} name the command to run.`);
      console.error(RUN_USAGE);
      throw new ExitWith(2);
    }
    let code: number;
    try {
      code = await run({
        command,
        args: commandArgs,
        ...(args.name === undefined ? {} : { name: args.name }),
        ...(args.httpsPort === undefined ? {} : { httpsPort: args.httpsPort }),
        ...(args.httpPort === undefined ? {} : { httpPort: args.httpPort === 0 ? false : args.httpPort }),
        ...(args.caDir === undefined ? {} : { caDir: args.caDir }),
        logger: args.log === 'json' ? jsonLogger : runLogger,
        ...(args.quiet ? {} : { onRequests: args.log === 'json' ? printAccessJson : printAccess }),
        onServing: (serving) => printServing(serving, args.log === 'json' ? jsonLogger : runLogger),
      });
    } catch (error) {
      if (isUserError(error) && error.code === 'ENOCOMMAND') {
        reportError(error);
        throw new ExitWith(COMMAND_NOT_FOUND);
      }
      if (isUserError(error) && error.code === 'EUSAGE') {
        reportError(error);
        throw new ExitWith(2);
      }
      throw error;
    }
    throw new ExitWith(code);
  },
});

function printServing(serving: RunServing, logger: Logger): void {
  const also = serving.others === 0 ? '' : ` (with ${serving.others} other project${serving.others === 1 ? '' : 's'} on this port)`;
  logger.info(`${logger === runLogger ? paint('green', serving.url) : serving.url} → http://127.0.0.1:${serving.port}${also}`);
  if (serving.portBy === 'flags') logger.info(`${serving.tool ?? 'the dev server'} ignores PORT: devtls passes it its own flags for :${serving.port}.`);
  if (serving.portBy === 'command') logger.info(`the command names its own port: devtls routes to :${serving.port}.`);
  for (const note of serving.notes) logger.info(note);
}
