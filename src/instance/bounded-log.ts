import { appendFileSync, renameSync, statSync } from 'node:fs';
import type { Logger } from '../proxy/logger.js';

const MAX_BYTES = 1024 * 1024;

/**
 * The background instance's log: lines appended to a file that never grows past 1 MiB
 * (the previous MiB is kept as `.1`). Written synchronously: a few lines a minute, and a
 * crash must not lose the line that explains it.
 */
export function boundedFileLogger(file: string): Logger {
  let size = sizeOf(file);
  const write = (level: string, line: string): void => {
    const text = `${new Date().toISOString()} ${level} ${line}\n`;
    try {
      if (size + text.length > MAX_BYTES) {
        renameSync(file, `${file}.1`);
        size = 0;
      }
      appendFileSync(file, text, { mode: 0o600 });
      size += Buffer.byteLength(text);
    } catch {
      // A log that cannot be written must not take the proxy down.
    }
  };
  return { info: (line) => write('info', line), warn: (line) => write('warn', line), error: (line) => write('error', line) };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
