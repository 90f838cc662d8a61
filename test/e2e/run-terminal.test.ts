// `devtls run` at a real terminal (a pseudo-terminal made by `script`, devtls leading the
// terminal's foreground job as under an interactive shell): Ctrl-C reaches the dev server
// once, from the terminal, never doubled by devtls; SIGTERM and SIGHUP sent to devtls run
// reach the whole job (npm → sh → the server) once; devtls exits 128 + the signal and
// leaves no process behind.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseStat } from '../../dist/run/process-stat.js';
import { CLI_PATH } from '../helpers/cli-process.js';
import { eventually } from '../helpers/eventually.js';
import { sharedWorld, type SharedWorld } from '../helpers/instance.js';
import { fixtureProject, type FixtureProject } from '../helpers/run-fixtures.js';
import { requireTool } from '../helpers/tools.js';

interface AtTerminal {
  /** devtls run's pid, which leads its process group (the job). */
  pid: number;
  output(): string;
  /** Keys typed at the terminal. */
  type(keys: string): void;
  /** `script -e` exits with devtls run's exit code. */
  exited: Promise<number>;
}

/** `devtls run -- COMMAND` in a fresh pseudo-terminal; resolves once the dev server listens. */
async function runAtTerminal(t: ExecutionContext, world: SharedWorld, project: FixtureProject, command: string): Promise<AtTerminal> {
  // A shell with job control (set -m), as at an interactive prompt: devtls run is a job of its own, in the foreground.
  const line = `set -m; "${process.execPath}" "${CLI_PATH}" run --https-port ${world.httpsPort} --http-port ${world.httpPort} -- ${command}; exit $?`;
  const child = spawn('script', ['-qfec', line, '/dev/null'], {
    cwd: project.dir,
    env: { ...process.env, ...world.env, PATH: project.path, SHELL: '/bin/sh', NO_COLOR: '1', FIXTURE_DIE_AFTER_MS: '700' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
  const exited = once(child, 'exit').then(([code]) => code as number);
  let pid: number | undefined;
  t.teardown(async () => {
    if (pid !== undefined) for (const left of inGroup(pid)) kill(left);
    kill(child.pid as number);
  });
  const ready = await eventually(() => /fixture listening on \d+/.test(output), 20_000, 50);
  if (!ready) throw new Error(`the dev server did not start at the terminal:\n${output}`);
  // The job's process group is devtls run's: the server's group names it.
  const server = Number((await readFile(join(project.dir, 'server.pids'), 'utf8')).trim());
  pid = parseStat(readFileSync(`/proc/${server}/stat`, 'utf8'))?.pgrp as number;
  if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(CLI_PATH)) throw new Error(`the server's process group ${pid} is not devtls run's`);
  return { pid, output: () => output, type: (keys) => child.stdin.write(keys), exited };
}

/** The processes of a process group, from /proc. */
function inGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.pgrp === pgid) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function terminalWorld(t: ExecutionContext, name: string): Promise<{ world: SharedWorld; project: FixtureProject } | undefined> {
  if (process.platform !== 'linux') {
    t.log('SKIPPED: reads /proc to find what is left of the job');
    t.pass();
    return undefined;
  }
  if (!(await requireTool(t, 'script', 'apt-get install bsdutils'))) return undefined;
  const world = await sharedWorld(t);
  const project = await fixtureProject(world, name, { name, scripts: { dev: 'node server.mjs' } });
  return { world, project };
}

for (const command of ['node server.mjs', 'npm run dev']) {
  test(`Ctrl-C at the terminal: the server of ${command} gets one SIGINT, devtls run exits 130, nothing is left`, async (t) => {
    const setup = await terminalWorld(t, command.startsWith('npm') ? 'ctrl-c-npm' : 'ctrl-c');
    if (setup === undefined) return;
    const run = await runAtTerminal(t, setup.world, setup.project, command);
    t.true(inGroup(run.pid).length >= 2, 'devtls run and the command run as one job');
    run.type('\x03');
    t.is(await run.exited, 130, run.output());
    t.is(await readFile(join(setup.project.dir, 'signals.log'), 'utf8'), 'SIGINT\n', "exactly one SIGINT: the terminal's");
    t.true(await eventually(() => inGroup(run.pid).length === 0, 3_000), `nothing of the job is left: ${inGroup(run.pid).join(', ')}`);
  });
}

for (const [signal, number] of [['SIGTERM', 15], ['SIGHUP', 1]] as const) {
  test(`${signal} sent to devtls run at a terminal reaches npm run dev's server once; exit ${128 + number}, nothing is left`, async (t) => {
    const setup = await terminalWorld(t, `sig-${number}`);
    if (setup === undefined) return;
    const run = await runAtTerminal(t, setup.world, setup.project, 'npm run dev');
    process.kill(run.pid, signal);
    t.is(await run.exited, 128 + number, run.output());
    t.is(await readFile(join(setup.project.dir, 'signals.log'), 'utf8'), `${signal}\n`);
    t.true(await eventually(() => inGroup(run.pid).length === 0, 3_000), `nothing of the job is left: ${inGroup(run.pid).join(', ')}`);
  });
}
