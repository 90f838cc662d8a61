/**
 * The dev server as a child of `devtls run`: it inherits the terminal (colours, TTY, keys),
 * SIGINT/SIGTERM/SIGHUP sent to devtls reach it, and its exit becomes devtls's exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunningChild {
  pid: number;
  /** The exit code to pass on: the child's, or 128 + the signal number that killed it. */
  exited: Promise<number>;
}

/**
 * Start the child. Without a terminal on stdin it gets a process group of its own, and a
 * signal is forwarded to that whole group (an `npm run dev` → sh → node tree stops as one).
 * With a terminal it stays in the terminal's foreground group, where it may read keys
 * (Vite's shortcuts) and where the terminal's Ctrl-C already reaches it: a signal devtls
 * receives is forwarded to the child itself, never to the group devtls is part of.
 */
export function startChild(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<RunningChild> {
  const ownGroup = process.stdin.isTTY !== true && process.platform !== 'win32';
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: 'inherit', detached: ownGroup });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      resolve({ pid: child.pid as number, exited: watch(child, ownGroup) });
    });
  });
}

function watch(child: ChildProcess, ownGroup: boolean): Promise<number> {
  const forward = (signal: NodeJS.Signals): void => {
    try {
      process.kill(ownGroup ? -(child.pid as number) : (child.pid as number), signal);
    } catch {
      // already gone
    }
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      for (const forwarded of FORWARDED) process.off(forwarded, forward);
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}
