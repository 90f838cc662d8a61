/**
 * A process's group and terminal as Linux tells them in /proc/PID/stat: whether devtls is
 * the terminal's foreground job (a Ctrl-C reaches every process of that job by itself), and
 * whether the dev server is still in devtls's process group. Elsewhere nothing is known.
 */
import { readFileSync } from 'node:fs';

export interface ProcessStat {
  /** Process group id. */
  pgrp: number;
  /** The controlling terminal's device number; 0 when the process has none (any more). */
  ttyNr: number;
  /** The foreground process group of that terminal; -1 when there is no terminal. */
  tpgid: number;
}

/** The fields of a /proc/PID/stat line: `pid (comm) state ppid pgrp session tty_nr tpgid …`. */
export function parseStat(line: string): ProcessStat | undefined {
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  const [pgrp, ttyNr, tpgid] = [fields[2], fields[4], fields[5]].map(Number);
  if (!Number.isInteger(pgrp) || !Number.isInteger(ttyNr) || !Number.isInteger(tpgid) || fields.length < 6) return undefined;
  return { pgrp: pgrp as number, ttyNr: ttyNr as number, tpgid: tpgid as number };
}

/** The stat of a process (`self` for devtls), or undefined where /proc is not there or it is gone. */
export function readStat(pid: number | 'self'): ProcessStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}
