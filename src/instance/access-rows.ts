/**
 * The access log on the control connection. It is sent for every request, so it travels as
 * numbers: each distinct method + host + path is sent once per connection, as a name, and a
 * request is five integers (name, status, bytes, ms, kind) in one flat array. Numbers cost
 * the instance no string escaping and the printing `up` no string parsing: 160 → 58 ns per
 * request to encode, 190 → 56 ns to parse (bench/access-encoding.mjs, BENCHMARKS.md), and a
 * finished request is not kept as an object until the batch is sent.
 *
 * A message stays far below the protocol's line limit whatever the paths: paths are cut,
 * messages hold at most MAX_ROWS_PER_MESSAGE requests, and the names a connection holds are
 * bounded (when full, both sides start again from name 0).
 */
import type { RequestDone } from '../proxy/request-done.js';
import type { AccessEntry, AccessName, RequestsMessage } from './protocol.js';

/** A logged path longer than this is cut (a terminal line shows 48 characters of it). */
export const MAX_LOGGED_PATH = 2048;
/** Requests per message. */
export const MAX_ROWS_PER_MESSAGE = 500;
/** Names each side keeps per connection: at most ~8 MiB of paths, mostly far less. */
export const MAX_NAMES = 4096;
/** Numbers per request in `rows`: name, status, bytes, ms, kind. */
export const ROW_WIDTH = 5;

/** `kind`: the protocol, and for a WebSocket whether it opened or closed. */
const KINDS: readonly Pick<AccessEntry, 'protocol' | 'websocket'>[] = [{ protocol: 'h1' }, { protocol: 'h2' }, { protocol: 'ws' }, { protocol: 'ws', websocket: 'open' }, { protocol: 'ws', websocket: 'close' }];

function kindOf(done: RequestDone): number {
  if (done.protocol === 'h1') return 0;
  if (done.protocol === 'h2') return 1;
  return done.websocket === undefined ? 2 : done.websocket === 'open' ? 3 : 4;
}

/** The instance's side, one per connection that asked for an access log. */
export class AccessEncoder {
  /** host → path → method → name. */
  private ids = new Map<string, Map<string, Map<string, number>>>();
  private nameCount = 0;
  private rows: number[] = [];
  /** Names first used since the last message, numbered from `namesFrom`. */
  private names: AccessName[] = [];
  private namesFrom = 0;
  private readonly messages: string[] = [];

  get pending(): boolean {
    return this.rows.length > 0 || this.messages.length > 0;
  }

  add(done: RequestDone): void {
    const path = done.path.length > MAX_LOGGED_PATH ? `${done.path.slice(0, MAX_LOGGED_PATH - 1)}…` : done.path;
    let paths = this.ids.get(done.host);
    if (paths === undefined) this.ids.set(done.host, (paths = new Map()));
    let methods = paths.get(path);
    if (methods === undefined) paths.set(path, (methods = new Map()));
    let name = methods.get(done.method);
    if (name === undefined) {
      if (this.nameCount === MAX_NAMES) return this.startAgain(done);
      name = this.nameCount++;
      methods.set(done.method, name);
      if (this.names.length === 0) this.namesFrom = name;
      this.names.push([done.method, done.host, path]);
    }
    this.rows.push(name, done.status, done.bytes, Math.round(done.ms), kindOf(done));
    if (this.rows.length === MAX_ROWS_PER_MESSAGE * ROW_WIDTH) this.close(Date.now());
  }

  /** Everything added since the last call, as protocol lines ('' when nothing). */
  take(time: number): string {
    if (this.rows.length > 0) this.close(time);
    const text = this.messages.join('');
    this.messages.length = 0;
    return text;
  }

  /** The names are all used: what uses them is sent first, and numbering starts again at 0. */
  private startAgain(done: RequestDone): void {
    if (this.rows.length > 0) this.close(Date.now());
    this.ids = new Map();
    this.nameCount = 0;
    this.add(done);
  }

  private close(time: number): void {
    const message: RequestsMessage = { type: 'requests', time, rows: this.rows };
    if (this.names.length > 0) {
      message.names = this.names;
      message.namesFrom = this.namesFrom;
    }
    this.messages.push(`${JSON.stringify(message)}\n`);
    this.rows = [];
    this.names = [];
  }
}

/** The `up` side: turns `requests` messages back into entries, keeping the connection's names. */
export class AccessDecoder {
  private names: AccessName[] = [];

  /** The message's requests; one that names what was never sent (or past MAX_NAMES) is left out. */
  decode(message: RequestsMessage): AccessEntry[] {
    if (message.names !== undefined && message.namesFrom !== undefined && message.namesFrom + message.names.length <= MAX_NAMES) {
      // Numbering from 0 again: the instance dropped every earlier name.
      if (message.namesFrom === 0) this.names = [];
      for (let i = 0; i < message.names.length; i++) this.names[message.namesFrom + i] = message.names[i] as AccessName;
    }
    const { rows, time } = message;
    const entries: AccessEntry[] = [];
    for (let at = 0; at + ROW_WIDTH <= rows.length; at += ROW_WIDTH) {
      const name = this.names[rows[at] as number];
      const kind = KINDS[rows[at + 4] as number];
      if (name === undefined || kind === undefined) continue;
      const [method, host, path] = name;
      const status = rows[at + 1] as number;
      const bytes = rows[at + 2] as number;
      const ms = rows[at + 3] as number;
      // Two literal shapes, so the printing code sees few hidden classes.
      entries.push(kind.websocket === undefined ? { time, method, host, path, status, bytes, ms, protocol: kind.protocol } : { time, method, host, path, status, bytes, ms, protocol: kind.protocol, websocket: kind.websocket });
    }
    return entries;
  }
}
