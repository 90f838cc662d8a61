import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, exactly as npm's bin link runs it. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** How devtls, run so from a test's folder (outside the checkout), spells itself in the commands its messages give. */
export const CLI_INVOCATION = `node ${CLI_PATH}`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `devtls ARGS` to completion (bounded by a timeout). */
export function runDevtls(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; wrapper?: string[]; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const command = options.wrapper === undefined ? [process.execPath, CLI_PATH] : [...options.wrapper, process.execPath, CLI_PATH];
    const { env, ownStateDir } = testEnv(options);
    const child = spawn(command[0] as string, [...command.slice(1), ...args], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    removeWhenEnded(child, ownStateDir);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Start a long-running `devtls up`; resolves once it printed `pattern` on stdout. */
export function startDevtlsProcess(args: string[], pattern: RegExp, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ child: ChildProcess; output: () => string; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const { env, ownStateDir } = testEnv(options);
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    removeWhenEnded(child, ownStateDir);
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`devtls did not print ${String(pattern)} in time:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output += String(chunk);
      const match = output.match(pattern);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, output: () => output, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`devtls exited (${String(code)}) before printing ${String(pattern)}:\n${output}`));
    });
  });
}

/**
 * The environment of a devtls process in a test: never the user's shared instance. Unless
 * the test names one, each process gets a state folder of its own (in its project folder
 * when it has one), so its `up` starts a private instance that ends when it does.
 */
function testEnv(options: { cwd?: string; env?: NodeJS.ProcessEnv }): { env: NodeJS.ProcessEnv; ownStateDir?: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  if (options.env?.['DEVTLS_STATE_DIR'] !== undefined) return { env };
  if (options.cwd !== undefined) return { env: { ...env, DEVTLS_STATE_DIR: join(options.cwd, '.devtls-state') } };
  const ownStateDir = mkdtempSync(join(tmpdir(), 'devtls-state-'));
  return { env: { ...env, DEVTLS_STATE_DIR: ownStateDir }, ownStateDir };
}

/**
 * A state folder testEnv made goes once its process has ended (its instance may still be
 * ending and write its log: retried, and forced).
 */
function removeWhenEnded(child: ChildProcess, ownStateDir: string | undefined): void {
  if (ownStateDir !== undefined) child.once('close', () => void rm(ownStateDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
}
