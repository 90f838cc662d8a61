/**
 * `devtls run -- COMMAND` as a story: name the app, pick a free port, join the shared
 * instance with a route NAME.localhost → that port, start COMMAND with the port, URL and CA
 * in its environment (plus its own port flags when it ignores PORT), and leave when it exits.
 */
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_TIMEOUTS } from '../config/known-keys.js';
import { isUserError, UserError } from '../errors.js';
import { Membership } from '../instance/membership.js';
import { defaultStateDir, secureStateDir } from '../instance/state-dir.js';
import { caPaths } from '../pki/ca-files.js';
import { defaultCaDir } from '../pki/ca-location.js';
import type { AccessEntry } from '../instance/protocol.js';
import type { Logger } from '../proxy/logger.js';
import type { Route } from '../routes/route.js';
import { checkedName, deriveName, nearestPackageJson } from '../run/app-name.js';
import { childEnvironment } from '../run/child-env.js';
import { startChild } from '../run/child-process.js';
import { planDevServer } from '../run/dev-servers.js';
import { findCommand } from '../run/find-command.js';
import { mayListen, pickFreePort } from '../run/free-port.js';
import { discoverListeningPort, type PortDiscovery } from '../run/port-discovery.js';
import { noInstanceAnswers, type StartSettings } from '../instance/start-instance.js';
import type { StatePaths } from '../instance/state-dir.js';

export interface RunOptions {
  command: string;
  args: string[];
  name?: string;
  httpsPort?: number;
  httpPort?: number | false;
  caDir?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** The access log of the command's host, a batch at a time; unset (`--quiet`), the instance sends none. */
  onRequests?: (entries: AccessEntry[]) => void;
  /** Told once the route is served: the URL to print first. The command starts after it, or,
   * when devtls starts its instance, alongside it (then a quick command may print first). */
  onServing(serving: RunServing): void;
}

export interface RunServing {
  url: string;
  port: number;
  /** The dev server recognised in the command (`Vite`), when devtls passed it flags or has advice. */
  tool?: string;
  /** How the port reaches the dev server: PORT, the tool's own flags, or the port its command names. */
  portBy: 'env' | 'flags' | 'command';
  /** Lines of advice for the project's settings. */
  notes: string[];
  /** Other projects served on the same port. */
  others: number;
}

/** Exit code for a command that is not found, as shells use. */
export const COMMAND_NOT_FOUND = 127;

/** Run the command behind https://NAME.localhost; resolves with the exit code to pass on. */
export async function run(options: RunOptions): Promise<number> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (findCommand(options.command, env, cwd) === undefined) {
    throw new UserError(`cannot run ${JSON.stringify(options.command)}: command not found`, { code: 'ENOCOMMAND' });
  }
  const manifest = nearestPackageJson(cwd);
  const name = options.name === undefined ? deriveName(cwd) : checkedName(options.name);
  const host = `${name}.localhost`;
  const commandLine = [options.command, ...options.args].map(shellWord).join(' ');
  const source = `devtls run -- ${commandLine}`;
  const paths = await secureStateDir(defaultStateDir(env));
  const caDir = resolve(options.caDir ?? defaultCaDir(env));
  const scripts = manifest?.json['scripts'];
  // The URL's port is known only once joined; the flags do not depend on it.
  const draft = planDevServer(options.command, options.args, typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>) : {}, 1, host, '');
  const port = draft.ownPort ?? (await pickFreePort());
  // Moved when the command turns out to listen elsewhere (port-discovery.ts); a rejoin sends the current one.
  let route = runRoute(host, port, source);

  // Status shows the dev server's pid once it runs (what a person would inspect or kill).
  let shownPid = process.pid;
  const startSettings = { httpsPort: options.httpsPort ?? 443, httpPort: options.httpPort ?? 80, caDir, http2: true };
  const joinInstance = (): Promise<Membership> =>
    Membership.join(
      paths,
      () => ({
        start: startSettings,
        // Port 0 asks for any free port: whatever a running instance has will do.
        wants: { httpsPort: options.httpsPort === 0 ? null : (options.httpsPort ?? null), httpPort: options.httpPort === 0 ? null : (options.httpPort ?? null), caDir },
        source,
        pid: shownPid,
        routes: [route],
        ...(options.onRequests === undefined ? {} : { onRequests: options.onRequests }),
      }),
      options.logger,
    ).catch((error: unknown) => {
      if (isUserError(error) && error.code === 'ECONFLICT') {
        throw new UserError(`${host} is already served by another project: ${error.message.replace(/^.*is already served by /, '')}.`, {
          hint: `Choose another name: devtls run --name OTHER -- ${commandLine}`,
          code: 'ECONFLICT',
        });
      }
      throw error;
    });

  // With no instance running, the one devtls starts takes about as long to serve as Node
  // takes to start: the command starts alongside it instead of after it, where nothing the
  // instance needs can then fail (the CA exists, both ports may be bound). Otherwise the
  // command starts once joined, so that a conflict or a refused port stops it before it runs.
  const together = await canStartAlongside(paths, startSettings);
  const joining = together ? joinInstance() : undefined;
  joining?.catch(() => undefined); // awaited once the command runs; a failure before that is not unhandled
  let membership = joining === undefined ? await joinInstance() : undefined;
  const httpsPort = membership?.instance.httpsPort ?? startSettings.httpsPort;
  const url = `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}`;
  const plan = planDevServer(options.command, options.args, typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>) : {}, port, host, url);
  const bundleFile = join(paths.dir, `ca-bundle-${process.pid}.pem`);
  const child = await childEnvironment(env, {
    port,
    url,
    host,
    caCertFile: caPaths(membership?.instance.caDir ?? caDir).certPath,
    bundleFile,
    extra: { __VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS: host, RAILS_DEVELOPMENT_HOSTS: host },
  });
  const portBy = draft.ownPort !== undefined ? 'command' : plan.portFlags === true ? 'flags' : 'env';
  // The URL is printed once it is served, so a request sent on seeing it never finds the port closed.
  const serving = (joined: Membership): void => {
    options.onServing({ url, port, ...(plan.tool === undefined ? {} : { tool: plan.tool }), portBy, notes: plan.notes, others: joined.others.length });
    if (child.warning !== undefined) options.logger.warn(child.warning);
  };
  if (membership !== undefined) serving(membership);

  let discovery: PortDiscovery | undefined;
  try {
    const running = await startChild(options.command, plan.args, { env: child.env, cwd }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new UserError(`cannot run ${JSON.stringify(options.command)}: command not found`, { code: 'ENOCOMMAND' });
      throw new UserError(`cannot run ${JSON.stringify(options.command)}: ${error.message}`, { code: 'ENOCOMMAND' });
    });
    shownPid = running.pid;
    if (joining !== undefined) {
      try {
        membership = await joining;
      } catch (error) {
        // The instance did not start after all: the command stops too, and devtls says why.
        running.stop();
        await running.exited;
        throw error;
      }
      serving(membership);
      if (membership.instance.httpsPort !== httpsPort) {
        // Another devtls started an instance at the same moment, on other ports: it serves the name there.
        options.logger.warn(`another devtls started at the same moment on port ${membership.instance.httpsPort}: ${host} is served at https://${host}:${membership.instance.httpsPort} (DEVTLS_URL says ${url}).`);
      }
    }
    const joined = membership as Membership;
    void joined.ended.then((reason) => {
      if (reason !== 'left') options.logger.warn(`devtls stopped (${reason}); ${url} is no longer served, the command keeps running.`);
    });
    joined.showPid(running.pid).catch(() => undefined); // gone already, or the instance is being started again (which registers this pid)
    discovery = discoverListeningPort({
      pid: running.pid,
      expected: port,
      onMove: (to, all) => {
        route = runRoute(host, to, source);
        if (to === port) options.logger.info(`${commandLine} now listens on :${port}: ${url} goes there again.`);
        else {
          const also = all.filter((listener) => listener.port !== to).map((listener) => `:${listener.port}`);
          const given = portBy === 'env' ? `:${port} (PORT)` : portBy === 'flags' ? `:${port}, which devtls's flags asked for` : `:${port}, which its command line names`;
          options.logger.info(`${commandLine} listens on :${to}${also.length > 0 ? ` (and ${also.join(', ')})` : ''}, not on ${given}: ${url} now goes to http://127.0.0.1:${to}.`);
        }
        joined.update([route]).catch((error: unknown) => options.logger.error(`could not move ${url} to :${to}: ${error instanceof Error ? error.message : String(error)}`));
      },
    });
    return await running.exited;
  } finally {
    discovery?.stop();
    if (membership !== undefined) membership.leave();
    else void joining?.then((late) => late.leave(), () => undefined);
    if (child.bundle !== undefined) await rm(child.bundle, { force: true });
  }
}

/**
 * No instance answers, the CA exists and both ports may be bound: the instance will start.
 * Not with https port 0 (any free port): the command's URL needs the port the instance gets.
 */
async function canStartAlongside(paths: StatePaths, settings: StartSettings): Promise<boolean> {
  if (settings.httpsPort === 0) return false;
  if (!(await noInstanceAnswers(paths))) return false;
  if (!existsSync(caPaths(settings.caDir).certPath) || !existsSync(caPaths(settings.caDir).keyPath)) return false;
  for (const port of [settings.httpsPort, settings.httpPort]) {
    if (port !== false && !(await mayListen('127.0.0.1', port))) return false;
  }
  return true;
}

/** The route of a run: the whole host to the port the command listens on. */
export function runRoute(host: string, port: number, source: string): Route {
  return {
    host,
    wildcard: false,
    path: '/',
    // The command may listen on 127.0.0.1 or ::1 ("localhost"): both are tried.
    target: { origin: `http://127.0.0.1:${port}`, hostname: '127.0.0.1', port, basePath: '', anyLoopback: true },
    changeOrigin: false,
    stripPrefix: false,
    rewriteRedirects: true,
    headers: {},
    timeouts: { ...DEFAULT_TIMEOUTS },
    source,
    definedAt: source,
  };
}

/** A word as a person would type it back into a shell. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
