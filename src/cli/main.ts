import yargs from 'yargs';
import { caCommand } from './ca-command.js';
import { certCommand } from './cert-command.js';
import { initCommand } from './init-command.js';
import { upCommand } from './up-command.js';
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
import { UserError } from '../errors.js';

/** Run the command line; resolves to the exit code. Long-running `up` resolves when it stops. */
export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = yargs(argv)
    .scriptName('devtls')
    .usage('$0 <command> [options]\n\nLocal HTTPS for your dev servers: https://app.localhost → http://127.0.0.1:8080')
    .command(upCommand)
    .command(statusCommand)
    .command(stopCommand)
    .command(serveCommand)
    .command(initCommand)
    .command(certCommand)
    .command(caCommand)
    .command(trustCommand)
    .command(untrustCommand)
    .command(envCommand)
    .command(exportCommand)
    .command(doctorCommand)
    .command(hostsCommand)
    .demandCommand(1, 'Name a command: devtls up, devtls init, devtls cert, devtls ca (devtls --help lists them).')
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error, instance) => {
      if (error !== undefined && error !== null) throw error;
      throw new UserError(message, { hint: `Run: devtls ${commandName(argv)}--help`, code: 'EUSAGE' });
      void instance;
    });
  try {
    await program.parseAsync();
  } catch (error) {
    exitCode = reportError(error);
  }
  return exitCode;
}

function commandName(argv: string[]): string {
  const first = argv[0];
  return first !== undefined && !first.startsWith('-') ? `${first} ` : '';
}
