import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where Debian puts nginx (often not on a non-root PATH). */
export const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx', 'nginx'];

export interface RunningEngine {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * A throwaway environment for Caddy: HOME and the XDG folders in `dir`, so it writes its data,
 * config and (unused) local CA there and trusts nothing on the machine.
 */
export async function caddyEnvironment(dir: string): Promise<NodeJS.ProcessEnv> {
  const env = { HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  for (const folder of Object.values(env)) await mkdir(folder, { recursive: true });
  return { ...process.env, ...env };
}

/** Start a server process in the foreground and wait until it accepts TCP connections on `port` (bounded). */
export async function startEngine(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; port: number }): Promise<RunningEngine> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', (error) => (output += `\n${error.message}`));
  const stop = async (): Promise<void> => {
    if (exited) return;
    if (child.pid !== undefined) child.kill('SIGTERM');
    const stopped = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
    if (!stopped && child.pid !== undefined) {
      child.kill('SIGKILL');
      await exit;
    }
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (exited) throw new Error(`${command} exited before listening:\n${output}`);
    if (await accepts(options.port)) return { child, output: () => output, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`${command} did not listen on ${options.port} within 10 s:\n${output}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
