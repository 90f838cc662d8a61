/** Runs the store tools (certutil, update-ca-certificates, security…). The one place that
 * elevates: a step marked `elevated` runs through sudo unless devtls already runs as root. */
import { spawn } from 'node:child_process';
import { UserError } from '../errors.js';
import { findCommand } from '../run/find-command.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Needs admin rights: prefixed with sudo when not root. */
  elevated?: boolean;
}

export interface CommandRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Whether a program is on PATH (or an absolute path that exists). */
  has(program: string): Promise<boolean>;
}

/** Whether devtls runs as root (then no step needs sudo). False where there are no uids (Windows). */
export function isRunningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The argv actually executed for a step: `sudo` first only when elevation is needed. */
export function elevatedArgv(argv: readonly string[], elevated: boolean, isRoot: boolean): string[] {
  return elevated && !isRoot ? ['sudo', ...argv] : [...argv];
}

export function systemRunner(options: { isRoot: boolean; onCommand?: (argv: readonly string[]) => void }): CommandRunner {
  const runner: CommandRunner = {
    async run(argv, runOptions = {}) {
      const elevated = runOptions.elevated === true;
      const full = elevatedArgv(argv, elevated, options.isRoot);
      if (full[0] === 'sudo' && !(await runner.has('sudo'))) {
        throw new UserError(`This step needs admin rights and sudo is not installed: ${argv.join(' ')}`, {
          hint: 'Run that command as root, or run devtls as root.',
          code: 'ETRUST_NO_SUDO',
        });
      }
      options.onCommand?.(full);
      return spawnCollect(full, full[0] === 'sudo');
    },
    // Looked up here, not with a shell per name: `devtls up` asks for each browser on every
    // start, and a shell per name cost more CPU than the rest of the trust check.
    async has(program) {
      return findCommand(program, process.env, process.cwd()) !== undefined;
    },
  };
  return runner;
}

function spawnCollect(argv: readonly string[], interactive: boolean): Promise<CommandResult> {
  return new Promise((resolve) => {
    const [command, ...args] = argv;
    // sudo may ask for a password on the terminal: give it our stdin.
    const child = spawn(command as string, args, { stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code === 'ENOENT' ? 127 : 126, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Throw a UserError naming the command when a step failed. */
export function assertSucceeded(argv: readonly string[], result: CommandResult): CommandResult {
  if (result.code === 0) return result;
  const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-3).join(' / ');
  throw new UserError(`${argv.join(' ')} failed (exit ${result.code})${output === '' ? '' : `: ${output}`}`, {
    code: 'ETRUST_COMMAND',
    ...(result.code === 127 ? { hint: `${argv[0]} is not installed or not on PATH.` } : {}),
  });
}
