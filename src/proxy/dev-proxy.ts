import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ErrorPage } from './error-pages.js';
import type { ProxyConfig } from '../config/types.js';
import type { Route } from '../routes/route.js';
import type { LeafCertificate, LeafCertificateStore } from '../pki/leaf-store.js';
import { sendErrorPage } from './error-pages.js';
import { forwardHttpRequest } from './forward-http.js';
import { WebSocketForwarder, writeHttpError } from './forward-websocket.js';
import { connectionLimits, type ConnectionLimits } from './connection-limits.js';
import { FreshConnections } from './fresh-connection.js';
import { requestAuthority, type ProxyRequest, type ProxyResponse } from './http-compat.js';
import { listen } from './listen.js';
import { silentLogger, type Logger } from './logger.js';
import { createRedirectHandler } from './redirect-handler.js';
import { hostWithoutPort } from './host-header.js';
import { RouteTable } from '../routes/route-table.js';
import { describeRouteChanges, type RouteChanges } from '../routes/route-changes.js';
import { SecureContexts } from './secure-contexts.js';
import { closeGracefully, createTlsServer, destroyAllConnections, type TlsServer } from './tls-server.js';
import type { ForwardContext } from './upstream-headers.js';
import { UpstreamPools } from './upstream-pools.js';

export const DEFAULT_LISTEN_HOSTS: readonly string[] = ['127.0.0.1', '::1'];

/** How long open connections may finish their requests at shutdown before they are cut. */
const SHUTDOWN_GRACE_MS = 2_000;

export interface ListenPorts {
  https: number;
  http: number | false;
}

export interface DevProxyOptions {
  config: ProxyConfig;
  certificates: LeafCertificateStore;
  /** 0 picks a free port (tests). */
  httpsPort: number;
  /** false: no redirect server. */
  httpPort: number | false;
  /** Addresses to listen on; default loopback only (127.0.0.1 and ::1). */
  hosts?: readonly string[];
  logger?: Logger;
  /** Browser-side timeouts and header size; defaults in connection-limits.ts (tests shorten them). */
  limits?: Partial<ConnectionLimits>;
}

type AnyServer = TlsServer | HttpServer;

/**
 * The running proxy: an HTTPS server (HTTP/2 and HTTP/1.1) that routes by host and path to
 * dev servers, and an HTTP server that redirects to it. Routes live in one immutable
 * RouteTable that `reload` replaces whole: a request in flight keeps the table it started with.
 */
export class DevProxy {
  private table: RouteTable;
  private readonly options: DevProxyOptions;
  private readonly logger: Logger;
  private readonly pools: UpstreamPools;
  private readonly contexts: SecureContexts;
  private readonly webSockets = new WebSocketForwarder();
  private readonly retries: FreshConnections;
  private readonly limits: ConnectionLimits;
  /** HTTP/2 is chosen when the listeners open; changing it needs a restart. */
  private readonly http2: boolean;
  private httpsServers: TlsServer[] = [];
  private httpServers: HttpServer[] = [];
  private boundHttpsPort = 0;
  private boundHttpPort: number | false = false;
  private defaultCertificate: LeafCertificate | undefined;
  private readonly redirect = createRedirectHandler(() => this.table, () => this.boundHttpsPort);

  constructor(options: DevProxyOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.table = new RouteTable(options.config.routes);
    this.http2 = options.config.http2;
    this.pools = new UpstreamPools(options.config.timeouts);
    this.retries = new FreshConnections(options.config.timeouts);
    this.limits = connectionLimits(options.limits);
    this.contexts = new SecureContexts(options.certificates, () => this.table, (host, error) =>
      this.logger.error(`Could not issue a certificate for ${host}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  get routes(): RouteTable {
    return this.table;
  }

  get httpsPort(): number {
    return this.boundHttpsPort;
  }

  get httpPort(): number | false {
    return this.boundHttpPort;
  }

  /** Issue the certificates the routes need, then listen. Rejects with a UserError on a busy or privileged port. */
  async start(): Promise<void> {
    await this.contexts.warm(this.table);
    this.defaultCertificate = await this.options.certificates.get('localhost');
    try {
      this.httpsServers = await this.listenAll('HTTPS', this.options.httpsPort, () => this.createHttpsServer());
      this.boundHttpsPort = portOf(this.httpsServers);
      if (this.options.httpPort !== false) {
        this.httpServers = await this.listenAll('HTTP', this.options.httpPort, () => this.createRedirectServer());
        this.boundHttpPort = portOf(this.httpServers);
      }
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /**
   * Swap in a new configuration. Certificates for new hosts are issued first, so the
   * swap itself is one assignment; if issuing fails, the old routes stay. When `ports`
   * differ from the bound ones, new listeners open first and the old ones stop accepting
   * but let their open connections finish.
   */
  async reload(config: ProxyConfig, ports?: ListenPorts): Promise<RouteChanges> {
    const next = new RouteTable(config.routes);
    await this.contexts.warm(next);
    if (ports !== undefined) await this.rebind(ports);
    const previous = this.table;
    this.table = next;
    this.options.config = config;
    this.pools.setTimeouts(config.timeouts);
    this.retries.setTimeouts(config.timeouts);
    this.pools.retainOnly(new Set(config.routes.map((route) => route.target.origin)));
    if (config.http2 !== this.http2) this.logger.warn(`"http2": ${String(config.http2)} takes effect when devtls restarts.`);
    return describeRouteChanges(previous.routes, next.routes);
  }

  /**
   * Stop listening and let requests in flight finish (HTTP/2 clients get GOAWAY), then,
   * after a short grace period, cut what is left.
   */
  async close(): Promise<void> {
    const servers: AnyServer[] = [...this.httpsServers, ...this.httpServers];
    const tlsServers = new Set<AnyServer>(this.httpsServers);
    this.httpsServers = [];
    this.httpServers = [];
    this.webSockets.closeAll();
    const closed = servers.map(
      (server) =>
        new Promise<void>((resolve) => (tlsServers.has(server) ? closeGracefully(server as TlsServer, () => resolve()) : server.close(() => resolve()))),
    );
    const force = setTimeout(() => {
      for (const server of servers) {
        if ('closeAllConnections' in server) server.closeAllConnections();
        else destroyAllConnections(server);
      }
    }, SHUTDOWN_GRACE_MS);
    await Promise.all(closed);
    clearTimeout(force);
    await this.pools.close();
  }

  private async rebind(ports: ListenPorts): Promise<void> {
    if (ports.https !== this.boundHttpsPort) {
      const servers = await this.listenAll('HTTPS', ports.https, () => this.createHttpsServer());
      const old = this.httpsServers;
      this.httpsServers = servers;
      this.boundHttpsPort = portOf(servers);
      for (const server of old) closeGracefully(server);
    }
    if (ports.http !== this.boundHttpPort) {
      const servers = ports.http === false ? [] : await this.listenAll('HTTP', ports.http, () => this.createRedirectServer());
      const old = this.httpServers;
      this.httpServers = servers;
      this.boundHttpPort = ports.http === false ? false : portOf(servers);
      for (const server of old) server.close();
    }
  }

  /** One server per listen address, all on the same port (the first one's, when asked for 0). */
  private async listenAll<S extends AnyServer>(role: 'HTTPS' | 'HTTP', port: number, create: () => S): Promise<S[]> {
    const hosts = this.options.hosts ?? DEFAULT_LISTEN_HOSTS;
    const servers: S[] = [];
    let chosen = port;
    try {
      for (const host of hosts) {
        const server = create();
        if (await this.bindOptional(server, chosen, host, role, hosts)) {
          servers.push(server);
          chosen = portOf(servers);
        }
      }
    } catch (error) {
      for (const server of servers) server.close();
      throw error;
    }
    return servers;
  }

  private createHttpsServer(): TlsServer {
    return createTlsServer({
      http2: this.http2,
      defaultCertificate: this.defaultCertificate as LeafCertificate,
      sniCallback: this.contexts.sniCallback,
      onRequest: this.handleRequest,
      onUpgrade: this.handleUpgrade,
      onConnect: refuseConnect,
      limits: this.limits,
    });
  }

  private createRedirectServer(): HttpServer {
    return createHttpServer({ keepAliveTimeout: 5_000, headersTimeout: 10_000 }, this.redirect);
  }

  private readonly handleRequest = (req: ProxyRequest, res: ProxyResponse): void => {
    const url = req.url ?? '';
    if (url.charCodeAt(0) !== 47 /* / */) {
      sendErrorPage(req, res, {
        status: 400,
        title: 'Bad Request',
        detail: 'devtls only serves origin-form request targets (a path starting with /); it is not a forward proxy.',
      });
      return;
    }
    const authority = requestAuthority(req);
    const host = hostWithoutPort(authority);
    const table = this.table;
    const route = table.match(host, url);
    if (route === undefined) {
      this.sendNoRoute(req, res, host, table);
      return;
    }
    const misdirectedFrom = this.misdirectedFrom(req, host);
    if (misdirectedFrom !== undefined) {
      sendErrorPage(req, res, misdirectedPage(host, misdirectedFrom));
      return;
    }
    forwardHttpRequest(req, res, route, this.pools.poolFor(route.target), this.forwardContext(req, authority), this.logUpstreamError, this.retries);
  };

  /**
   * Whether a request's Host belongs on another TLS connection than the one it came on:
   * the certificate the SNI name got (its certificate key: the host, or the wildcard that
   * covers it) is not the one Host would get. This is the DNS-rebinding defence for routed
   * hosts: a page on evil.example whose name now resolves to 127.0.0.1 connects with SNI
   * evil.example and cannot present Host app.localhost. HTTP/2 connection coalescing stays
   * allowed where it is legitimate: siblings under one wildcard certificate share its key.
   * No SNI at all (a client that connected to an IP address) is allowed: browsers always
   * send SNI for names, so rebinding cannot produce it, and Host alone decides the route.
   * Returns the SNI name when the request is misdirected. The common case (Host equals SNI)
   * costs one comparison.
   */
  private misdirectedFrom(req: ProxyRequest, host: string): string | undefined {
    const serverName = (req.socket as TLSSocket).servername;
    if (typeof serverName !== 'string' || serverName === '' || serverName === host) return undefined;
    const sniKey = this.contexts.certificateKeyFor(serverName);
    return sniKey === undefined || sniKey !== this.contexts.certificateKeyFor(host) ? serverName : undefined;
  }

  private readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '';
    if (url.charCodeAt(0) !== 47 /* / */) {
      writeHttpError(socket, 400, 'devtls: only origin-form request targets (a path starting with /); devtls is not a forward proxy.');
      return;
    }
    const authority = requestAuthority(req);
    const host = hostWithoutPort(authority);
    const route = this.table.match(host, url);
    if (route === undefined) {
      writeHttpError(socket, 404, `devtls: no route for ${host}${url}`);
      return;
    }
    const misdirectedFrom = this.misdirectedFrom(req, host);
    if (misdirectedFrom !== undefined) {
      writeHttpError(socket, 421, misdirectedPage(host, misdirectedFrom).detail);
      return;
    }
    this.webSockets.forward(req, socket, head, route, this.forwardContext(req, authority), this.logUpstreamError);
  };

  private forwardContext(req: ProxyRequest, authority: string): ForwardContext {
    const socket = req.socket;
    return {
      host: authority,
      clientAddress: socket.remoteAddress ?? '',
      port: socket.localPort ?? this.boundHttpsPort,
      proto: 'https',
    };
  }

  private readonly logUpstreamError = (_route: Route, _req: ProxyRequest, message: string): void => {
    this.logger.warn(message);
  };

  private sendNoRoute(req: ProxyRequest, res: ProxyResponse, host: string, table: RouteTable): void {
    const port = this.boundHttpsPort === 443 ? '' : `:${this.boundHttpsPort}`;
    const patterns = table.hostPatterns();
    const links = patterns.filter((pattern) => !pattern.startsWith('*.')).map((pattern) => `https://${pattern}${port}/`);
    const wildcards = patterns.filter((pattern) => pattern.startsWith('*.'));
    sendErrorPage(req, res, {
      status: 404,
      title: 'No route',
      detail:
        host === ''
          ? 'The request had no Host header, so devtls cannot tell which dev server it is for.'
          : `devtls has no route for ${host}${req.url ?? ''}.`,
      hint: `Add a route for it to ${this.options.config.file}${wildcards.length > 0 ? ` (wildcard hosts: ${wildcards.join(', ')})` : ''}. Configured hosts:`,
      links,
    });
  }

  /** Listen, except that a second loopback address this machine lacks (no IPv6) is skipped. */
  private async bindOptional(server: AnyServer, port: number, host: string, role: 'HTTPS' | 'HTTP', hosts: readonly string[]): Promise<boolean> {
    try {
      await listen(server, port, host, role);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      const optional = hosts.length > 1 && host !== hosts[0];
      if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
        this.logger.warn(`Not listening on ${host} (${role}): this machine has no such address.`);
        return false;
      }
      throw error;
    }
  }
}

function portOf(servers: readonly AnyServer[]): number {
  const address = servers[0]?.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function misdirectedPage(host: string, serverName: string): ErrorPage {
  return {
    status: 421,
    title: 'Misdirected Request',
    detail: `This connection was opened for ${serverName}, and its certificate does not cover ${host}; devtls does not forward it.`,
    hint: `Open https://${host}/ directly. (A page served under another name cannot reach a dev server through devtls: this is its DNS-rebinding defence.)`,
  };
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
  writeHttpError(raw, 405, CONNECT_REFUSED);
}
