/**
 * A project's membership of the shared instance, the part `devtls up` and `devtls run`
 * share: connect (starting the instance in the background when none runs), hello, register,
 * relay the instance's log lines, and when the instance dies, start it again and register
 * anew. The project's routes live exactly as long as its control connection.
 */
import type { Logger } from '../proxy/logger.js';
import type { Route } from '../routes/route.js';
import { UserError } from '../errors.js';
import type { ControlConnection } from './control-client.js';
import { PROTOCOL_VERSION, type AccessEntry, type InstanceInfo, type ProjectInfo, type WantedSettings } from './protocol.js';
import { AccessDecoder } from './access-rows.js';
import { connectOrStart, type StartSettings } from './start-instance.js';
import type { StatePaths } from './state-dir.js';

/** What a project asks for each time it joins (read again on a rejoin: routes may have changed). */
export interface JoinRequest {
  /** How to start the instance when none runs. */
  start: StartSettings;
  /** The settings this project needs of a running instance. */
  wants: WantedSettings;
  source: string;
  pid: number;
  routes: Route[];
  /** Wants the access log: the instance sends batches of its finished requests here. */
  onRequests?: (entries: AccessEntry[]) => void;
}

type Ports = { https: number; http: number | false };
type UpdateReply = { summary: string; instance: InstanceInfo };

/** How long a lost instance may take to come back before the project gives up. */
const RECONNECT_DEADLINE_MS = 10_000;

export class Membership {
  /** The instance as of the last join or update. */
  instance: InstanceInfo;
  /** Whether this project started the instance. */
  readonly startedInstance: boolean;
  /** The other projects served when this one joined. */
  readonly others: ProjectInfo[];
  /** Resolves with the reason when the membership ends for good (devtls stop, or left). */
  readonly ended: Promise<string>;
  private connection: ControlConnection;
  private leaving = false;
  private resolveEnded: (reason: string) => void = () => undefined;
  private readonly paths: StatePaths;
  private readonly request: () => JoinRequest;
  private readonly logger: Logger;
  private readonly onRequests: ((entries: AccessEntry[]) => void) | undefined;

  private constructor(paths: StatePaths, request: () => JoinRequest, logger: Logger, joined: Joined) {
    this.paths = paths;
    this.request = request;
    this.logger = logger;
    this.onRequests = request().onRequests;
    this.connection = joined.connection;
    this.instance = joined.instance;
    this.startedInstance = joined.started;
    this.others = joined.others;
    this.ended = new Promise<string>((resolveEnded) => (this.resolveEnded = resolveEnded));
    this.listen(this.connection);
  }

  /** Join the instance; rejects with the instance's UserError (a conflict, mismatched settings…). */
  static async join(paths: StatePaths, request: () => JoinRequest, logger: Logger): Promise<Membership> {
    return new Membership(paths, request, logger, await joinOnce(paths, request()));
  }

  /** Replace this project's routes (and, when `ports` is given, move the instance's ports). */
  async update(routes: Route[], ports?: Ports): Promise<UpdateReply> {
    const reply = await this.connection.request({ type: 'update', routes, ...(ports === undefined ? {} : { ports }) });
    if (reply.type !== 'ok') throw new UserError('the devtls instance answered out of turn');
    this.instance = reply.instance;
    return { summary: reply.summary ?? '', instance: reply.instance };
  }

  /** The pid status shows for this project from now on (`devtls run`'s dev server); its routes stay. */
  async showPid(pid: number): Promise<void> {
    const reply = await this.connection.request({ type: 'update', routes: this.request().routes, pid });
    if (reply.type !== 'ok') throw new UserError('the devtls instance answered out of turn');
    this.instance = reply.instance;
  }

  /** Leave: the instance drops this project's routes. */
  leave(): void {
    this.leaving = true;
    this.connection.close();
    this.resolveEnded('left');
  }

  private listen(current: ControlConnection): void {
    // Names are per connection: a new connection (after a rejoin) starts from none.
    const decoder = new AccessDecoder();
    current.onEvent((event) => {
      if (event.type === 'stopping') {
        this.leaving = true;
        this.resolveEnded(event.reason);
      } else if (event.type === 'requests') this.onRequests?.(decoder.decode(event));
      else if (event.level === 'error') this.logger.error(event.line);
      else if (event.level === 'warn') this.logger.warn(event.line);
      else this.logger.info(event.line);
    });
    void current.closed.then(() => {
      if (!this.leaving && current === this.connection) void this.rejoin();
    });
  }

  private async rejoin(): Promise<void> {
    this.logger.warn('the devtls instance stopped unexpectedly; starting it again…');
    const deadline = Date.now() + RECONNECT_DEADLINE_MS;
    for (;;) {
      try {
        const request = this.request();
        const joined = await joinOnce(this.paths, request);
        if (this.leaving) {
          joined.connection.close();
          return;
        }
        this.connection = joined.connection;
        this.instance = joined.instance;
        this.listen(this.connection);
        this.logger.info(`devtls is serving ${request.source} again (instance pid ${joined.instance.pid}).`);
        return;
      } catch (error) {
        if (Date.now() > deadline || this.leaving) {
          this.logger.error(`devtls could not start again: ${error instanceof Error ? error.message : String(error)}`);
          this.resolveEnded('the instance could not be started again');
          return;
        }
        await new Promise((wait) => setTimeout(wait, 50 + Math.random() * 100));
      }
    }
  }
}

interface Joined {
  connection: ControlConnection;
  instance: InstanceInfo;
  started: boolean;
  others: ProjectInfo[];
}

async function joinOnce(paths: StatePaths, request: JoinRequest): Promise<Joined> {
  const { connection, started } = await connectOrStart(paths, request.start);
  try {
    const welcome = await connection.request({ type: 'hello', protocol: PROTOCOL_VERSION, wants: request.wants });
    const registered = await connection.request({ type: 'register', source: request.source, pid: request.pid, routes: request.routes, accessLog: request.onRequests !== undefined });
    if (welcome.type !== 'welcome' || registered.type !== 'ok') throw new UserError('the devtls instance answered out of turn');
    const others = registered.projects.filter((project) => project.pid !== request.pid || project.source !== request.source);
    return { connection, instance: registered.instance, started, others };
  } catch (error) {
    connection.close();
    throw error;
  }
}
