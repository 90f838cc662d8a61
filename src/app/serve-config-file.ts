import { dirname, join, resolve } from 'node:path';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { LeafCertificateStore } from '../pki/leaf-store.js';
import { parseConfigBytes, readConfigFile } from '../config/load-config.js';
import { findNearestConfig } from '../config/find-config.js';
import { NameWarningFilter } from '../config/name-warning-filter.js';
import type { ConfigWarning, ParsedConfig } from '../config/parse-config.js';
import type { ProxyConfig } from '../config/types.js';
import type { ConfigWatcher } from '../config/watch-config.js';
import { DevProxy, type ListenPorts } from '../proxy/dev-proxy.js';
import { silentLogger, type Logger } from '../proxy/logger.js';
import type { ConnectionLimits } from '../proxy/connection-limits.js';
import type { RouteChanges } from '../routes/route-changes.js';
import { assertHostsPermitted } from './permitted-hosts.js';
import { describePortMove, followConfigFile, portsToMoveTo } from './follow-config.js';

export interface ServeConfigOptions {
  /** Default: the nearest proxy.config.json in the working folder or above it (up to the repository root). */
  configFile?: string;
  /** Command-line values; they win over the config file, which wins over 443/80. */
  httpsPort?: number;
  httpPort?: number | false;
  hosts?: string[];
  caDir?: string;
  certsDir?: string;
  /** Watch the config file and apply each saved edit (default true). */
  watch?: boolean;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Browser-side connection limits (tests shorten them). */
  limits?: Partial<ConnectionLimits>;
}

export interface RunningDevtls {
  proxy: DevProxy;
  ca: CertificateAuthority;
  caCreated: boolean;
  /** The config being served (the last good one). */
  readonly config: ProxyConfig;
  warnings: ConfigWarning[];
  certsDir: string;
  /** The config file as the user named it, for messages. */
  configLabel: string;
  /** Whether saved edits are applied as they happen. */
  watching: boolean;
  /** Apply a parsed config as a saved edit would. */
  reload(parsed: ParsedConfig): Promise<RouteChanges>;
  /** Stop watching and close every server. */
  stop(): Promise<void>;
}

/**
 * `devtls up` as a story: load the config, open the CA, check every host is one the CA
 * may sign, start the servers, watch the file. The CLI prints around this; tests call it
 * directly.
 */
export async function serveConfigFile(options: ServeConfigOptions): Promise<RunningDevtls> {
  const logger = options.logger ?? silentLogger;
  let configFile = options.configFile;
  if (configFile === undefined) {
    const found = await findNearestConfig(process.cwd());
    if (found.above) logger.info(`Using ${found.absolute} (the nearest proxy.config.json above this folder).`);
    configFile = found.relative;
  }
  const contents = await readConfigFile(configFile);
  const { config, warnings: allWarnings } = parseConfigBytes(contents.bytes, contents.shownName, contents.absolute);
  const nameWarnings = new NameWarningFilter();
  const warnings = await nameWarnings.select(allWarnings);
  const { ca, created } = await CertificateAuthority.open({ dir: options.caDir ?? defaultCaDir(options.env ?? process.env) });
  assertHostsPermitted(config.routes, ca);
  const certsDir = resolve(options.certsDir ?? join(dirname(contents.absolute), 'certs'));
  const ports = (next: ProxyConfig): ListenPorts => ({
    https: options.httpsPort ?? next.httpsPort ?? 443,
    http: options.httpPort ?? next.httpPort ?? 80,
  });
  const proxy = new DevProxy({
    routes: config.routes,
    http2: config.http2,
    certificates: new LeafCertificateStore(ca, certsDir),
    httpsPort: ports(config).https,
    httpPort: ports(config).http,
    ...(options.hosts === undefined ? {} : { hosts: options.hosts }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    logger,
  });
  await proxy.start();

  let current = config;
  const reload = async (parsed: ParsedConfig): Promise<RouteChanges> => {
    assertHostsPermitted(parsed.config.routes, ca);
    const changes = await proxy.reload(parsed.config.routes, portsToMoveTo(ports(parsed.config), ports(current), { https: proxy.httpsPort, http: proxy.httpPort }));
    if (parsed.config.http2 !== config.http2) logger.warn(`"http2": ${String(parsed.config.http2)} takes effect when devtls restarts.`);
    current = parsed.config;
    return changes;
  };

  let watcher: ConfigWatcher | undefined;
  if (options.watch !== false) {
    watcher = await followConfigFile(contents, logger, nameWarnings, async (parsed) => {
      const before = { https: proxy.httpsPort, http: proxy.httpPort };
      const changes = await reload(parsed);
      return `${changes.summary}${describePortMove(before, { https: proxy.httpsPort, http: proxy.httpPort })}`;
    });
  }

  return {
    proxy,
    ca,
    caCreated: created,
    get config() {
      return current;
    },
    warnings,
    certsDir,
    configLabel: contents.shownName,
    watching: watcher !== undefined,
    reload,
    stop: async () => {
      await watcher?.close();
      await proxy.close();
    },
  };
}
