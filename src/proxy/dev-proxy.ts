import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Route } from '../routes/route.js';
import { RouteTable } from '../routes/route-table.js';
import { formatHost } from '../routes/labels.js';
import { describeRouteChanges, type RouteChanges } from '../routes/route-changes.js';
import type { LeafCertificate, LeafCertificateStore } from '../pki/leaf-store.js';
import { admit, isRefusal, type AdmissionRules } from './admission.js';
import { sendErrorPage } from './error-pages.js';
import { Forwarder } from './forwarder.js';
import { UpgradeForwarder } from './forward-websocket.js';
import { connectionLimits, type ConnectionLimits } from './connection-limits.js';
import type { ProxyRequest, ProxyResponse } from './http-compat.js';
import { bindAll, type BoundServers } from './listeners.js';
import { silentLogger, type Logger } from './logger.js';
import { writeRawResponse } from './raw-response.js';
import { createRedirectHandler } from './redirect-handler.js';
import { SecureContexts } from './secure-contexts.js';
import { closeGracefully, createTlsServer, destroyAllConnections, type TlsServer } from './tls-server.js';
import { UpstreamPools } from './upstream-pools.js';
import type { RequestDoneListener } from './request-done.js';
import { hostWithoutPort } from './host-header.js';
import { requestAuthority } from './http-compat.js';
import { StreamRequest, StreamResponse } from './http2-stream-exchange.js';

/**
 * A site devtls answers itself under a reserved name. It is only asked when no route serves
 * the name, so routed requests never pay for it.
 */
export interface BuiltInSite {
  /** The name it answers under (plain http to it is redirected to https, like a routed host). */
  readonly host: string;
  /** Answer the request and return true, or return false when it is not for this site. */
  handle(req: ProxyRequest, res: ProxyResponse, host: string): boolean;
}

export const DEFAULT_LISTEN_HOSTS: readonly string[] = ['127.0.0.1', '::1'];

/** How long open connections may finish their requests at shutdown before they are cut. */
const SHUTDOWN_GRACE_MS = 2_000;

export interface ListenPorts {
  https: number;
  http: number | false;
}

export interface DevProxyOptions {
  routes: readonly Route[];
  certificates: LeafCertificateStore;
  /** 0 picks a free port (tests). */
  httpsPort: number;
  /** false: no redirect server. */
  httpPort: number | false;
  /** Offer HTTP/2 by ALPN (default true); chosen when the listeners open. */
  http2?: boolean;
  /** Addresses to listen on; default loopback only (127.0.0.1 and ::1). */
  hosts?: readonly string[];
  logger?: Logger;
  /** Where a message about one route goes (a dev server that failed); default the logger's warn. */
  onRouteMessage?: (route: Route, line: string) => void;
  /** Told once when a browser asks for a name no route serves (a typo, a host not added yet). */
  onUnroutedName?: (name: string) => void;
  /**
   * Told about every finished request, WebSocket opening and closing (an access log). Unset,
   * the proxy measures nothing and builds no entry.
   */
  onRequestDone?: RequestDoneListener;
  /** A site devtls serves itself (the status page): asked about requests for names no route serves. */
  builtInSite?: BuiltInSite;
  /** Browser-side timeouts and header size; defaults in connection-limits.ts (tests shorten them). */
  limits?: Partial<ConnectionLimits>;
}

/**
 * Everything a reload replaces, built whole before it is swapped in with one assignment
 * (Caddy's model): a request reads the generation once and sees one consistent state.
 */
class Generation implements AdmissionRules {
  readonly table: RouteTable;
  readonly https: BoundServers<TlsServer>;
  readonly http: BoundServers<HttpServer> | undefined;
  private readonly contexts: SecureContexts;

  constructor(table: RouteTable, https: BoundServers<TlsServer>, http: BoundServers<HttpServer> | undefined, contexts: SecureContexts) {
    this.table = table;
    this.https = https;
    this.http = http;
    this.contexts = contexts;
  }

  get httpsPort(): number {
    return this.https.port;
  }

  certificateKeyFor(name: string): string | undefined {
    return this.contexts.certificateKeyFor(name);
  }
}

const NOT_LISTENING: BoundServers<TlsServer> = { servers: [], port: 0, hosts: [] };

/**
 * The running proxy: HTTPS listeners (HTTP/2 and HTTP/1.1) that route by host and path to
 * dev servers, and HTTP listeners that redirect to them. Its lifecycle is start, reload
 * (one generation swapped for the next) and close; what each request gets is decided by
 * the admission step and carried out by the forwarders.
 */
export class DevProxy {
  private current: Generation;
  private readonly options: DevProxyOptions;
  private readonly logger: Logger;
  private readonly pools = new UpstreamPools();
  private readonly contexts: SecureContexts;
  private readonly forwarder: Forwarder;
  private readonly upgrades: UpgradeForwarder;
  private readonly limits: ConnectionLimits;
  private defaultCertificate: LeafCertificate | undefined;
  private readonly redirect: ReturnType<typeof createRedirectHandler>;

  constructor(options: DevProxyOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.limits = connectionLimits(options.limits);
    this.redirect = createRedirectHandler(
      () => this.current.table,
      () => this.current.httpsPort,
      options.builtInSite?.host,
    );
    this.contexts = new SecureContexts(
      options.certificates,
      () => this.current.table,
      (host, error) => this.logger.error(`Could not issue a certificate for ${host}: ${error instanceof Error ? error.message : String(error)}`),
      { onUnroutedName: options.onUnroutedName ?? ((name) => this.logger.info(unroutedNameLine(name))) },
    );
    const onRouteMessage = options.onRouteMessage ?? ((_route: Route, line: string) => this.logger.warn(line));
    const logUpstreamError = (route: Route, _req: unknown, message: string): void => onRouteMessage(route, message);
    this.forwarder = new Forwarder(this.pools, logUpstreamError, { onDone: options.onRequestDone, movedVersionOf: (route) => this.current.table.movedVersionOf(route) });
    this.upgrades = new UpgradeForwarder(logUpstreamError, options.onRequestDone);
    this.current = new Generation(new RouteTable(options.routes), NOT_LISTENING, undefined, this.contexts);
  }

  get routes(): RouteTable {
    return this.current.table;
  }

  get httpsPort(): number {
    return this.current.httpsPort;
  }

  get httpPort(): number | false {
    return this.current.http?.port ?? false;
  }

  /** The HTTPS addresses actually bound, as `127.0.0.1:443` / `[::1]:443`. */
  get addresses(): string[] {
    return this.current.https.hosts.map((host) => `${formatHost(host)}:${this.current.httpsPort}`);
  }

  /** Issue the certificates the routes need, then listen. Rejects with a UserError on a busy or privileged port. */
  async start(): Promise<void> {
    await this.contexts.warm(this.current.table);
    this.defaultCertificate = await this.options.certificates.get('localhost');
    const { https, http } = await this.bindPorts({ https: this.options.httpsPort, http: this.options.httpPort });
    this.current = new Generation(this.current.table, https ?? NOT_LISTENING, http, this.contexts);
  }

  /**
   * Swap in new routes. The whole next generation is built first: certificates for new
   * hosts are issued, and when `ports` differ from the bound ones, every new listener is
   * opened. If any step fails, the old generation keeps serving untouched. Then one
   * assignment swaps it in; old listeners stop accepting but let open connections finish,
   * and pools no route uses any more are closed.
   */
  async reload(routes: readonly Route[], ports?: ListenPorts): Promise<RouteChanges> {
    const previous = this.current;
    const table = new RouteTable(routes);
    await this.contexts.warm(table);
    let https = previous.https;
    let http = previous.http;
    const moveHttps = ports !== undefined && ports.https !== previous.httpsPort;
    const moveHttp = ports !== undefined && ports.http !== (previous.http?.port ?? false);
    if (moveHttps || moveHttp) {
      const opened = await this.bindPorts({ https: moveHttps ? ports.https : undefined, http: moveHttp ? ports.http : undefined });
      if (opened.https !== undefined) https = opened.https;
      if (moveHttp) http = opened.http;
    }
    this.current = new Generation(table, https, http, this.contexts);
    this.pools.retainOnly(routes);
    if (https !== previous.https) for (const server of previous.https.servers) closeGracefully(server);
    if (http !== previous.http) for (const server of previous.http?.servers ?? []) server.close();
    return describeRouteChanges(previous.table.routes, table.routes);
  }

  /**
   * Stop listening and let requests in flight finish (HTTP/2 clients get GOAWAY), then,
   * after a short grace period, cut what is left.
   */
  async close(): Promise<void> {
    const { https, http } = this.current;
    this.current = new Generation(this.current.table, NOT_LISTENING, undefined, this.contexts);
    this.upgrades.closeAll();
    this.forwarder.stop();
    const closed = [
      ...https.servers.map((server) => new Promise<void>((resolve) => closeGracefully(server, () => resolve()))),
      ...(http?.servers ?? []).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    ];
    const force = setTimeout(() => {
      for (const server of https.servers) destroyAllConnections(server);
      for (const server of http?.servers ?? []) server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    await Promise.all(closed);
    clearTimeout(force);
    await this.pools.close();
  }

  /**
   * Open listeners for the ports given (undefined: leave that role alone; false: no HTTP
   * listener). All or nothing: if one fails, the ones just opened are closed again.
   */
  private async bindPorts(ports: { https: number | undefined; http: number | false | undefined }): Promise<{
    https: BoundServers<TlsServer> | undefined;
    http: BoundServers<HttpServer> | undefined;
  }> {
    const hosts = this.options.hosts ?? DEFAULT_LISTEN_HOSTS;
    const https = ports.https === undefined ? undefined : await bindAll('HTTPS', ports.https, hosts, () => this.createHttpsServer(), this.logger);
    try {
      const http = ports.http === undefined || ports.http === false ? undefined : await bindAll('HTTP', ports.http, hosts, () => this.createRedirectServer(), this.logger);
      return { https, http };
    } catch (error) {
      for (const server of https?.servers ?? []) server.close();
      throw error;
    }
  }

  private createHttpsServer(): TlsServer {
    return createTlsServer({
      http2: this.options.http2 ?? true,
      defaultCertificate: this.defaultCertificate as LeafCertificate,
      sniCallback: this.contexts.sniCallback,
      onRequest: this.handleRequest,
      onStream: this.handleStream,
      onUpgrade: this.handleUpgrade,
      onConnect: refuseConnect,
      limits: this.limits,
    });
  }

  private createRedirectServer(): HttpServer {
    return createHttpServer({ keepAliveTimeout: 5_000, headersTimeout: 10_000 }, this.redirect);
  }

  private readonly handleRequest = (req: ProxyRequest, res: ProxyResponse): void => {
    const admitted = admit(req, this.current);
    if (!isRefusal(admitted)) {
      this.forwarder.forward(req, res, admitted);
      return;
    }
    const host = hostWithoutPort(requestAuthority(req));
    if (admitted.status === 404 && this.options.builtInSite?.handle(req, res, host) === true) return;
    const bytes = sendErrorPage(req, res, admitted);
    this.options.onRequestDone?.({ route: undefined, host, method: req.method ?? 'GET', path: req.url ?? '/', status: admitted.status, bytes, ms: 0, protocol: 'stream' in req ? 'h2' : 'h1' });
  };

  /**
   * An HTTP/2 request to a route, forwarded on its stream without Node's compatibility
   * layer; false for anything else (CONNECT, what devtls answers itself), which
   * handleRequest then gets.
   */
  private readonly handleStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): boolean => {
    if (headers[':method'] === 'CONNECT') return false;
    const req = new StreamRequest(stream, headers, rawHeaders);
    const admitted = admit(req as unknown as ProxyRequest, this.current);
    if (isRefusal(admitted)) return false;
    // What the compatibility layer's own listener does: a reset or broken stream ends in
    // 'close' (the forwarder's cue), and its error must not go unheard.
    stream.on('error', ignoreStreamError);
    // The forwarder uses only what StreamRequest and StreamResponse offer under the compatibility layer's names.
    this.forwarder.forward(req as unknown as ProxyRequest, new StreamResponse(stream) as unknown as ProxyResponse, admitted);
    return true;
  };

  private readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const admitted = admit(req, this.current);
    if (isRefusal(admitted)) writeRawResponse(socket, admitted.status, `devtls: ${admitted.detail}`);
    else this.upgrades.forward(req, socket, head, admitted);
  };
}

function ignoreStreamError(): void {}

/** The terminal line for a name no route serves: the browser gets devtls's 404 page, not a certificate warning. */
export function unroutedNameLine(name: string): string {
  return `${name}: no route serves this name; the browser gets devtls's 404 page listing the routed hosts.`;
}

const CONNECT_REFUSED = 'devtls: CONNECT is refused; devtls is a reverse proxy for its configured hosts, not a forward proxy.';

/**
 * CONNECT: devtls is not a forward proxy. HTTP/1.1 passes the raw socket; Node's HTTP/2
 * server passes a request and a response for a CONNECT stream to the same event.
 */
function refuseConnect(req: IncomingMessage | ProxyRequest, socket: Duplex | ProxyResponse): void {
  if ('stream' in req) {
    const res = socket as ProxyResponse;
    res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(CONNECT_REFUSED) + 1 });
    res.end(`${CONNECT_REFUSED}\n`);
    return;
  }
  const raw = socket as Duplex;
  raw.on('error', () => raw.destroy());
  writeRawResponse(raw, 405, CONNECT_REFUSED);
}
