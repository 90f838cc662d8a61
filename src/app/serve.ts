/**
 * `devtls serve` as a story: run the shared instance in this process until it is stopped.
 * In the foreground (containers, systemd, launchd) it logs to the terminal; started by `up`
 * in the background, it reports "ready" or its start-up error once on stdout, then logs to
 * the state folder only, and ends when the last project leaves.
 */
import { resolve } from 'node:path';
import { defaultCaDir } from '../pki/ca-location.js';
import type { Logger } from '../proxy/logger.js';
import { Instance } from '../instance/instance.js';
import { boundedFileLogger } from '../instance/bounded-log.js';
import { READY_LINE } from '../instance/instance-args.js';
import { defaultStateDir, secureStateDir } from '../instance/state-dir.js';
import { isUserError } from '../errors.js';
import { devtlsVersion } from '../version.js';

export interface ServeOptions {
  httpsPort: number;
  httpPort: number | false;
  hosts?: readonly string[];
  caDir?: string;
  certsDir?: string;
  http2: boolean;
  /** Started by `up`: report on stdout once, log to the file, stop when no project is left. */
  background: boolean;
  /** The foreground's logger (the terminal). */
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

/** Resolves with the exit code once the instance has stopped. */
export async function serve(options: ServeOptions): Promise<number> {
  const env = options.env ?? process.env;
  const stateDir = defaultStateDir(env);
  let logger = options.logger;
  let instance: Instance;
  try {
    if (options.background) logger = boundedFileLogger((await secureStateDir(stateDir)).log);
    instance = await Instance.start({
      stateDir,
      caDir: resolve(options.caDir ?? defaultCaDir(env)),
      ...(options.certsDir === undefined ? {} : { certsDir: options.certsDir }),
      httpsPort: options.httpsPort,
      httpPort: options.httpPort,
      ...(options.hosts === undefined ? {} : { hosts: options.hosts }),
      http2: options.http2,
      exitWhenIdle: options.background,
      logger,
      version: devtlsVersion(),
    });
  } catch (error) {
    if (!options.background) throw error;
    const user = isUserError(error);
    process.stdout.write(
      `${JSON.stringify({ message: error instanceof Error ? error.message : String(error), ...(user && error.hint !== undefined ? { hint: error.hint } : {}), ...(user ? { code: error.code } : {}) })}\n`,
    );
    return 1;
  }
  const { info } = instance;
  logger.info(`devtls instance ${info.pid} serving on ${info.addresses.join(', ')}${info.httpPort === false ? '' : ` (http :${info.httpPort} redirects)`}, CA ${info.caDir}`);
  if (options.background) {
    // The pipe to `up` closes once it read this; nothing else is ever written to stdout.
    process.stdout.on('error', () => undefined);
    process.stdout.write(`${READY_LINE}\n`);
  }
  const stop = (): void => void instance.stop('stopped by a signal');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (options.background) process.on('SIGHUP', () => undefined);
  const reason = await instance.stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  logger.info(`devtls instance stopped: ${reason}`);
  return 0;
}
