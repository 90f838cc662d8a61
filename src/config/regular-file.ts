/**
 * Read a file only when it is a regular file, and only up to a size cap. A FIFO, a socket or
 * a device (say a symlink to /dev/zero) in place of a config file must not block a read for
 * good or fill the memory: its type is checked before it is opened, it is opened without
 * blocking, and checked again on the open descriptor (it may have been swapped in between).
 */
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** What a path is, when it is not a regular file: `a FIFO`, `a directory`, … */
export type OtherFileType = 'a directory' | 'a FIFO' | 'a socket' | 'a character device' | 'a block device' | 'an unusual kind of file';

export type RegularFileRead =
  | { kind: 'read'; bytes: Buffer }
  | { kind: 'not regular'; type: OtherFileType }
  /** `size` is undefined when the file grew past the cap while it was read. */
  | { kind: 'too large'; size: number | undefined };

export interface RegularFileOptions {
  maxBytes: number;
  /** Stops the read between chunks (the promise then rejects with the signal's reason). */
  signal?: AbortSignal;
}

const CHUNK_BYTES = 64 * 1024;
// O_NONBLOCK: open() of a FIFO with no writer returns at once instead of waiting for one.
// O_NOCTTY: a terminal device never becomes the controlling terminal. Neither exists on Windows.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * @throws the file system's error (ENOENT, EACCES, …) when the path cannot be looked at or opened
 */
export async function readRegularFile(path: string, options: RegularFileOptions): Promise<RegularFileRead> {
  const before = await stat(path);
  if (!before.isFile()) return { kind: 'not regular', type: otherFileType(before) };
  if (before.size > options.maxBytes) return { kind: 'too large', size: before.size };

  const handle = await open(path, OPEN_FLAGS);
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return { kind: 'not regular', type: otherFileType(opened) };
    if (opened.size > options.maxBytes) return { kind: 'too large', size: opened.size };

    // Read to the end rather than trusting the size: the file may change while it is read,
    // but never past the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, options.maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > options.maxBytes) return { kind: 'too large', size: undefined };
    }
    return { kind: 'read', bytes: Buffer.concat(chunks, total) };
  } finally {
    await handle.close();
  }
}

export function otherFileType(stats: Stats): OtherFileType {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'an unusual kind of file';
}
