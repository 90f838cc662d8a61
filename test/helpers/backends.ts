import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { reservePort } from './test-ports.js';

export interface EchoReply {
  server: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Header names as received, one entry per field line (repeats stay visible). */
  headerNames: string[];
  bodyBytes: number;
  bodySha256: string;
}

export interface TestBackend {
  server: Server;
  port: number;
  /** Distinct TCP connections the backend has accepted. */
  connections: Set<Socket>;
  /** The connections open right now. */
  open: Set<Socket>;
  /** Requests seen, in order. */
  requests: IncomingMessage[];
  /** WebSocket upgrade requests accepted, in order. */
  upgrades: IncomingMessage[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A dev server on 127.0.0.1 for tests: by default it answers every request with JSON
 * describing what it received (method, url, headers, body hash), and echoes WebSocket
 * messages back prefixed with its name.
 */
export async function startBackend(name: string, handler?: Handler, options: { websocket?: boolean } = {}): Promise<TestBackend> {
  const connections = new Set<Socket>();
  const requests: IncomingMessage[] = [];
  const upgrades: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    if (handler !== undefined) {
      handler(req, res);
      return;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      const reply: EchoReply = { server: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, headerNames: req.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase()), bodyBytes: bytes, bodySha256: hash.digest('hex') };
      const body = JSON.stringify(reply);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-backend': name });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  const open = trackOpenSockets(server);
  server.on('connection', (socket: Socket) => connections.add(socket));
  let wss: WebSocketServer | undefined;
  if (options.websocket !== false) {
    wss = new WebSocketServer({ server });
    wss.on('connection', (ws, req) => {
      upgrades.push(req);
      ws.on('message', (data) => ws.send(`${name}:${req.url ?? ''}:${data.toString()}`));
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    connections,
    open,
    requests,
    upgrades,
    close: async () => {
      wss?.clients.forEach((client) => client.terminate());
      wss?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A port on 127.0.0.1 where nothing listens, for as long as this test worker runs: reserved
 * above the ephemeral range (test-ports.ts), where no other test's server can land on it. One
 * from listen(0) could become another test's server before the request meant to be refused.
 */
export async function deadPort(): Promise<number> {
  return (await reservePort()).port;
}

/** A raw TCP dev server on 127.0.0.1 (for answers no HTTP server would send). */
export async function startTcpBackend(onConnection: (socket: Socket) => void): Promise<{ server: NetServer; port: number; open: Set<Socket>; close(): Promise<void> }> {
  const server = createNetServer(onConnection);
  const open = trackOpenSockets(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    open,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function trackOpenSockets(server: Server | NetServer): Set<Socket> {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return open;
}

/** What a dev server saw of a request body: its bytes, and whether it ended whole (not cut). */
export interface BodySeen {
  bytes: number;
  complete: boolean;
}

/** Reads `req`'s body; resolves once it ends or its connection is cut. */
export function bodySeen(req: IncomingMessage): Promise<BodySeen> {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  return new Promise((resolve) => {
    req.once('end', () => resolve({ bytes, complete: true }));
    req.once('close', () => resolve({ bytes, complete: req.complete }));
  });
}
