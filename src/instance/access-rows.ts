/**
 * The access log on the control connection. It is sent for every request, so each entry
 * travels as an array (`["GET","app.localhost","/",200,1234,3,"h1"]`), half the bytes of an
 * object to write, send and parse, and the batch carries the time once. A message stays far
 * below the protocol's line limit whatever the paths: paths are cut and batches split.
 */
import type { RequestDone } from '../proxy/request-done.js';
import type { AccessEntry, AccessRow } from './protocol.js';

/** A logged path longer than this is cut (a terminal line shows 48 characters of it). */
export const MAX_LOGGED_PATH = 2048;
/** Rows per message: with the longest paths, about 1 MiB. */
export const MAX_ROWS_PER_MESSAGE = 500;

export function accessRow(done: RequestDone): AccessRow {
  const path = done.path.length > MAX_LOGGED_PATH ? `${done.path.slice(0, MAX_LOGGED_PATH - 1)}…` : done.path;
  const row: AccessRow = [done.method, done.host, path, done.status, done.bytes, Math.round(done.ms), done.protocol];
  if (done.websocket !== undefined) row.push(done.websocket);
  return row;
}

/** The rows of `done`, in messages of at most MAX_ROWS_PER_MESSAGE. */
export function accessBatches(done: readonly RequestDone[]): AccessRow[][] {
  const batches: AccessRow[][] = [];
  for (let start = 0; start < done.length; start += MAX_ROWS_PER_MESSAGE) batches.push(done.slice(start, start + MAX_ROWS_PER_MESSAGE).map(accessRow));
  return batches;
}

export function accessEntries(rows: readonly AccessRow[], time: number): AccessEntry[] {
  return rows.map(([method, host, path, status, bytes, ms, protocol, websocket]) => (websocket === undefined ? { time, method, host, path, status, bytes, ms, protocol } : { time, method, host, path, status, bytes, ms, protocol, websocket }));
}
