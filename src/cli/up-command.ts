import { setFlagsFromString } from 'node:v8';
import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import type { Route } from '../routes/route.js';
import { up, type UpSession } from '../app/up.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { hostWithPort, routeLabel, targetUrl } from '../routes/labels.js';
import { RESERVED_HOST } from '../status/reserved-host.js';
import { currentEnvironment } from '../trust/store-contract.js';
import { trustSummary } from '../trust/all-stores.js';
import { trustedCa } from '../trust/trusted-ca.js';
import { invocation } from '../invocation.js';
import { paint, terminalLogger } from './terminal.js';
import { reportCaOpened } from './ca-report.js';
import { caOptions, portOption } from './shared-options.js';
import { accessJsonText, accessText, jsonLogger } from './access-log.js';
import type { UpArgs } from './up-argv.js';

export const upCommand: CommandDefinition<UpArgs> = {
  builder: (yargs: Argv) =>
    caOptions(yargs)
      .option('config', { alias: 'c', type: 'string', requiresArg: true, describe: 'The routes file [default: the nearest proxy.config.json here or above, up to the repository root]' })
      .option('https-port', { ...portOption('https-port'), describe: 'HTTPS port, 0-65535 [default: the file\'s "httpsPort", else 443]' })
      .option('http-port', { ...portOption('http-port'), describe: 'Port that redirects to https; 0 turns it off [default: the file\'s "httpPort", else 80]' })
      .option('host', { type: 'string', array: true, describe: 'Address to listen on (repeatable) [default: 127.0.0.1 and ::1]' })
      .option('certs-dir', { type: 'string', requiresArg: true, describe: 'Where leaf certificates are kept [default: certs/ in the CA folder]' })
      .option('watch', { type: 'boolean', default: true, describe: 'Apply each saved edit of the config at once (--no-watch: read it only at start)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors and reloads, no line per request' })
      .option('log', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'How each request is printed: aligned lines, or one JSON object per line (stdout then carries only JSON)' })
      .example('$0 up', 'https://app.localhost → http://127.0.0.1:8080, as proxy.config.json says')
      .example('$0 up --https-port 8443 --http-port 8081', 'no root needed: https://app.localhost:8443') as unknown as Argv<UpArgs>,
  handler: async (args) => {
    const json = args.log === 'json';
    const logger = json ? jsonLogger : terminalLogger;
    const print = json ? (line: string) => console.error(line) : (line: string) => console.log(line);
    const session = await up({
      ...(args.config === undefined ? {} : { configFile: args.config }),
      ...(args.httpsPort === undefined ? {} : { httpsPort: args.httpsPort }),
      ...(args.httpPort === undefined ? {} : { httpPort: args.httpPort === 0 ? false : args.httpPort }),
      ...(args.host === undefined ? {} : { hosts: args.host }),
      ...(args.caDir === undefined ? {} : { caDir: args.caDir }),
      ...(args.certsDir === undefined ? {} : { certsDir: args.certsDir }),
      watch: args.watch,
      logger,
      ...(args.quiet ? {} : { onRequests: (entries) => process.stdout.write(json ? accessJsonText(entries) : accessText(entries)) }),
    });
    // Listening before the banner says "Press Ctrl-C": a Ctrl-C right after it still stops cleanly.
    const stopSignal = waitForStopSignal();
    await printStartup(session, args.caDir, print);
    keepYoungGenerationSize();
    if (json) console.log(JSON.stringify({ level: 'info', message: 'ready', urls: session.config.routes.map((route) => routeUrl(route, session.instance.httpsPort)) }));
    const why = await Promise.race([stopSignal.then(() => undefined), session.ended]);
    if (why === undefined) {
      print('\nStopping devtls…');
      await session.leave();
    } else {
      print(`\ndevtls stopped: ${why}.`);
      await session.leave();
    }
  },
};

function routeUrl(route: Route, httpsPort: number): string {
  const port = httpsPort === 443 ? '' : `:${httpsPort}`;
  return `https://${routeLabel(route).replace(/^([^/]+)/, `$1${port}`)}`;
}

/** The banner; `print` is stderr when stdout carries JSON. */
async function printStartup(session: UpSession, caDirFlag: string | undefined, print: (line: string) => void): Promise<void> {
  const { instance, config, warnings } = session;
  const ca = await CertificateAuthority.load(instance.caDir);
  if (session.startedInstance && instance.caCreated) print(`Created a local certificate authority in ${ca.dir}`);
  reportCaOpened(ca, false);
  for (const warning of warnings) terminalLogger.warn(`${warning.source}: ${warning.message}`);
  print(paint('bold', `devtls is serving ${config.routes.length} route${config.routes.length === 1 ? '' : 's'}:`));
  for (const route of config.routes) print(`  ${paint('green', routeUrl(route, instance.httpsPort))} → ${targetUrl(route.target)}`);
  const redirect = instance.httpPort === false ? 'no http redirect' : `http :${instance.httpPort} redirects to https`;
  print(`Listening on ${instance.addresses.join(', ')} (${redirect}). Status page: https://${hostWithPort(RESERVED_HOST, instance.httpsPort, 443)}/`);
  if (session.others.length > 0) {
    print(`Also serving ${session.others.length} other project${session.others.length === 1 ? '' : 's'} on this port:`);
    for (const other of session.others) print(`  ${other.source}: ${[...new Set(other.routes.map((route) => route.host))].join(', ')}`);
  }
  await printTrustState(ca, caDirFlag, print);
  print(`Press Ctrl-C to stop.${session.watching ? ` Edits to ${session.configLabel} apply as soon as you save.` : ''}`);
}

/** Whether every store `devtls trust` would use trusts the CA (checked, never changed), and
 * if not, the one command to run. */
async function printTrustState(ca: CertificateAuthority, caDirFlag: string | undefined, print: (line: string) => void): Promise<void> {
  const { trustedBy, notTrustedBy } = await trustSummary(await currentEnvironment(), trustedCa(ca));
  if (notTrustedBy.length === 0 && trustedBy.length > 0) {
    print(`devtls CA trusted by this system: ${trustedBy.join(', ')}.`);
    return;
  }
  const where = notTrustedBy.length > 0 ? ` by ${notTrustedBy.join(', ')}` : ' (no trust store found on this machine)';
  print(`${paint('yellow', `The devtls CA is not trusted yet${where}`)}: browsers will warn until it is. Trust it once with:`);
  print(`  ${invocation()} trust${caDirFlag === undefined ? '' : ` --ca-dir ${JSON.stringify(caDirFlag)}`}`);
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', stop);
  });
}

/**
 * From here on `up` only relays its project's access log. Under a busy log V8 would double
 * its young generation up to 2 x 16 MiB; at the size start-up left it, `up` stays ~15 MiB
 * smaller (BENCHMARKS.md, "Start-up, memory and handshakes"). Set only now: a V8 flag changed
 * at run time costs every module loaded afterwards Node's code cache.
 */
function keepYoungGenerationSize(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
