import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveConfigFile, type RunningDevtls } from '../../dist/app/serve-config-file.js';
import type { ConnectionLimits } from '../../dist/proxy/connection-limits.js';
import { MemoryLogger } from './memory-logger.js';
import { makeTempDir } from './temp-dir.js';

export interface TestDevtls {
  running: RunningDevtls;
  proxy: RunningDevtls['proxy'];
  ca: RunningDevtls['ca'];
  certsDir: string;
  dir: string;
  configFile: string;
  caDir: string;
  readonly httpsPort: number;
  readonly httpPort: number;
  logger: MemoryLogger;
  stop(): Promise<void>;
}

/**
 * devtls started the way `devtls up` starts it (watching its config file), on free high
 * ports on 127.0.0.1, with a throwaway CA folder (never the user's) and the given config
 * written to a temp folder.
 */
export async function startTestDevtls(
  config: unknown,
  options: { caDir?: string; watch?: boolean; limits?: Partial<ConnectionLimits> } = {},
): Promise<TestDevtls> {
  const { dir, remove } = await makeTempDir();
  const configFile = join(dir, 'proxy.config.json');
  await writeFile(configFile, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  const caDir = options.caDir ?? join(dir, 'ca');
  const logger = new MemoryLogger();
  const running = await serveConfigFile({
    configFile,
    caDir,
    httpsPort: 0,
    httpPort: 0,
    hosts: ['127.0.0.1'],
    logger,
    watch: options.watch ?? false,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  return {
    running,
    proxy: running.proxy,
    ca: running.ca,
    certsDir: running.certsDir,
    dir,
    configFile,
    caDir,
    get httpsPort() {
      return running.proxy.httpsPort;
    },
    get httpPort() {
      return running.proxy.httpPort as number;
    },
    logger,
    stop: async () => {
      await running.stop();
      await remove();
    },
  };
}
