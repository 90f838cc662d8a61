/**
 * A dev server that ignores the port devtls gave it (a hard-coded 3000, a tool devtls does not
 * know) listens somewhere else, and its URL would answer 502 until the person noticed. So while
 * the command runs and none of its processes listens on the port given, devtls looks at which
 * ports they listen on (listening-ports.ts); when one of them speaks HTTP, the route goes there,
 * and follows it if the server comes back on another. Once the command listens on the port
 * given, the route goes back there and devtls stops looking: from then on nothing runs.
 */
import { connect } from 'node:net';
import { listeningPorts, TcpTables, type Listener } from './listening-ports.js';

/** Often at first, while a dev server usually starts; then once a second, as long as the command runs. */
const FIRST_INTERVAL_MS = 250;
const FIRST_PERIOD_MS = 15_000;
const LATER_INTERVAL_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;
/**
 * A port counts once it has been listened on this long while the port given stayed unused: a
 * server that does take the port given may open a side port first (a live-reload server).
 */
const SETTLE_MS = 1_000;
/** A port that did not answer HTTP is asked again only after this long (it may have been starting). */
const REPROBE_MS = 10_000;
/** Node's inspector (`--inspect`) speaks HTTP too: it is never the dev server while another port is there. */
const INSPECTOR_PORTS = new Set([9229]);
/**
 * Databases and brokers a dev script may start beside the server (`concurrently redis-server
 * …`), on their usual ports: never asked anything. Redis, for one, logs a request with a Host
 * header as a cross-protocol attack.
 */
const NOT_HTTP_PORTS = new Set([3306, 5432, 5672, 6379, 11211, 27017, 4222, 9092]);

export interface PortDiscovery {
  /** Stop looking (the command exited, or devtls is leaving). */
  stop(): void;
}

export interface DiscoveryOptions {
  /** The command's process: it and its descendants are looked at. */
  pid: number;
  /** The port devtls gave the command. */
  expected: number;
  /**
   * The route should go to `port` now: one of the command's that answers HTTP while the port
   * given stays unused, or the port given again once the command listens there after all.
   */
  onMove(port: number, all: readonly Listener[]): void;
}

export function discoverListeningPort(options: DiscoveryOptions): PortDiscovery {
  const tables = new TcpTables();
  const started = Date.now();
  const firstSeen = new Map<number, number>();
  const notHttpAt = new Map<number, number>();
  let stopped = false;
  /** Where the route goes now. */
  let current = options.expected;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void look(), Date.now() - started < FIRST_PERIOD_MS ? FIRST_INTERVAL_MS : LATER_INTERVAL_MS);
    timer.unref();
  };
  const look = async (): Promise<void> => {
    const ports = listeningPorts(options.pid, tables);
    if (stopped || ports === undefined) return; // nothing can be known here, or the command is gone
    if (ports.some((listener) => listener.port === options.expected)) {
      // It listens where devtls asked: the route goes (back) there, and there is nothing more to do.
      stopped = true;
      if (current !== options.expected) options.onMove(options.expected, ports);
      return;
    }
    const now = Date.now();
    for (const listener of ports) if (!firstSeen.has(listener.port)) firstSeen.set(listener.port, now);
    if (!ports.some((listener) => listener.port === current)) {
      const settled = ports.filter((listener) => now - (firstSeen.get(listener.port) ?? now) >= SETTLE_MS && now - (notHttpAt.get(listener.port) ?? -REPROBE_MS) >= REPROBE_MS);
      for (const candidate of candidates(settled)) {
        if (!(await answersHttp(candidate))) {
          notHttpAt.set(candidate.port, now);
          continue;
        }
        if (stopped) return;
        current = candidate.port;
        options.onMove(candidate.port, ports);
        break;
      }
    }
    schedule();
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Lowest port first; the inspector last; known databases and brokers never. */
function candidates(ports: readonly Listener[]): Listener[] {
  return ports.filter((listener) => !NOT_HTTP_PORTS.has(listener.port)).sort((a, b) => Number(INSPECTOR_PORTS.has(a.port)) - Number(INSPECTOR_PORTS.has(b.port)) || a.port - b.port);
}

/**
 * Whether the listener answers a HEAD request with an HTTP status line (any status). A bare
 * HTTP/1.0 request: no Host header, which some servers of other protocols log as an attack.
 */
export function answersHttp(listener: Listener): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: listener.address, port: listener.port });
    let head = '';
    const done = (speaks: boolean): void => {
      socket.destroy();
      resolve(speaks);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('HEAD / HTTP/1.0\r\n\r\n'));
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.length >= 12) done(/^HTTP\/1\.[01] \d{3}/.test(head));
    });
    socket.once('end', () => done(/^HTTP\/1\.[01] \d{3}/.test(head)));
  });
}
