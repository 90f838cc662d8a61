import type { ExecutionContext } from 'ava';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runDevtls, startDevtlsProcess } from './cli-process.js';
import { tempDirFor } from './temp-dir.js';
import { testPort } from './test-ports.js';
import { within } from './eventually.js';

/** One user's world for the shared-instance tests: a state folder, a CA folder and two free ports. */
export interface SharedWorld {
  root: string;
  env: NodeJS.ProcessEnv;
  httpsPort: number;
  httpPort: number;
  stateDir: string;
  /** The CA certificate, once an instance created it. */
  ca(): Promise<string>;
  /** `devtls status --json`, parsed. */
  status(): Promise<StatusJson>;
  /** The pid in the instance's pid file, if there is one. */
  instancePid(): Promise<number | undefined>;
}

export interface StatusJson {
  running: boolean;
  pid?: number;
  httpsPort?: number;
  httpPort?: number | false;
  projects: { source: string; pid: number; routes: { host: string; path: string; target: string }[] }[];
}

export async function sharedWorld(t: ExecutionContext): Promise<SharedWorld> {
  const root = await tempDirFor(t, 'devtls-shared-');
  const stateDir = join(root, 'state');
  const env = { DEVTLS_STATE_DIR: stateDir, DEVTLS_CA_DIR: join(root, 'ca') };
  const world: SharedWorld = {
    root,
    env,
    // Reserved for this test: the instance binds them later, in another process.
    httpsPort: await testPort(t),
    httpPort: await testPort(t),
    stateDir,
    ca: () => readFile(join(root, 'ca', 'rootCA.pem'), 'utf8'),
    status: async () => JSON.parse((await runDevtls(['status', '--json'], { env })).stdout) as StatusJson,
    instancePid: async () => {
      try {
        return (JSON.parse(await readFile(join(stateDir, 'instance.json'), 'utf8')) as { pid: number }).pid;
      } catch {
        return undefined;
      }
    },
  };
  // Whatever a test does, no instance outlives it.
  t.teardown(async () => {
    const pid = await world.instancePid();
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return world;
}

/** A project folder with its own proxy.config.json. */
export async function projectFolder(world: SharedWorld, name: string, routes: unknown[]): Promise<string> {
  const dir = join(world.root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'proxy.config.json'), JSON.stringify({ routes }, null, 2));
  return dir;
}

/** `devtls up` in a project folder, on the world's ports; resolves once it serves. */
export async function upIn(t: ExecutionContext, world: SharedWorld, dir: string, extra: string[] = []): Promise<{ child: ChildProcess; output: () => string }> {
  const started = await startDevtlsProcess(
    ['up', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), '--host', '127.0.0.1', ...extra],
    /Press Ctrl-C to stop/,
    { cwd: dir, env: world.env },
  );
  t.teardown(() => {
    started.child.kill('SIGKILL');
  });
  return started;
}

/** Wait for a process to exit; its exit code (or 128 + signal). */
export async function exitOf(child: ChildProcess): Promise<number> {
  // Already ended (by a signal, too): 'exit' has been and will not come again.
  const [code, signal] =
    child.exitCode !== null || child.signalCode !== null
      ? [child.exitCode, child.signalCode]
      : ((await within(once(child, 'exit'), `process ${String(child.pid)} ending`, 30_000)) as [number | null, NodeJS.Signals | null]);
  return code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 2);
}

/** Wait (up to 5 s, then SIGKILL) for the instance whose state folder is `stateDir` to end. */
export async function instanceEnded(stateDir: string): Promise<void> {
  const pid = await readFile(join(stateDir, 'instance.json'), 'utf8').then(
    (text) => (JSON.parse(text) as { pid: number }).pid,
    () => undefined,
  );
  if (pid === undefined) return;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 5_000;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (alive()) process.kill(pid, 'SIGKILL');
}
