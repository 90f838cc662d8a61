/**
 * The dev server as a child of `devtls run`: it inherits the terminal (colours, TTY, keys),
 * SIGINT/SIGTERM/SIGHUP sent to devtls reach it and the processes it started, once, and its
 * exit becomes devtls's exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { readStat } from './process-stat.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunningChild {
  pid: number;
  /** The exit code to pass on: the child's, or 128 + the signal number that killed it. */
  exited: Promise<number>;
  /** Ask it to stop (SIGTERM; to its whole group when it has one of its own). */
  stop(): void;
}

/**
 * Start the child. Without a terminal on stdin it gets a process group of its own, and a
 * signal is forwarded to that whole group (an `npm run dev` → sh → node tree stops as one).
 * With a terminal it stays in devtls's group, the terminal's job, where it may read keys
 * (Vite's shortcuts) and where the terminal's Ctrl-C already reaches it.
 */
export function startChild(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<RunningChild> {
  const ownGroup = process.stdin.isTTY !== true && process.platform !== 'win32';
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: 'inherit', detached: ownGroup });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      const pid = child.pid as number;
      resolve({ pid, exited: watch(child, ownGroup), stop: () => void send(ownGroup ? -pid : pid, 'SIGTERM') });
    });
  });
}

function watch(child: ChildProcess, ownGroup: boolean): Promise<number> {
  const pid = child.pid as number;
  const terminal = readStat('self')?.ttyNr;
  /** Signals devtls sent to its own process group, which come back to it as well. */
  const echoes = new Map<NodeJS.Signals, number>();
  const forward = (signal: NodeJS.Signals): void => {
    const echo = echoes.get(signal) ?? 0;
    if (echo > 0) {
      echoes.set(signal, echo - 1);
      return;
    }
    if (ownGroup) {
      send(-pid, signal);
      return;
    }
    if (process.platform === 'win32') {
      send(pid, signal);
      return;
    }
    if (cameFromTerminal(signal, terminal)) {
      // It reached the child too, unless the child left devtls's group (then it gets it here).
      const [own, theirs] = [readStat('self'), readStat(pid)];
      if (own !== undefined && theirs !== undefined && theirs.pgrp !== own.pgrp) send(pid, signal);
      return;
    }
    // As the terminal would: to the whole job (npm run dev → sh → vite), which devtls leads.
    echoes.set(signal, 1);
    if (!send(-process.pid, signal)) {
      // devtls leads no group (started without job control): the child alone.
      echoes.delete(signal);
      send(pid, signal);
      return;
    }
    const stat = readStat(pid);
    if (stat !== undefined && stat.pgrp !== process.pid) send(pid, signal); // it left the group
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      for (const forwarded of FORWARDED) process.off(forwarded, forward);
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}

/**
 * Whether a signal devtls got at a terminal was sent to its whole job, the dev server
 * included, so that sending it again would double it: Ctrl-C while devtls is the terminal's
 * foreground job (where this cannot be known, it is assumed), or the SIGHUP of a terminal
 * that closed (the shell passes it to each of its jobs). `terminal` is devtls's terminal at start.
 */
function cameFromTerminal(signal: NodeJS.Signals, terminal: number | undefined): boolean {
  const self = readStat('self');
  if (signal === 'SIGINT') return self === undefined || self.tpgid === self.pgrp;
  if (signal === 'SIGHUP') return self !== undefined && terminal !== undefined && terminal !== 0 && self.ttyNr === 0;
  return false;
}

function send(target: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    return false; // gone, or no such group
  }
}
