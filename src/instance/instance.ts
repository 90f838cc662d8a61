/**
 * The shared instance: one proxy per user serving every project's routes on one port.
 * Projects join and leave over the control socket; each keeps its routes exactly as long
 * as its connection lives. Every change is applied as one generation swap in the proxy,
 * one at a time, so a project joining or leaving never fails another project's request.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmod, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { LeafCertificateStore } from '../pki/leaf-store.js';
import { DevProxy, unroutedNameLine } from '../proxy/dev-proxy.js';
import type { Logger } from '../proxy/logger.js';
import type { Route } from '../routes/route.js';
import { routeShapeProblem } from '../routes/route-shape.js';
import { isUserError, UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { assertHostsPermitted } from '../app/permitted-hosts.js';
import { encode, lineReader, PROTOCOL_VERSION, type ClientMessage, type InstanceInfo, type InstanceMessage, type ProjectInfo, type WantedSettings } from './protocol.js';
import { Registry } from './registry.js';
import { secureStateDir, type StatePaths } from './state-dir.js';
import type { RequestDone } from '../proxy/request-done.js';
import { RequestHistory } from '../status/request-history.js';
import { AccessLogBatcher } from './access-log-batcher.js';
import { RESERVED_HOST } from '../status/reserved-host.js';
import { StatusSite } from '../status/status-site.js';
import { TargetChecks } from '../status/target-checks.js';
import { TrustStates } from '../status/trust-states.js';

export interface InstanceOptions {
  stateDir: string;
  caDir: string;
  /** Where leaf certificates are kept [default: `certs` in the CA folder]. */
  certsDir?: string;
  httpsPort: number;
  httpPort: number | false;
  hosts?: readonly string[];
  http2?: boolean;
  /** Stop when the last project leaves (and when none joins within a few seconds): how `up` starts it. */
  exitWhenIdle?: boolean;
  logger: Logger;
  version: string;
}

/** How long a started instance waits for its first project before it gives up. */
const FIRST_PROJECT_WAIT_MS = 10_000;

export class Instance {
  readonly info: InstanceInfo;
  /** Resolves with the reason once the instance has stopped. */
  readonly stopped: Promise<string>;
  private readonly proxy: DevProxy;
  private readonly ca: CertificateAuthority;
  private readonly registry = new Registry();
  private readonly control: Server;
  private readonly paths: StatePaths;
  private readonly options: InstanceOptions;
  private readonly connections = new Map<number, Socket>();
  private nextConnection = 1;
  /** Route changes are applied one after another. */
  private changes: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private resolveStopped: (reason: string) => void = () => undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Which control connection registered each route (routes are the very objects it sent). */
  private readonly routeOwners = new WeakMap<Route, number>();
  /** The access logs of the connections that asked for one. */
  private readonly accessLogs = new AccessLogBatcher((id, messages) => {
    const socket = this.connections.get(id);
    if (socket !== undefined && !socket.destroyed) socket.write(messages);
  });
  readonly history = new RequestHistory();
  /** https://devtls.localhost/, answered by the proxy when no route serves the name. */
  readonly site: StatusSite;

  private constructor(options: InstanceOptions, paths: StatePaths, ca: CertificateAuthority, caCreated: boolean, proxy: DevProxy, certsDir: string, certificates: LeafCertificateStore) {
    this.options = options;
    const checks = new TargetChecks(() => this.registry.routes().map((route) => route.target));
    const trust = new TrustStates(async () => {
      // Loaded the first time the status page asks: the trust stores' code is not the instance's start-up.
      const [{ checkStoresAgainst }, { currentEnvironment }, { trustedCa }] = await Promise.all([
        import('../doctor/instance-trust.js'),
        import('../trust/store-contract.js'),
        import('../trust/trusted-ca.js'),
      ]);
      return checkStoresAgainst(await currentEnvironment(), { ca: trustedCa(ca), caDir: ca.dir, address: this.info.addresses[0] ?? `127.0.0.1:${this.info.httpsPort}`, host: RESERVED_HOST });
    });
    this.site = new StatusSite(
      () => ({ instance: this.info, projects: this.registry.list(), ca: { fingerprintSha256: ca.fingerprintSha256, notAfter: ca.notAfter }, certificates: certificates.issued() }),
      this.history,
      checks,
      trust,
    );
    this.paths = paths;
    this.ca = ca;
    this.proxy = proxy;
    this.control = createServer((socket) => this.accept(socket));
    this.stopped = new Promise((resolveStopped) => (this.resolveStopped = resolveStopped));
    this.info = {
      pid: process.pid,
      version: options.version,
      httpsPort: proxy.httpsPort,
      httpPort: proxy.httpPort,
      caDir: ca.dir,
      certsDir,
      startedAt: Date.now(),
      caCreated,
      addresses: proxy.addresses,
    };
  }

  /**
   * Open the state folder, the CA and the ports, then the control socket. Fails with a
   * UserError when another instance already runs here, or a port is busy or privileged.
   */
  static async start(options: InstanceOptions): Promise<Instance> {
    const paths = await secureStateDir(options.stateDir);
    const running = await liveInstancePid(paths);
    if (running !== undefined) {
      throw new UserError(`devtls is already running for this user (${running === 0 ? 'pid unknown' : `pid ${running}`}, state folder ${paths.dir}).`, {
        hint: `See it with: ${invocation()} status. Stop it with: ${invocation()} stop`,
        code: 'EINSTANCE',
      });
    }
    const { ca, created } = await CertificateAuthority.open({ dir: resolve(options.caDir) });
    const certsDir = resolve(options.certsDir ?? join(ca.dir, 'certs'));
    let instance: Instance | undefined;
    const certificates = new LeafCertificateStore(ca, certsDir);
    const proxy = new DevProxy({
      routes: [],
      certificates,
      httpsPort: options.httpsPort,
      httpPort: options.httpPort,
      http2: options.http2 ?? true,
      ...(options.hosts === undefined ? {} : { hosts: options.hosts }),
      logger: options.logger,
      onRouteMessage: (route, line) => instance?.tellOwner(route, 'warn', line),
      // No project owns an unrouted name: every attached terminal hears of it once.
      onUnroutedName: (name) => {
        if (name !== RESERVED_HOST) instance?.tellEveryone('info', unroutedNameLine(name));
      },
      onRequestDone: (done) => instance?.requestDone(done),
      builtInSite: { host: RESERVED_HOST, handle: (req, res, host) => instance?.site.handle(req, res, host) ?? false },
    });
    await proxy.start();
    instance = new Instance(options, paths, ca, created, proxy, certsDir, certificates);
    try {
      await instance.listenForProjects();
    } catch (error) {
      await proxy.close();
      throw error;
    }
    if (options.exitWhenIdle === true) instance.idleTimer = setTimeout(() => void instance?.stopIfIdle('no project joined'), FIRST_PROJECT_WAIT_MS);
    return instance;
  }

  /** Stop serving: every project is told why, the ports and the socket are freed. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.idleTimer);
    for (const [id, socket] of this.connections) {
      this.accessLogs.flush(id);
      socket.end(encode({ type: 'stopping', reason }));
    }
    this.control.close();
    await rm(this.paths.pidFile, { force: true });
    if (process.platform !== 'win32') await rm(this.paths.socket, { force: true });
    this.options.logger.info(`stopping: ${reason}`);
    this.site.close();
    await this.proxy.close();
    for (const socket of this.connections.values()) socket.destroy();
    this.resolveStopped(reason);
  }

  projects(): ProjectInfo[] {
    return this.registry.list();
  }

  private async listenForProjects(): Promise<void> {
    // A lock folder makes "remove a stale socket, then listen" one step between two
    // instances starting at once; a lock older than a few seconds is from a crash.
    const lock = `${this.paths.socket}.lock`;
    await takeLock(lock);
    try {
      if (process.platform !== 'win32') await rm(this.paths.socket, { force: true });
      const mask = process.umask(0o177); // the socket is created 0600
      try {
        await new Promise<void>((resolveListen, reject) => {
          this.control.once('error', reject);
          this.control.listen(this.paths.socket, () => {
            this.control.off('error', reject);
            resolveListen();
          });
        });
      } finally {
        process.umask(mask);
      }
      if (process.platform !== 'win32') await chmod(this.paths.socket, 0o600);
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
    const tmp = `${this.paths.pidFile}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.info), { mode: 0o600 });
    await rename(tmp, this.paths.pidFile);
  }

  private accept(socket: Socket): void {
    const id = this.nextConnection++;
    this.connections.set(id, socket);
    socket.on('error', () => socket.destroy());
    const feed = lineReader(
      (message) => void this.handle(id, socket, message as ClientMessage),
      (why) => {
        this.options.logger.warn(`control connection ${id} sent ${why}; closed`);
        socket.destroy();
      },
    );
    socket.on('data', feed);
    socket.once('close', () => {
      this.connections.delete(id);
      this.accessLogs.close(id);
      if (this.registry.get(id) !== undefined) void this.leave(id);
    });
  }

  private async handle(id: number, socket: Socket, message: ClientMessage): Promise<void> {
    const reply = (answer: InstanceMessage): void => {
      if (socket.destroyed) return;
      this.accessLogs.flush(id);
      socket.write(encode(answer));
    };
    const requestId = typeof message?.id === 'number' ? message.id : 0;
    try {
      switch (message?.type) {
        case 'hello':
          if (message.protocol !== PROTOCOL_VERSION) throw new UserError(`this devtls speaks control protocol ${message.protocol}; the running instance (pid ${process.pid}) speaks ${PROTOCOL_VERSION}.`, { hint: `Stop it with ${invocation()} stop, then start again.` });
          this.checkSettings(message.wants);
          reply({ type: 'welcome', id: requestId, instance: this.info });
          return;
        case 'register':
        case 'update': {
          const summary = await this.apply(id, message);
          reply({ type: 'ok', id: requestId, summary, instance: this.info, projects: this.registry.list() });
          return;
        }
        case 'status':
          reply({ type: 'status', id: requestId, instance: this.info, projects: this.registry.list() });
          return;
        case 'stop':
          reply({ type: 'ok', id: requestId, instance: this.info, projects: this.registry.list() });
          await this.stop('stopped with devtls stop');
          return;
        default:
          throw new UserError(`unknown control message ${JSON.stringify((message as { type?: unknown } | undefined)?.type)}`);
      }
    } catch (error) {
      const user = isUserError(error);
      if (!user) this.options.logger.error(`control: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      reply({
        type: 'error',
        id: requestId,
        message: error instanceof Error ? error.message : String(error),
        ...(user && error.hint !== undefined ? { hint: error.hint } : {}),
        ...(user ? { code: error.code } : {}),
      });
    }
  }

  /** An `up` whose ports or CA differ would silently be served elsewhere: refuse it instead. */
  private checkSettings(wants: WantedSettings): void {
    const { httpsPort, httpPort, caDir } = this.info;
    const differs: string[] = [];
    if (wants.httpsPort !== null && wants.httpsPort !== httpsPort) differs.push(`https port ${wants.httpsPort}`);
    if (wants.httpPort !== null && wants.httpPort !== httpPort) differs.push(wants.httpPort === false ? 'no http port' : `http port ${wants.httpPort}`);
    if (resolve(wants.caDir) !== caDir) differs.push(`the CA in ${wants.caDir}`);
    if (differs.length === 0) return;
    const ports = `https :${httpsPort}${httpPort === false ? ', no http redirect' : `, http :${httpPort}`}`;
    throw new UserError(`devtls is already running for this user (pid ${process.pid}) on ${ports} with the CA in ${caDir}; this project asks for ${differs.join(' and ')}.`, {
      hint: `Use the same settings (${invocation()} up --https-port ${httpsPort} --http-port ${httpPort === false ? 0 : httpPort}${differs.some((d) => d.startsWith('the CA')) ? ` --ca-dir ${JSON.stringify(caDir)}` : ''}), or stop it first: ${invocation()} stop`,
      code: 'EMISMATCH',
    });
  }

  /** Register or replace one connection's routes, checked whole before the proxy sees them. */
  private apply(id: number, message: Extract<ClientMessage, { type: 'register' | 'update' }>): Promise<string> {
    const work = this.changes.then(async () => {
      if (this.stopping) throw new UserError('devtls is stopping');
      const previous = this.registry.get(id);
      if (message.type === 'update' && previous === undefined) throw new UserError('update before register');
      if (message.type === 'register' && previous !== undefined) throw new UserError('this connection already registered a project');
      const routes = checkedRoutes(message.routes);
      assertHostsPermitted(routes, this.ca);
      const conflict = this.registry.conflict(id, routes);
      if (conflict !== undefined) {
        throw new UserError(conflict, { hint: 'Each host and path is served by one project: choose another host or path, or stop the other project.', code: 'ECONFLICT' });
      }
      const ports = message.ports !== undefined && (message.ports.https !== this.info.httpsPort || message.ports.http !== this.info.httpPort) ? message.ports : undefined;
      if (ports !== undefined && (message.type === 'register' || this.registry.size > 1)) {
        throw new UserError(`the ports are the shared instance's (https :${this.info.httpsPort}); ${this.registry.size} projects use them.`, {
          hint: `Keep the ports, or stop devtls (${invocation()} stop) and start again with the new ones.`,
          code: 'EMISMATCH',
        });
      }
      const project: ProjectInfo = {
        source: message.type === 'register' ? message.source : (previous as ProjectInfo).source,
        // An update may name a new pid (`devtls run` names its dev server once started).
        pid: message.type === 'register' ? message.pid : Number.isSafeInteger(message.pid) && (message.pid as number) > 0 ? (message.pid as number) : (previous as ProjectInfo).pid,
        routes,
      };
      this.registry.set(id, project);
      for (const route of routes) this.routeOwners.set(route, id);
      if (message.type === 'register' && message.accessLog === true) this.accessLogs.open(id);
      try {
        const changes = await this.proxy.reload(this.registry.routes(), ports);
        if (ports !== undefined) Object.assign(this.info, { httpsPort: this.proxy.httpsPort, httpPort: this.proxy.httpPort, addresses: this.proxy.addresses });
        clearTimeout(this.idleTimer);
        return changes.summary;
      } catch (error) {
        if (previous === undefined) {
          this.registry.remove(id);
          this.accessLogs.close(id);
        } else this.registry.set(id, previous);
        throw error;
      }
    });
    this.changes = work.catch(() => undefined);
    return work;
  }

  /** A project's connection closed (Ctrl-C, kill -9, a crash): its routes go at once. */
  private leave(id: number): Promise<unknown> {
    const work = this.changes.then(async () => {
      const project = this.registry.remove(id);
      if (project === undefined || this.stopping) return;
      await this.proxy.reload(this.registry.routes());
      this.options.logger.info(`${project.source} (pid ${project.pid}) left; ${this.registry.size} project${this.registry.size === 1 ? '' : 's'} remain`);
      await this.stopIfIdle('the last project left');
    });
    this.changes = work.catch(() => undefined);
    return work;
  }

  private async stopIfIdle(reason: string): Promise<void> {
    if (this.options.exitWhenIdle === true && this.registry.size === 0) await this.stop(reason);
  }

  /**
   * The hot path of the access log: one entry kept for the status page, and, only when the
   * owning project asked for an access log, queued for its connection (access-log-batcher.ts).
   */
  private requestDone(done: RequestDone): void {
    this.history.record(done);
    if (this.accessLogs.size === 0 || done.route === undefined) return;
    const owner = this.routeOwners.get(done.route);
    if (owner === undefined) return;
    this.accessLogs.add(owner, done);
  }

  private tellEveryone(level: 'info' | 'warn' | 'error', line: string): void {
    this.options.logger.info(line);
    for (const [id, socket] of this.connections) if (this.registry.get(id) !== undefined) this.sendLine(id, socket, level, line);
  }

  /** Send a line to the terminal of the project that owns `route`. */
  private tellOwner(route: Route, level: 'info' | 'warn' | 'error', line: string): void {
    const owner = this.registry.ownerOf(route);
    const socket = owner === undefined ? undefined : this.connections.get(owner);
    if (owner !== undefined && socket !== undefined && !socket.destroyed) this.sendLine(owner, socket, level, line);
    else this.options.logger.warn(line);
  }

  /** A notice for one terminal, after the access log entries of the requests that ended before it. */
  private sendLine(id: number, socket: Socket, level: 'info' | 'warn' | 'error', line: string): void {
    if (socket.destroyed) return;
    this.accessLogs.flush(id);
    socket.write(encode({ type: 'log', level, line }));
  }
}

function checkedRoutes(value: unknown): Route[] {
  if (!Array.isArray(value)) throw new UserError('routes must be a list');
  for (const route of value) {
    const problem = routeShapeProblem(route);
    if (problem !== undefined) throw new UserError(`a route was refused: ${problem}`);
    if ((route as Route).host === RESERVED_HOST) {
      throw new UserError(`${RESERVED_HOST} is reserved for devtls's status page; a route may not use it (${(route as Route).definedAt}).`, { hint: 'Choose another host name.', code: 'ERESERVED' });
    }
  }
  return value as Route[];
}

/** The pid of an instance that answers on this folder's socket, if one does. */
export async function liveInstancePid(paths: StatePaths): Promise<number | undefined> {
  const answers = await new Promise<boolean>((resolveProbe) => {
    const probe = createConnection(paths.socket);
    probe.once('connect', () => {
      probe.destroy();
      resolveProbe(true);
    });
    probe.once('error', () => resolveProbe(false));
  });
  if (!answers) return undefined;
  try {
    return (JSON.parse(await readFile(paths.pidFile, 'utf8')) as { pid: number }).pid;
  } catch {
    return 0; // answering, but its pid file is gone: still running
  }
}

async function takeLock(lock: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await mkdir(lock, { mode: 0o700 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs).catch(() => Date.now()));
      if (age > 5_000) await rmdir(lock).catch(() => undefined);
      else await new Promise((resolveWait) => setTimeout(resolveWait, 10));
    }
  }
  throw new UserError(`devtls could not lock ${lock}; another devtls is starting.`);
}
