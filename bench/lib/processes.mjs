// Child processes the bench starts: every one is tracked by PID and stopped by PID,
// on normal exit, on failure and on Ctrl-C. Nothing is ever killed by name.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const running = new Map(); // pid -> { child, name }

/**
 * Start a command. `core` pins it with `taskset -c CORE` (taskset execs the program, so the
 * PID is the program's own). Output is kept (last 64 KiB) for error messages.
 */
export function start(name, command, args, { core, env, cwd, onLine, stdoutFile } = {}) {
  const argv = core === undefined ? [command, ...args] : ['taskset', '-c', String(core), command, ...args];
  const spawnedAt = performance.now();
  // `stdoutFile`: its stdout goes to that file, as `cmd > file` would, instead of through the bench.
  const stdoutFd = stdoutFile === undefined ? undefined : openSync(stdoutFile, 'a');
  const child = spawn(argv[0], argv.slice(1), { env: env ?? process.env, cwd, stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'] });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  let output = '';
  const keep = (chunk) => {
    const text = chunk.toString();
    output = (output + text).slice(-65536);
    if (onLine !== undefined) for (const line of text.split('\n')) if (line !== '') onLine(line);
  };
  child.stdout?.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', () => undefined);
  if (child.pid !== undefined) running.set(child.pid, { child, name });
  exited.then(() => running.delete(child.pid));
  return {
    name,
    spawnedAt,
    pid: child.pid,
    child,
    exited,
    get output() {
      return output;
    },
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    stop: (signal = 'SIGTERM', graceMs = 3000) => stopProcess(child, signal, graceMs),
  };
}

/** Run to completion (bounded by `timeoutMs`, then killed by PID); resolves with its output. */
export async function run(name, command, args, { core, timeoutMs = 60_000, env, cwd } = {}) {
  const proc = start(name, command, args, { core, env, cwd });
  const timer = setTimeout(() => stopProcess(proc.child, 'SIGKILL', 0), timeoutMs);
  const { code, signal } = await proc.exited;
  clearTimeout(timer);
  return { code, signal, output: proc.output };
}

async function stopProcess(child, signal, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  const descendants = descendantPids(pid);
  const done = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
  const result = await Promise.race([done.then(() => true), sleep(graceMs).then(() => false)]);
  if (!result) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await Promise.race([done, sleep(1000)]);
  }
  // Children of the stopped process (nginx workers, devtls's instance) that outlived it, by
  // PID. They are given the same grace to end on their own first: devtls's instance leaves
  // when its last project does, and writes its --cpu-prof profile as it exits.
  const until = performance.now() + graceMs;
  while (descendants.some(alive) && performance.now() < until) await sleep(20);
  for (const child of descendants) {
    try {
      process.kill(child, 0);
      process.kill(child, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stop everything still running, by PID. Safe to call more than once. */
export async function stopAll() {
  const list = [...running.values()];
  await Promise.all(list.map(({ child }) => stopProcess(child, 'SIGTERM', 2000)));
}

/** Synchronous last resort (process 'exit' handler): SIGKILL each tracked PID and its children. */
export function killAllSync() {
  for (const [pid] of running) {
    for (const child of descendantPids(pid)) {
      try {
        process.kill(child, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** PIDs whose parent is `pid`, found by reading /proc (no name matching). */
export function childPids(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(entry));
    } catch {
      /* raced with exit */
    }
  }
  return out;
}

export function descendantPids(pid) {
  const out = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift();
    for (const child of childPids(next)) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Wait until something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port, { timeoutMs = 15_000, proc } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc !== undefined && !proc.alive) throw new Error(`${proc.name} exited before listening on ${port}:\n${proc.output}`);
    const ok = await new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(5);
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms${proc === undefined ? '' : `:\n${proc.output}`}`);
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ createServer }) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
  });
}
