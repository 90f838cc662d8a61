/** Read proxy.config.json from disk and decode it; every failure is a UserError with a hint. */
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';
import { ConfigError } from './config-error.js';
import { parseConfig, type ParsedConfig } from './parse-config.js';
import { readRegularFile } from './regular-file.js';

export const CONFIG_FILE_NAME = 'proxy.config.json';
/** A config holds routes and takes a few KiB; a file past this is the wrong file, or a device. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const FILE_RULE = `devtls reads its routes from a regular file (or a symlink to one) of at most ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`;

export interface ConfigFileContents {
  bytes: Buffer;
  /** The path as the user gave it, for messages. */
  shownName: string;
  absolute: string;
}

export interface ReadConfigOptions {
  /**
   * Whether a directory means `<dir>/proxy.config.json`, as on the command line (the default).
   * A watcher passes false: the file it watches turning into a folder is a bad edit.
   */
  directoryMeansConfigInside?: boolean;
  /** Abandons the read (it then rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Read the config file's bytes (for a watcher that compares them before parsing). Only a
 * regular file of at most MAX_CONFIG_BYTES is read; anything else is a UserError, never a
 * read that blocks or grows without end.
 * @param file path to the config file, relative to the working directory or absolute.
 *   Messages use the path as given; `absolute` is what a file watcher needs.
 * @throws UserError with code ENOCONFIG (no such file) or ECONFIGREAD (anything else)
 */
export async function readConfigFile(file: string, options: ReadConfigOptions = {}): Promise<ConfigFileContents> {
  let shownName = file;
  let absolute = path.resolve(file);
  if (options.directoryMeansConfigInside !== false) {
    try {
      if ((await stat(absolute)).isDirectory()) {
        shownName = path.join(file, CONFIG_FILE_NAME);
        absolute = path.join(absolute, CONFIG_FILE_NAME);
      }
    } catch {
      // Reported by the read below, with the right message.
    }
  }

  let read;
  try {
    read = await readRegularFile(absolute, { maxBytes: MAX_CONFIG_BYTES, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  } catch (cause) {
    if (options.signal?.aborted === true) throw cause;
    throw await readError(cause, absolute, shownName);
  }
  switch (read.kind) {
    case 'read':
      return { bytes: read.bytes, shownName, absolute };
    case 'not regular':
      throw new UserError(`${shownName} is ${read.type}${await linkNote(absolute)}, not a regular file`, { hint: `${FILE_RULE}; put the file back in its place`, code: 'ECONFIGREAD' });
    case 'too large': {
      const size = read.size === undefined ? 'grew past the limit while it was read' : `is ${mebibytes(read.size)}`;
      throw new UserError(`${shownName} ${size}: a config file may be at most ${mebibytes(MAX_CONFIG_BYTES)}`, {
        hint: `a config holds routes and takes a few KiB: check that ${shownName} is the right file`,
        code: 'ECONFIGREAD',
      });
    }
  }
}

/** Decode and parse bytes read by readConfigFile. */
export function parseConfigBytes(bytes: Buffer, shownName: string, absolute: string): ParsedConfig {
  const text = decodeUtf8(bytes, shownName);
  const parsed = parseConfig(text, shownName);
  return { config: { ...parsed.config, file: absolute }, warnings: parsed.warnings };
}

async function readError(cause: unknown, absolute: string, shownName: string): Promise<UserError> {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UserError(`no ${path.basename(absolute)} in ${path.dirname(absolute)}`, { hint: await missingFileHint(absolute, shownName), code: 'ENOCONFIG', cause });
    case 'EACCES':
    case 'EPERM':
      return new UserError(`cannot read ${shownName}: permission denied`, { hint: `check the file's owner and permissions (ls -l ${shellWord(shownName)})`, code: 'ECONFIGREAD', cause });
    default:
      return new UserError(`cannot read ${shownName}: ${(cause as Error | undefined)?.message ?? String(cause)}`, { code: 'ECONFIGREAD', cause });
  }
}

/** `devtls init` writes the file when its folder exists; it names the file unless it is the default one here. */
async function missingFileHint(absolute: string, shownName: string): Promise<string> {
  const folder = path.dirname(absolute);
  const folderExists = await stat(folder).then((stats) => stats.isDirectory(), () => false);
  if (!folderExists) return `check the path: the folder ${folder} does not exist`;
  const isDefault = absolute === path.resolve(CONFIG_FILE_NAME);
  return `run \`${invocation()} init${isDefault ? '' : ` --config ${shellWord(shownName)}`}\` to write a starter file`;
}

/** ` (a link to /dev/zero)` when the path is a symlink, so the message names what it really is. */
async function linkNote(absolute: string): Promise<string> {
  try {
    if (!(await lstat(absolute)).isSymbolicLink()) return '';
    return ` (a link to ${await realpath(absolute)})`;
  } catch {
    return '';
  }
}

/** Rounded up, so a file just past the cap never reads as "4.0 MiB". */
function mebibytes(bytes: number): string {
  const tenths = Math.ceil(bytes / 1024 / 1024 * 10);
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)} MiB`;
}

/** A path as one shell word, quoted only when it needs to be. */
function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
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
