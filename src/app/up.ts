/**
 * `devtls up` as a story: read the project's config, join the user's shared devtls instance
 * (starting one in the background when none runs), register the routes, and keep them in
 * step with the file. The project's routes live as long as this process: Ctrl-C, a kill or
 * a crash closes the control connection and the instance drops them. If the instance itself
 * dies, a new one is started and the routes registered again.
 */
import { resolve } from 'node:path';
import { defaultCaDir } from '../pki/ca-location.js';
import { parseConfigBytes, readConfigFile } from '../config/load-config.js';
import { findNearestConfig } from '../config/find-config.js';
import { NameWarningFilter } from '../config/name-warning-filter.js';
import type { ConfigWarning, ParsedConfig } from '../config/parse-config.js';
import type { ProxyConfig } from '../config/types.js';
import type { ConfigWatcher } from '../config/watch-config.js';
import type { Logger } from '../proxy/logger.js';
import type { Route } from '../routes/route.js';
import { Membership } from '../instance/membership.js';
import type { AccessEntry, InstanceInfo, ProjectInfo } from '../instance/protocol.js';
import { defaultStateDir, secureStateDir } from '../instance/state-dir.js';
import { describePortMove, followConfigFile, portsToMoveTo } from './follow-config.js';

export interface UpOptions {
  /** Default: the nearest proxy.config.json in the working folder or above it (up to the repository root). */
  configFile?: string;
  /** Command-line values; they win over the config file, which wins over 443/80. 0: any. */
  httpsPort?: number;
  httpPort?: number | false;
  hosts?: string[];
  caDir?: string;
  certsDir?: string;
  watch?: boolean;
  logger: Logger;
  /** The project's access log, a batch at a time; unset (`--quiet`), the instance sends none. */
  onRequests?: (entries: AccessEntry[]) => void;
  env?: NodeJS.ProcessEnv;
}

export interface UpSession {
  /** The instance as it was when the project joined. */
  instance: InstanceInfo;
  /** Whether this `up` started the instance. */
  startedInstance: boolean;
  config: ProxyConfig;
  warnings: ConfigWarning[];
  /** The other projects served by the same instance when this one joined. */
  others: ProjectInfo[];
  configLabel: string;
  watching: boolean;
  /** Resolves with the reason when the instance stops for good (devtls stop). */
  ended: Promise<string>;
  /** Leave: the instance drops this project's routes. */
  leave(): Promise<void>;
}

export async function up(options: UpOptions): Promise<UpSession> {
  const env = options.env ?? process.env;
  const logger = options.logger;
  let configFile = options.configFile;
  if (configFile === undefined) {
    const found = await findNearestConfig(process.cwd());
    if (found.above) logger.info(`Using ${found.absolute} (the nearest proxy.config.json above this folder).`);
    configFile = found.relative;
  }
  const contents = await readConfigFile(configFile);
  const parsed = parseConfigBytes(contents.bytes, contents.shownName, contents.absolute);
  const nameWarnings = new NameWarningFilter();
  const warnings = await nameWarnings.select(parsed.warnings);
  const source = contents.absolute;
  const paths = await secureStateDir(defaultStateDir(env));
  const caDir = resolve(options.caDir ?? defaultCaDir(env));
  let config = parsed.config;

  const portsOf = (next: ProxyConfig): { https: number; http: number | false } => ({
    https: options.httpsPort ?? next.httpsPort ?? 443,
    http: options.httpPort ?? next.httpPort ?? 80,
  });
  const membership = await Membership.join(
    paths,
    () => {
      const ports = portsOf(config);
      return {
        start: {
          httpsPort: ports.https,
          httpPort: ports.http,
          caDir,
          ...(options.certsDir === undefined ? {} : { certsDir: resolve(options.certsDir) }),
          ...(options.hosts === undefined ? {} : { hosts: options.hosts }),
          http2: config.http2,
        },
        wants: { httpsPort: ports.https === 0 ? null : ports.https, httpPort: ports.http === 0 ? null : ports.http, caDir },
        source,
        pid: process.pid,
        routes: withSource(config.routes, source),
        ...(options.onRequests === undefined ? {} : { onRequests: options.onRequests }),
      };
    },
    logger,
  );

  let watcher: ConfigWatcher | undefined;
  if (options.watch !== false) {
    watcher = await followConfigFile(contents, logger, nameWarnings, async (next: ParsedConfig) => {
      const current = membership.instance;
      const bound = { https: current.httpsPort, http: current.httpPort };
      const reply = await membership.update(withSource(next.config.routes, source), portsToMoveTo(portsOf(next.config), portsOf(config), bound));
      config = next.config;
      return `${reply.summary}${describePortMove(bound, { https: reply.instance.httpsPort, http: reply.instance.httpPort })}`;
    });
  }

  return {
    instance: membership.instance,
    startedInstance: membership.startedInstance,
    get config() {
      return config;
    },
    warnings,
    others: membership.others,
    configLabel: contents.shownName,
    watching: watcher !== undefined,
    ended: membership.ended,
    leave: async () => {
      await watcher?.close();
      membership.leave();
    },
  };
}

/** In the shared instance a route's source is its config file's absolute path: unique across projects. */
function withSource(routes: readonly Route[], source: string): Route[] {
  return routes.map((route) => ({ ...route, source }));
}


