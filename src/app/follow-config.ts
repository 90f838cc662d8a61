/**
 * Following a project's config file while it is served, as `devtls up` and the in-process
 * API both do: each saved edit is applied, and what happened is said in one line (the
 * change, a broken edit kept out, a deleted file, a file valid again).
 */
import type { ConfigFileContents } from '../config/load-config.js';
import type { NameWarningFilter } from '../config/name-warning-filter.js';
import type { ParsedConfig } from '../config/parse-config.js';
import { ConfigWatcher } from '../config/watch-config.js';
import type { Logger } from '../proxy/logger.js';
import { isUserError } from '../errors.js';

export interface ListenPortPair {
  https: number;
  http: number | false;
}

/**
 * Start watching. `apply` serves a valid edit and returns the summary to print after
 * "reloaded FILE: ".
 */
export function followConfigFile(
  contents: ConfigFileContents,
  logger: Logger,
  nameWarnings: NameWarningFilter,
  apply: (parsed: ParsedConfig) => Promise<string>,
): Promise<ConfigWatcher> {
  return ConfigWatcher.start(contents.absolute, contents.bytes, {
    apply: async (parsed) => {
      logger.info(`reloaded ${contents.shownName}: ${await apply(parsed)}`);
      for (const warning of await nameWarnings.select(parsed.warnings)) logger.warn(`${warning.source}: ${warning.message}`);
    },
    reject: (error) => {
      const message = isUserError(error) ? error.message : error instanceof Error ? error.message : String(error);
      logger.error(`${message} (still serving the last good routes)`);
    },
    missing: () => logger.error(`${contents.shownName} was deleted; still serving the last good routes until it is back.`),
    recovered: () => logger.info(`${contents.shownName} is valid again, with the routes already being served.`),
  });
}

/** Ports to move to when the file's ports changed, undefined when nothing moves; 0 ("any free port") keeps the bound one. */
export function portsToMoveTo(next: ListenPortPair, previous: ListenPortPair, bound: ListenPortPair): ListenPortPair | undefined {
  if (next.https === previous.https && next.http === previous.http) return undefined;
  return {
    https: next.https === 0 && previous.https === 0 ? bound.https : next.https,
    http: next.http === 0 && previous.http === 0 ? bound.http : next.http,
  };
}

/** `; https moved from :8443 to :9443 (…)`, or nothing when no port moved. */
export function describePortMove(before: ListenPortPair, after: ListenPortPair): string {
  const moves: string[] = [];
  if (before.https !== after.https) moves.push(`https moved from :${before.https} to :${after.https}`);
  if (before.http !== after.http) {
    moves.push(after.http === false ? 'http redirect turned off' : `http moved from ${before.http === false ? 'off' : `:${before.http}`} to :${after.http}`);
  }
  return moves.length === 0 ? '' : `; ${moves.join(', ')} (open connections on the old port finish first)`;
}
