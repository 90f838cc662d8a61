/**
 * How the person at the terminal runs devtls, so every "run: …" in a message is a command
 * that works for them: `devtls` when installed globally, `npx devtls` as a project's dev
 * dependency, `node dist/cli.js` from a checkout. Messages anywhere in src/ call
 * `invocation()`; it looks at the file system only the first time a message needs it.
 */
import { realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, sep } from 'node:path';
import { cliEntryPath } from './entry-point.js';

export interface InvocationFacts {
  /** devtls's own entry point (dist/cli.js), with symlinks resolved. */
  cliPath: string;
  /** The script node was started with (`process.argv[1]`) as given, e.g. `…/node_modules/.bin/devtls`. */
  scriptPath: string | undefined;
  /** `scriptPath` with symlinks resolved. */
  realScriptPath: string | undefined;
  /** What `devtls` on PATH runs (symlinks resolved), looking only outside node_modules/.bin folders. */
  onPath: string | undefined;
  /** `npm_config_user_agent`: which package manager started devtls, if one did. */
  userAgent: string | undefined;
  cwd: string;
}

/** The command prefix that runs devtls for this user, e.g. `npx devtls`. Pure: see `invocation()`. */
export function describeInvocation(facts: InvocationFacts): string {
  if (facts.onPath !== undefined && facts.onPath === facts.cliPath) return 'devtls';
  const startedThisCli = facts.realScriptPath === facts.cliPath;
  const viaBinFolder = startedThisCli && facts.scriptPath !== undefined && /[\\/]node_modules[\\/]\.bin[\\/]/.test(facts.scriptPath);
  if (viaBinFolder || /[\\/]node_modules[\\/]devtls[\\/]/.test(facts.cliPath)) return `${packageRunner(facts.userAgent)} devtls`;
  const shown = relative(facts.cwd, facts.cliPath);
  const path = shown !== '' && !shown.startsWith('..') && !isAbsolute(shown) ? shown : facts.cliPath;
  return `node ${/[\s"'$`\\]/.test(path) && sep === '/' ? `'${path.replace(/'/g, `'\\''`)}'` : path}`;
}

/** `npx`, or the equivalent of the package manager that ran devtls. */
function packageRunner(userAgent: string | undefined): string {
  if (userAgent?.startsWith('pnpm/') === true) return 'pnpm exec';
  if (userAgent?.startsWith('yarn/') === true) return 'yarn';
  if (userAgent?.startsWith('bun/') === true) return 'bunx';
  return 'npx';
}

let cached: string | undefined;

/** The command prefix that runs devtls for the person at this terminal (see the file comment). */
export function invocation(): string {
  cached ??= describeInvocation(currentFacts());
  return cached;
}

function currentFacts(): InvocationFacts {
  // This module is dist/invocation.js beside dist/cli.js, or part of the bundle.
  const entry = cliEntryPath(import.meta.url, '.');
  const cliPath = realPath(entry) ?? entry;
  const scriptPath = process.argv[1];
  return {
    cliPath,
    scriptPath,
    realScriptPath: scriptPath === undefined ? undefined : realPath(scriptPath),
    onPath: devtlsOnPath(cliPath),
    userAgent: process.env['npm_config_user_agent'],
    cwd: process.cwd(),
  };
}

/**
 * The first `devtls` on PATH outside node_modules/.bin (npm puts those first while it runs a
 * script; a person's own shell does not have them). npm links a global install on Unix; on
 * Windows it writes `devtls.cmd` beside `node_modules\devtls`, which is matched by folder.
 */
function devtlsOnPath(cliPath: string): string | undefined {
  const windows = process.platform === 'win32';
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    if (folder === '' || /[\\/]node_modules[\\/]\.bin[\\/]?$/.test(folder)) continue;
    const candidate = join(folder, windows ? 'devtls.cmd' : 'devtls');
    if (!isFile(candidate)) continue;
    if (!windows) return realPath(candidate);
    const installed = join(folder, 'node_modules', 'devtls', 'dist', 'cli.js');
    return realPath(installed) === cliPath ? cliPath : candidate;
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

