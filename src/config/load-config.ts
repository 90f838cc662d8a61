/** Read proxy.config.json from disk and parse it; every failure is a UserError with a hint. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { ConfigError } from './config-error.js';
import { parseConfig, type ParsedConfig } from './parse-config.js';

export const CONFIG_FILE_NAME = 'proxy.config.json';

/**
 * @param file path to the config file, relative to the working directory or absolute; a
 *   directory means `<dir>/proxy.config.json`. Messages and route `source`s use the path as
 *   given; `config.file` is the absolute path (what a file watcher needs).
 * @throws UserError (missing or unreadable file) or ConfigError (bad contents)
 */
export async function loadConfigFile(file: string): Promise<ParsedConfig> {
  const { bytes, shownName, absolute } = await readConfigFile(file);
  return parseConfigBytes(bytes, shownName, absolute);
}

export interface ConfigFileContents {
  bytes: Buffer;
  /** The path as the user gave it, for messages. */
  shownName: string;
  absolute: string;
}

/** Read the config file's bytes (for a watcher that compares them before parsing). */
export async function readConfigFile(file: string): Promise<ConfigFileContents> {
  let shownName = file;
  let absolute = path.resolve(file);
  try {
    if ((await stat(absolute)).isDirectory()) {
      shownName = path.join(file, CONFIG_FILE_NAME);
      absolute = path.join(absolute, CONFIG_FILE_NAME);
    }
  } catch {
    // Reported by readFile below, with the right message.
  }

  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (cause) {
    throw readError(cause, absolute, shownName);
  }

  return { bytes, shownName, absolute };
}

/** Decode and parse bytes read by readConfigFile. */
export function parseConfigBytes(bytes: Buffer, shownName: string, absolute: string): ParsedConfig {
  const text = decodeUtf8(bytes, shownName);
  const parsed = parseConfig(text, shownName);
  return { config: { ...parsed.config, file: absolute }, warnings: parsed.warnings };
}

function readError(cause: unknown, absolute: string, shownName: string): UserError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UserError(`no ${path.basename(absolute)} in ${path.dirname(absolute)}`, { hint: `run \`${invocation()} init\` to write a starter file`, code: 'ENOCONFIG', cause });
    case 'EACCES':
    case 'EPERM':
      return new UserError(`cannot read ${shownName}: permission denied`, { hint: `check the file's owner and permissions (ls -l ${shownName})`, code: 'ECONFIGREAD', cause });
    case 'EISDIR':
      return new UserError(`cannot read ${shownName}: it is a directory`, { hint: `pass the path of the ${CONFIG_FILE_NAME} file`, code: 'ECONFIGREAD', cause });
    default:
      return new UserError(`cannot read ${shownName}: ${(cause as Error | undefined)?.message ?? String(cause)}`, { code: 'ECONFIGREAD', cause });
  }
}

/** Strict UTF-8 (a BOM is kept for parseConfig to drop); other encodings get a position and a fix. */
function decodeUtf8(bytes: Buffer, shownName: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ConfigError({ file: shownName, line: 1, column: 1 }, {
      what: 'the file is saved as UTF-16', found: 'a UTF-16 byte order mark', expected: 'UTF-8 text',
      hint: 'save the file as UTF-8 (in VS Code: "Change File Encoding" in the status bar)',
    });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(0, bad));
    const lines = before.split(/\r\n|\r|\n/);
    const line = lines.length;
    const column = (lines.at(-1) ?? '').length + 1 - (line === 1 && before.startsWith('\ufeff') ? 1 : 0);
    throw new ConfigError({ file: shownName, line, column }, {
      what: 'the file is not valid UTF-8',
      found: `byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')}`,
      expected: 'UTF-8 text',
      hint: 'save the file as UTF-8',
    });
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong 3/4-byte forms, surrogates and > U+10FFFF.
    const c1 = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 > 0x9f) || (b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 > 0x8f)) return i;
    i += need + 1;
  }
  return bytes.length;
}
