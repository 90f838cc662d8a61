/**
 * The command line `devtls up` starts the background instance with, and its quick reading.
 * The instance is the same build as the `up` that starts it, so it reads these exact words
 * itself instead of loading the full command-line parser (yargs: ~25 ms of CPU before it
 * could serve). Anything else, a person's own `devtls serve …` included, goes through yargs.
 */
import { optionValue, portNumber } from '../argv-words.js';

export interface StartSettings {
  httpsPort: number;
  httpPort: number | false;
  caDir: string;
  certsDir?: string;
  hosts?: readonly string[];
  http2: boolean;
}

/** The line a background instance prints once it serves, before it stops using the pipe. */
export const READY_LINE = 'devtls-instance-ready';

/** `serve --exit-when-idle` and the settings, in the one order readInstanceArgs reads. */
export function instanceArgs(settings: StartSettings): string[] {
  return [
    'serve',
    '--exit-when-idle',
    '--https-port', String(settings.httpsPort),
    '--http-port', String(settings.httpPort === false ? 0 : settings.httpPort),
    '--ca-dir', settings.caDir,
    ...(settings.certsDir === undefined ? [] : ['--certs-dir', settings.certsDir]),
    ...(settings.hosts ?? []).flatMap((host) => ['--host', host]),
    ...(settings.http2 ? [] : ['--no-http2']),
  ];
}

/** The settings in words written by instanceArgs; undefined for any other command line. */
export function readInstanceArgs(argv: readonly string[]): StartSettings | undefined {
  if (argv[0] !== 'serve' || argv[1] !== '--exit-when-idle' || argv[2] !== '--https-port' || argv[4] !== '--http-port' || argv[6] !== '--ca-dir') return undefined;
  const httpsPort = portNumber(argv[3]);
  const httpPort = portNumber(argv[5]);
  const caDir = optionValue(argv[7]);
  if (httpsPort === undefined || httpPort === undefined || caDir === undefined) return undefined;
  let at = 8;
  let certsDir: string | undefined;
  if (argv[at] === '--certs-dir') {
    certsDir = optionValue(argv[at + 1]);
    if (certsDir === undefined) return undefined;
    at += 2;
  }
  const hosts: string[] = [];
  while (argv[at] === '--host') {
    const host = optionValue(argv[at + 1]);
    if (host === undefined) return undefined;
    hosts.push(host);
    at += 2;
  }
  const http2 = argv[at] !== '--no-http2';
  if (!http2) at += 1;
  if (at !== argv.length) return undefined;
  return { httpsPort, httpPort: httpPort === 0 ? false : httpPort, caDir, ...(certsDir === undefined ? {} : { certsDir }), ...(hosts.length === 0 ? {} : { hosts }), http2 };
}
