/**
 * The control channel between `devtls up`/`run`/`status`/`stop` and the shared instance:
 * one JSON object per line over a Unix socket (0600 in a 0700 folder; never TCP, which
 * every local user and, through DNS rebinding, every web page could reach).
 * A project lives exactly as long as its connection: when the process that registered it
 * ends in any way, the kernel closes the socket and its routes go.
 */
import type { Route } from '../routes/route.js';

export const PROTOCOL_VERSION = 3;
/** No message is anywhere near this; a line longer than this closes the connection. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** The listen settings a client wants; null means "whatever the instance has". */
export interface WantedSettings {
  httpsPort: number | null;
  httpPort: number | false | null;
  caDir: string;
}

export interface InstanceInfo {
  pid: number;
  version: string;
  httpsPort: number;
  httpPort: number | false;
  caDir: string;
  certsDir: string;
  startedAt: number;
  /** Whether this instance created the CA when it started. */
  caCreated: boolean;
  /** The HTTPS addresses really bound, as `127.0.0.1:443`. */
  addresses: string[];
}

export interface ProjectInfo {
  /** The config file (absolute), or what registered the routes (`devtls run -- npm run dev`). */
  source: string;
  pid: number;
  routes: Route[];
}

export type ClientMessage =
  | { type: 'hello'; id: number; protocol: number; wants: WantedSettings }
  | { type: 'register'; id: number; source: string; pid: number; routes: Route[]; ports?: { https: number; http: number | false }; accessLog?: boolean }
  | { type: 'update'; id: number; routes: Route[]; ports?: { https: number; http: number | false }; pid?: number }
  | { type: 'status'; id: number }
  | { type: 'stop'; id: number };

export type InstanceMessage =
  | { type: 'welcome'; id: number; instance: InstanceInfo }
  | { type: 'ok'; id: number; summary?: string; instance: InstanceInfo; projects: ProjectInfo[] }
  | { type: 'error'; id: number; message: string; hint?: string; code?: string }
  | { type: 'status'; id: number; instance: InstanceInfo; projects: ProjectInfo[] }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; line: string }
  | RequestsMessage
  | { type: 'stopping'; reason: string };

/**
 * A project's finished requests, batched, sent only to a project that asked for them when it
 * registered: an `up --quiet` costs the instance nothing per request. See access-rows.ts.
 */
export interface RequestsMessage {
  type: 'requests';
  /** When the batch was sent, ms since the epoch. */
  time: number;
  /** Five numbers per request: name, status, bytes, ms, kind (see access-rows.ts). */
  rows: number[];
  /** Names first used in this batch, numbered from `namesFrom` (0: every earlier name is gone). */
  names?: AccessName[];
  namesFrom?: number;
}

/** What a request asked for, sent once per connection. */
export type AccessName = [method: string, host: string, path: string];

export interface AccessEntry {
  /** When it finished, ms since the epoch. */
  time: number;
  method: string;
  host: string;
  path: string;
  status: number;
  bytes: number;
  /** Duration, whole milliseconds. */
  ms: number;
  protocol: 'h1' | 'h2' | 'ws';
  websocket?: 'open' | 'close';
}

export function encode(message: ClientMessage | InstanceMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a byte stream into JSON messages. Returns a function to feed chunks to; a line
 * that is not JSON, or too long, is reported through `onBad` and ends the stream. It works on
 * the bytes and decodes each line once: an access-log batch arrives in several chunks, and
 * decoding and re-scanning the pending text for each chunk cost as much as printing it.
 */
export function lineReader(onMessage: (message: unknown) => void, onBad: (why: string) => void): (chunk: Buffer) => void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let broken = false;
  return (chunk) => {
    if (broken) return;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    while (newline !== -1) {
      if (pendingBytes + newline - start > MAX_LINE_BYTES) return refuse(`a line over ${MAX_LINE_BYTES} bytes`);
      const line = pendingBytes === 0 ? chunk.toString('utf8', start, newline) : Buffer.concat([...pending, chunk.subarray(start, newline)]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      if (line.trim() !== '') {
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          return refuse('a line that is not JSON');
        }
        onMessage(message);
      }
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) refuse(`a line over ${MAX_LINE_BYTES} bytes`);
    }
  };

  function refuse(why: string): void {
    broken = true;
    pending = [];
    onBad(why);
  }
}

const NEWLINE = 0x0a;
