/**
 * Find the shared instance, or start one in the background: `devtls serve --exit-when-idle`,
 * detached from the terminal, so the `up` that started it can end without taking other
 * projects down. It says "ready" (or why it could not start) on a pipe, then logs to the
 * state folder only.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { openSync, closeSync } from 'node:fs';
import { cliEntryPath } from '../entry-point.js';
import { UserError } from '../errors.js';
import { ControlConnection } from './control-client.js';
import { instanceArgs, READY_LINE, type StartSettings } from './instance-args.js';
import type { StatePaths } from './state-dir.js';

export type { StartSettings } from './instance-args.js';

/**
 * V8's heap sizing for the instance, measured A/B (bench/instance-flags.mjs; BENCHMARKS.md,
 * "Start-up, memory and handshakes"): a young generation of at most 2 × 8 MiB instead of
 * 2 × 16 keeps ~9 MiB less resident under load; an old generation that starts at 48 MiB
 * stops the full collections Node's socket Buffers trigger while 1 MiB bodies stream
 * (-29 % CPU per MiB). CPU per request is unchanged.
 */
export const INSTANCE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--initial-old-space-size=48'];

/** Connect to the running instance, or start one with `settings` and connect to it. */
export async function connectOrStart(paths: StatePaths, settings: StartSettings): Promise<{ connection: ControlConnection; started: boolean }> {
  const existing = await tryConnect(paths);
  if (existing !== undefined) return { connection: existing, started: false };
  try {
    await startInstance(paths, settings);
  } catch (error) {
    // Another `up` may have started one at the same moment and won the ports: join it.
    const raced = await tryConnect(paths);
    if (raced !== undefined) return { connection: raced, started: false };
    throw error;
  }
  const connection = await tryConnect(paths);
  if (connection === undefined) throw new UserError(`the devtls instance started but its control socket (${paths.socket}) does not answer.`, { hint: `See its log: ${paths.log}` });
  return { connection, started: true };
}

/** Whether nothing answers on the control socket, so that joining will start an instance
 * (false too when the socket cannot be used: joining explains why). */
export async function noInstanceAnswers(paths: StatePaths): Promise<boolean> {
  try {
    const connection = await tryConnect(paths);
    connection?.close();
    return connection === undefined;
  } catch {
    return false;
  }
}

/** undefined when nothing answers (no socket, or a stale one); other errors are explained. */
export async function tryConnect(paths: StatePaths): Promise<ControlConnection | undefined> {
  try {
    return await ControlConnection.connect(paths.socket);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return undefined;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UserError(`devtls may not use the instance in ${paths.dir}: permission denied (it belongs to another user).`, {
        hint: 'Each user runs their own devtls: unset DEVTLS_STATE_DIR, or point it at a folder of your own.',
        code: 'ESTATEDIR',
      });
    }
    throw error;
  }
}

function startInstance(paths: StatePaths, settings: StartSettings): Promise<void> {
  // The node flags `up` runs with (V8 heap sizing, say) apply to the instance too, after ours.
  const args = [...INSTANCE_NODE_FLAGS, ...process.execArgv, cliEntryPath(import.meta.url, '..'), ...instanceArgs(settings)];
  const log = openSync(paths.log, 'a', 0o600);
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', log],
    env: instanceEnvironment(process.env, paths.dir),
    windowsHide: true,
  });
  closeSync(log);
  const stdout = child.stdout as Readable;
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const done = (error?: Error): void => {
      if (settled) return;
      settled = true;
      stdout.destroy();
      child.removeAllListeners();
      child.unref();
      if (error === undefined) resolve();
      else reject(error);
    };
    stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(`${READY_LINE}\n`)) done();
    });
    child.once('error', (error) => done(error));
    child.once('exit', (code) => {
      const failure = output.split('\n').find((line) => line.startsWith('{'));
      if (failure !== undefined) {
        const { message, hint, code: errorCode } = JSON.parse(failure) as { message: string; hint?: string; code?: string };
        done(new UserError(message, { ...(hint === undefined ? {} : { hint }), ...(errorCode === undefined ? {} : { code: errorCode }) }));
      } else {
        done(new UserError(`the devtls instance exited (code ${String(code)}) before it was ready.`, { hint: `See its log: ${paths.log}` }));
      }
    });
  });
}

/**
 * The instance's environment: ours, with its state folder, and without NODE_EXTRA_CA_CERTS.
 * Node reads and parses every certificate in that file before any code runs (~30 ms of CPU
 * with a system bundle there, as on many CI machines), and the instance never verifies a
 * certificate against Node's own roots: it serves TLS, its targets are plain http, and the
 * status page's trust checks verify against each store's own certificates.
 */
export function instanceEnvironment(env: NodeJS.ProcessEnv, stateDir: string): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _notNeeded, ...rest } = env;
  return { ...rest, DEVTLS_STATE_DIR: stateDir };
}
