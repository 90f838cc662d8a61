import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { serve } from '../app/serve.js';
import { terminalLogger } from './terminal.js';
import { caOptions, portOption } from './shared-options.js';

interface ServeArgs {
  httpsPort: number;
  httpPort: number;
  host: string[] | undefined;
  caDir: string | undefined;
  certsDir: string | undefined;
  http2: boolean;
  exitWhenIdle: boolean;
}

export const serveCommand: CommandDefinition<ServeArgs> = {
  builder: (yargs: Argv) =>
    caOptions(yargs)
      .option('https-port', { ...portOption('https-port'), default: 443, describe: 'HTTPS port' })
      .option('http-port', { ...portOption('http-port'), default: 80, describe: 'Port that redirects to https; 0 turns it off' })
      .option('host', { type: 'string', array: true, describe: 'Address to listen on (repeatable) [default: 127.0.0.1 and ::1]' })
      .option('certs-dir', { type: 'string', requiresArg: true, describe: 'Where leaf certificates are kept [default: certs/ in the CA folder]' })
      .option('http2', { type: 'boolean', default: true, describe: 'Offer HTTP/2 to browsers (--no-http2: HTTP/1.1 only)' })
      .option('exit-when-idle', { type: 'boolean', default: false, hidden: true }) as unknown as Argv<ServeArgs>,
  handler: async (args) => {
    process.exitCode = await serve({
      httpsPort: args.httpsPort,
      httpPort: args.httpPort === 0 ? false : args.httpPort,
      ...(args.host === undefined ? {} : { hosts: args.host }),
      ...(args.caDir === undefined ? {} : { caDir: args.caDir }),
      ...(args.certsDir === undefined ? {} : { certsDir: args.certsDir }),
      http2: args.http2,
      background: args.exitWhenIdle,
      logger: terminalLogger,
    });
  },
};
