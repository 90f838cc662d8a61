/**
 * The access log as `up` prints it: one aligned line per request (or WebSocket opening and
 * closing), the status coloured by class; or, with `--log json`, one JSON object per line.
 */
import type { AccessEntry } from '../instance/protocol.js';
import type { Logger } from '../proxy/logger.js';
import { paint } from './terminal.js';

/** Host and path together are shortened to this many characters, so the columns stay aligned. */
const TARGET_WIDTH = 48;

/**
 * At thousands of requests a second the `up` process printing them shares the machine with
 * the proxy, so a line is mostly glued from pieces formatted once: the time once per batch,
 * and the method, host + path, status and small sizes once per distinct value (a dev server's
 * paths repeat). This halves the CPU per line (bench/access-log.mjs).
 */
let clockFor = -1;
let clockText = '';
const MAX_CACHED_HOSTS = 64;
const MAX_CACHED_PATHS = 1024;
const targets = new Map<string, Map<string, string>>();
const methods = new Map<string, string>();
const statuses = new Map<number, string>();
const smallDurations: string[] = [];
const smallSizes: string[] = [];

export function accessLine(entry: AccessEntry): string {
  if (entry.time !== clockFor) {
    clockFor = entry.time;
    clockText = new Date(entry.time).toTimeString().slice(0, 8);
  }
  const method = methodColumn(entry.protocol === 'ws' ? 'WS' : entry.method);
  const target = targetColumn(entry.host, entry.path);
  const status = statusColumn(entry.status);
  if (entry.websocket === 'open') return `${clockText} ${method} ${target} ${status}     open          ws`;
  const duration = entry.ms < 1000 ? (smallDurations[entry.ms] ??= formatDuration(entry.ms).padStart(8)) : formatDuration(entry.ms).padStart(8);
  const bytes = entry.bytes < 1024 ? (smallSizes[entry.bytes] ??= formatBytes(entry.bytes).padStart(8)) : formatBytes(entry.bytes).padStart(8);
  return `${clockText} ${method} ${target} ${status} ${duration} ${bytes} ${entry.protocol}${entry.websocket === 'close' ? ' closed' : ''}`;
}

function methodColumn(method: string): string {
  let column = methods.get(method);
  if (column === undefined) {
    column = method.padEnd(7);
    if (methods.size < 64) methods.set(method, column);
  }
  return column;
}

function targetColumn(host: string, path: string): string {
  // By host, then path: no joined key to build and hash for every line.
  let paths = targets.get(host);
  if (paths === undefined) {
    if (targets.size >= MAX_CACHED_HOSTS) targets.clear();
    targets.set(host, (paths = new Map()));
  }
  let column = paths.get(path);
  if (column === undefined) {
    column = shorten(`${host}${path}`, TARGET_WIDTH).padEnd(TARGET_WIDTH);
    if (paths.size >= MAX_CACHED_PATHS) paths.clear();
    paths.set(path, column);
  }
  return column;
}

function statusColumn(status: number): string {
  let column = statuses.get(status);
  if (column === undefined) {
    column = paint(statusStyle(status), String(status));
    if (statuses.size < 128) statuses.set(status, column);
  }
  return column;
}

/** A batch as text to print: a line per entry, each with `mark` before it when given. */
export function accessText(entries: readonly AccessEntry[], mark?: string): string {
  let text = '';
  for (const entry of entries) text += mark === undefined ? `${accessLine(entry)}\n` : `${mark} ${accessLine(entry)}\n`;
  return text;
}

/** A batch for tools: a JSON object per line. */
export function accessJsonText(entries: readonly AccessEntry[]): string {
  let text = '';
  for (const entry of entries) text += `${accessJson(entry)}\n`;
  return text;
}

/** For tools: the entry with its time as an ISO string. */
export function accessJson(entry: AccessEntry): string {
  return JSON.stringify({ ...entry, time: new Date(entry.time).toISOString() });
}

/** With `--log json` stdout carries only JSON: messages become objects too. */
export const jsonLogger: Logger = {
  info: (message) => console.log(JSON.stringify({ level: 'info', message })),
  warn: (message) => console.log(JSON.stringify({ level: 'warn', message })),
  error: (message) => console.log(JSON.stringify({ level: 'error', message })),
};

/** Keep the host, the start of the path and its end (the file name): `app.localhost/src/…/main.ts`. */
export function shorten(text: string, width: number): string {
  if (text.length <= width) return text;
  const tail = Math.floor((width - 1) / 3);
  return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`;
}

function statusStyle(status: number): 'green' | 'cyan' | 'yellow' | 'red' {
  if (status >= 500) return 'red';
  if (status >= 400) return 'yellow';
  if (status >= 300 || status < 200) return 'cyan';
  return 'green';
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
