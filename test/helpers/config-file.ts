import { parseConfigBytes, readConfigFile } from '../../dist/config/load-config.js';
import type { ParsedConfig } from '../../dist/config/parse-config.js';

/** Read and parse a config file as `devtls up` does at start. */
export async function loadConfigForTest(file: string): Promise<ParsedConfig> {
  const { bytes, shownName, absolute } = await readConfigFile(file);
  return parseConfigBytes(bytes, shownName, absolute);
}
