import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { exportProject } from '../export/export-project.js';
import type { TlsMode } from '../export/route-analysis.js';
import { paint, terminalLogger } from './terminal.js';
import { caOptions, portOption } from './shared-options.js';

interface ExportArgs {
  format: string;
  config: string | undefined;
  running: boolean | undefined;
  out: string | undefined;
  httpsPort: number | undefined;
  httpPort: number | undefined;
  tls: TlsMode;
  nginxVersion: string | undefined;
  service: string[] | undefined;
  bind: string[] | undefined;
  force: boolean;
  caDir: string | undefined;
}

const RUN_HINTS: Record<string, (dir: string) => string> = {
  caddy: (dir) => `cd ${dir} && caddy run --config Caddyfile --adapter caddyfile`,
  nginx: (dir) => `nginx -p ${dir} -c ${dir}/nginx.conf`,
  kubernetes: (dir) => `kubectl apply -f ${dir}/gateway.yaml   (after filling in the values marked "fill in")`,
};

export const exportCommand: CommandDefinition<ExportArgs> = {
  builder: (yargs: Argv) =>
    caOptions(yargs)
      .positional('format', { type: 'string', demandOption: true, describe: 'caddy, nginx or kubernetes' })
      .option('config', { alias: 'c', type: 'string', describe: 'The routes file [default: proxy.config.json]' })
      .option('running', { type: 'boolean', describe: 'Export every project the running devtls serves (its ports and CA) instead of one file' })
      .conflicts('running', 'config')
      .option('out', { alias: 'o', type: 'string', describe: 'Folder to write into [default: devtls-export/FORMAT]' })
      .option('https-port', { ...portOption, describe: 'HTTPS port of the exported server [default: the file\'s "httpsPort", else 443]' })
      .option('http-port', { ...portOption, describe: 'Port that redirects to https; 0: none [default: the file\'s "httpPort", else 80]' })
      .option('tls', { choices: ['devtls', 'acme'] as const, default: 'devtls' as TlsMode, describe: 'devtls: certificates from the devtls CA, written into the folder; acme: left to the engine' })
      .option('nginx-version', { type: 'string', describe: 'nginx version to write for [default: the installed nginx\'s]' })
      // Repeated flags collect into an array; not `array: true`, which would also swallow the format.
      .option('service', { type: 'string', array: true, describe: 'kubernetes: the Service for a target port, PORT=NAME (repeatable)' })
      .option('bind', { type: 'string', array: true, describe: 'caddy/nginx: address to listen on (repeatable) [default: every interface]' })
      .option('force', { type: 'boolean', default: false, describe: 'Write into a folder that holds other files (replacing those with the same names)' })
      .example('$0 export caddy', 'devtls-export/caddy/Caddyfile + certs/')
      .example('$0 export nginx --out /srv/dev-proxy --https-port 8443', 'a complete nginx.conf')
      .example('$0 export kubernetes --service 8080=web', 'gateway.yaml: a Gateway and one HTTPRoute per host')
      .example('$0 export caddy --running', 'every project the running devtls serves, in one Caddyfile') as unknown as Argv<ExportArgs>,
  handler: async (args) => {
    const caDir = args.caDir ?? defaultCaDir();
    const result = await exportProject({
      format: args.format,
      configFile: args.config ?? 'proxy.config.json',
      running: args.running === true,
      ...(args.out === undefined ? {} : { outDir: args.out }),
      ...(args.httpsPort === undefined ? {} : { httpsPort: args.httpsPort }),
      ...(args.httpPort === undefined ? {} : { httpPort: args.httpPort === 0 ? false : args.httpPort }),
      tls: args.tls,
      ...(args.nginxVersion === undefined ? {} : { nginxVersion: args.nginxVersion }),
      services: (args.service ?? []).map(String),
      bind: (args.bind ?? []).map(String),
      force: args.force,
      caDir,
    });
    for (const warning of result.warnings) terminalLogger.warn(`${warning.source}: ${warning.message}`);
    for (const note of result.config.notes) terminalLogger.warn(`not carried over exactly: ${note}`);
    if (result.caCreated) console.log(`Created a local certificate authority in ${caDir}`);
    const from = result.projects === undefined ? '' : ` of ${result.projects.length} running project${result.projects.length === 1 ? '' : 's'}`;
    console.log(paint('bold', `Exported ${result.routes.length} route${result.routes.length === 1 ? '' : 's'}${from} for ${result.format} into ${result.outDir}:`));
    for (const file of result.files) console.log(`  ${file}${file.endsWith('-key.pem') ? '   (private key, mode 600)' : ''}`);
    console.log(`Run it: ${(RUN_HINTS[result.format] as (dir: string) => string)(result.outDir)}`);
  },
};
