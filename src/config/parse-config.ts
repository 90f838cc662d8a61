/**
 * proxy.config.json text → validated ProxyConfig, or one ConfigError pointing at the exact
 * line and column. Never throws anything else, whatever the input.
 */
import { ConfigError } from './config-error.js';
import { parseJsonTree } from './json-syntax.js';
import { SourceText } from './source-text.js';
import { validateConfig, type ConfigWarning } from './validate-config.js';
import type { ProxyConfig } from './types.js';

export type { ConfigWarning } from './validate-config.js';

export interface ParsedConfig {
  config: ProxyConfig;
  warnings: ConfigWarning[];
}

/**
 * @param text the file's contents (a leading UTF-8 BOM is allowed)
 * @param file the file name as the user gave it; used in messages and `source` positions
 * @throws ConfigError
 */
export function parseConfig(text: string, file: string): ParsedConfig {
  const source = new SourceText(text.startsWith('\ufeff') ? text.slice(1) : text, file);
  try {
    return validateConfig(source, parseJsonTree(source));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // A bug in the validator must still not leak as a crash on user input.
    throw source.error(0, { what: 'devtls could not read this file (internal error, please report it)', found: String(error), expected: 'a valid proxy.config.json' });
  }
}
