import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { ChildProcess } from 'node:child_process';
import { startDevtlsProcess } from './cli-process.js';
import type { SharedWorld } from './instance.js';

/**
 * A dev server for `devtls run` tests, as a script: listens on $PORT (or on its `--port`
 * argument with `--port-flag-only`, or on FIXTURE_FIXED_PORT as a server that ignores both),
 * optionally late, beside a port that speaks no HTTP (FIXTURE_RAW_PORT) and one that answers
 * "side" at once (FIXTURE_SIDE_HTTP_PORT, as a live-reload server would); answers JSON describing its pid,
 * environment and arguments; records a signal it receives in `signal.txt` (the last) and
 * `signals.log` (each one), and dies of it (FIXTURE_DIE_AFTER_MS later: time for a second).
 */
export const DEV_SERVER_SCRIPT = `
import { createServer } from 'node:http';
import { createServer as createRawServer } from 'node:net';
import { appendFileSync, writeFileSync } from 'node:fs';
appendFileSync('server.pids', process.pid + '\\n');
const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i === -1 ? undefined : args[i + 1]; };
const portFlagOnly = process.env.FIXTURE_PORT_FLAG_ONLY === '1';
const port = Number(portFlagOnly ? flag('--port') : (process.env.FIXTURE_FIXED_PORT ?? process.env.PORT));
const host = portFlagOnly ? (flag('--host') ?? 'localhost') : process.env.HOST;
const delay = Number(process.env.FIXTURE_LISTEN_AFTER_MS ?? 0);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    writeFileSync('signal.txt', signal);
    appendFileSync('signals.log', signal + '\\n');
    setTimeout(() => {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }, Number(process.env.FIXTURE_DIE_AFTER_MS ?? 0));
  });
}
const server = createServer((req, res) => {
  const body = JSON.stringify({ port, pid: process.pid, args, env: {
    PORT: process.env.PORT, HOST: process.env.HOST, DEVTLS_URL: process.env.DEVTLS_URL,
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    __VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS: process.env.__VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS,
    RAILS_DEVELOPMENT_HOSTS: process.env.RAILS_DEVELOPMENT_HOSTS,
  } });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
if (process.env.FIXTURE_SIDE_HTTP_PORT) createServer((req, res) => res.end('side')).listen(Number(process.env.FIXTURE_SIDE_HTTP_PORT), '127.0.0.1');
if (process.env.FIXTURE_RAW_PORT) createRawServer((socket) => socket.end('SSH-2.0-fixture\\r\\n')).listen(Number(process.env.FIXTURE_RAW_PORT), '127.0.0.1');
setTimeout(() => server.listen(port, host, () => console.log('fixture listening on ' + port)), delay);
if (process.env.FIXTURE_EXIT_CODE) setTimeout(() => process.exit(Number(process.env.FIXTURE_EXIT_CODE)), Number(process.env.FIXTURE_EXIT_AFTER_MS ?? 0));
`;

export interface FixtureProject {
  dir: string;
  /** A folder to put first on PATH, holding the fixture under tool names (`vite`). */
  bin: string;
  /** PATH with `bin` first. */
  path: string;
}

/** A project folder with a package.json (`name`, `scripts`) and the fixture server in it. */
export async function fixtureProject(world: SharedWorld, folder: string, manifest: Record<string, unknown> = {}): Promise<FixtureProject> {
  const dir = join(world.root, folder);
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, ...manifest }, null, 2));
  await writeFile(join(dir, 'server.mjs'), DEV_SERVER_SCRIPT);
  // A tool that ignores PORT and listens only where its --port flag says, as Vite does.
  for (const tool of ['vite']) {
    const file = join(bin, tool);
    await writeFile(file, `#!/bin/sh\nFIXTURE_PORT_FLAG_ONLY=1 exec "${process.execPath}" "${join(dir, 'server.mjs')}" "$@"\n`);
    await chmod(file, 0o755);
  }
  return { dir, bin, path: `${bin}:${process.env['PATH'] ?? ''}` };
}

/** `devtls run` in a project folder on the world's ports; resolves once it prints the URL. */
export async function runIn(
  t: ExecutionContext,
  world: SharedWorld,
  project: FixtureProject,
  command: string[],
  options: { devtlsArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: ChildProcess; output: () => string; url: string }> {
  const started = await startDevtlsProcess(
    ['run', '--https-port', String(world.httpsPort), '--http-port', String(world.httpPort), ...(options.devtlsArgs ?? []), '--', ...command],
    /devtls (https:\/\/\S+) →/,
    { cwd: project.dir, env: { ...world.env, PATH: project.path, ...options.env } },
  );
  t.teardown(async () => {
    // SIGTERM reaches the dev server through devtls; anything left is killed by its recorded pid.
    if (started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGTERM');
      await Promise.race([once(started.child, 'exit'), new Promise((resolve) => setTimeout(resolve, 3_000))]);
      started.child.kill('SIGKILL');
    }
    const pids = await readFile(join(project.dir, 'server.pids'), 'utf8').catch(() => '');
    for (const pid of pids.split('\n').filter((line) => line !== '')) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return { child: started.child, output: started.output, url: started.match[1] as string };
}
