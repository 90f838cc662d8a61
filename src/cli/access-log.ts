/**
 * The access log as `up` prints it: one aligned line per request (or WebSocket opening and
 * closing), the status coloured by class; or, with `--log json`, one JSON object per line.
 */
import type { AccessEntry } from '../instance/protocol.js';
import type { Logger } from '../proxy/logger.js';
import { paint } from './terminal.js';

/** Host and path together are shortened to this many characters, so the columns stay aligned. */
const TARGET_WIDTH = 48;

/** Entries of one batch share their time: it is formatted once. */
let clockFor = -1;
let clockText = '';

export function accessLine(entry: AccessEntry): string {
  if (entry.time !== clockFor) {
    clockFor = entry.time;
    clockText = new Date(entry.time).toTimeString().slice(0, 8);
  }
  const time = clockText;
  const method = (entry.protocol === 'ws' ? 'WS' : entry.method).padEnd(7);
  const target = shorten(`${entry.host}${entry.path}`, TARGET_WIDTH).padEnd(TARGET_WIDTH);
  const status = paint(statusStyle(entry.status), String(entry.status));
  if (entry.websocket === 'open') return `${time} ${method} ${target} ${status} ${'open'.padStart(8)} ${''.padStart(8)} ws`;
  const duration = formatDuration(entry.ms).padStart(8);
  const bytes = formatBytes(entry.bytes).padStart(8);
  return `${time} ${method} ${target} ${status} ${duration} ${bytes} ${entry.protocol}${entry.websocket === 'close' ? ' closed' : ''}`;
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
