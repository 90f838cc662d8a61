#!/usr/bin/env node
// Start-up as a person sees it, repeated, builds in turns (A B A B …):
//   cold: `devtls up` with a new, empty CA folder and no instance running → first 200 on
//         the project's host (fresh TLS connections polled every 2 ms). Includes creating
//         the CA, starting the shared instance, registering, issuing the leaf.
//   join: an instance already runs (started by another project's `up`); a second `up`
//         process with a new host → first 200 on that host (a new leaf is issued).
// Also the resident memory of each process once the first 200 came: the `up` client and
// the instance, apart.
// Usage: node bench/cold-start.mjs [--rounds 10] [--no-join] [--busy-poll] [--devtls 'NAME=path/to/cli.js [node flags]' …]
// (after `npm run build`). Every devtls runs on core 0, this script and the backend on core 1.
// Loopback only; every process is stopped by PID.
import { devtlsBuilds, flag, number } from './lib/args.mjs';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, start, stopAll } from './lib/processes.mjs';
import { PROXY_CORE } from './lib/proxies.mjs';
import { pinToLoadCore } from './lib/load.mjs';
import { request } from 'node:https';
import { treePids } from './lib/proc-stats.mjs';
import { median } from './lib/stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const rounds = number('--rounds', 10);
const withJoin = !flag('--no-join');
const quietPoll = !flag('--busy-poll');
const builds = devtlsBuilds(root, { withDefault: false });
if (builds.length === 0) builds.push(...devtlsBuilds(root));

pinToLoadCore();
const dir = mkdtempSync(join(tmpdir(), 'devtls-cold-'));
const backend = createServer((_req, res) => res.end('ok'));
await new Promise((ok) => backend.listen(0, '127.0.0.1', ok));
const backendPort = backend.address().port;

/** CPU time of a process, all its threads (ns precision from /proc/PID/task/TID/schedstat), ms. */
function cpuMs(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
      try {
        return sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
      } catch {
        return sum;
      }
    }, 0);
  } catch {
    return NaN;
  }
}

function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** One GET on a new TLS connection with SNI and Host `host`; resolves the status, 0 on an error. */
function get(port, host) {
  return new Promise((resolveStatus) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername: host, headers: { host }, rejectUnauthorized: false, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolveStatus(res.statusCode));
      res.on('error', () => resolveStatus(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolveStatus(0));
    req.end();
  });
}

/**
 * Poll fresh connections for `host` until 200; ms since `since`. Polling starts once `up` has
 * printed its banner (which it prints once the route is served): each poll is a full TLS
 * handshake on the instance, on the core `up` starts on, so polling every 2 ms from the spawn
 * took CPU from the start-up being measured (a join measured 140 ms that way and 105 without,
 * the same build, 04:45 UTC 2026-12-03). --busy-poll polls from the spawn, as before.
 */
async function firstOk(port, host, since, proc) {
  const deadline = performance.now() + 15_000;
  while (quietPoll && proc.alive && !/devtls is serving/.test(proc.output) && performance.now() < deadline) await sleep(1);
  while (performance.now() < deadline) {
    if (!proc.alive) throw new Error(`${proc.name} exited:\n${proc.output}`);
    if ((await get(port, host)) === 200) return performance.now() - since;
    await sleep(2);
  }
  throw new Error(`no 200 for ${host} on :${port}\n${proc.output}`);
}

function upProcess(build, { home, host, port, caDir, state }) {
  mkdirSync(home, { recursive: true });
  const config = join(home, 'proxy.config.json');
  writeFileSync(config, JSON.stringify({ routes: [{ host, target: `http://127.0.0.1:${backendPort}` }] }));
  const args = [...build.nodeArgs, build.cli, 'up', '--config', config, '--https-port', String(port), '--http-port', '0', '--host', '127.0.0.1', '--ca-dir', caDir, '--no-watch'];
  return start(`${build.name} up`, process.execPath, args, { core: PROXY_CORE, cwd: home, env: { ...process.env, NO_COLOR: '1', DEVTLS_STATE_DIR: state } });
}

async function oneRound(build, index) {
  const base = join(dir, `${build.name}-${index}`);
  const caDir = join(base, 'ca');
  const state = join(base, 'state');
  const port = await freePort();
  const first = upProcess(build, { home: join(base, 'a'), host: 'localhost', port, caDir, state });
  const out = {};
  try {
    out.coldMs = await firstOk(port, 'localhost', first.spawnedAt, first);
    // CPU both processes used until then: what one core has to do, whatever else runs.
    out.coldCpuMs = treePids(first.pid).reduce((sum, pid) => sum + cpuMs(pid), 0);
    await sleep(300);
    const [instancePid] = treePids(first.pid).slice(1);
    out.upRss = rssMiB(first.pid);
    out.instanceRss = instancePid === undefined ? NaN : rssMiB(instancePid);
    if (withJoin) {
      const instanceCpuBefore = cpuMs(instancePid);
      const second = upProcess(build, { home: join(base, 'b'), host: `p${index}.localhost`, port, caDir, state });
      try {
        out.joinMs = await firstOk(port, `p${index}.localhost`, second.spawnedAt, second);
        out.joinUpCpuMs = cpuMs(second.pid);
        out.joinCpuMs = out.joinUpCpuMs + cpuMs(instancePid) - instanceCpuBefore;
      } finally {
        await second.stop();
      }
    }
  } finally {
    await first.stop();
  }
  return out;
}


const results = new Map(builds.map((b) => [b.name, []]));
try {
  for (let i = 0; i < rounds; i++) {
    for (const build of i % 2 === 0 ? builds : [...builds].reverse()) results.get(build.name).push(await oneRound(build, i));
  }
} finally {
  await stopAll();
  backend.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${rounds} rounds, builds in turns; medians (min–max)`);
for (const [name, list] of results) {
  const show = (key, unit, digits = 0) => {
    const v = list.map((r) => r[key]).filter((x) => x !== undefined && !Number.isNaN(x));
    return v.length === 0 ? 'n/a' : `${median(v).toFixed(digits)} ${unit} (${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)})`;
  };
  console.log(`${name}: cold start → first 200 ${show('coldMs', 'ms')}, CPU of up + instance until then ${show('coldCpuMs', 'ms')}`);
  console.log(`  join → first 200 ${show('joinMs', 'ms')}, CPU of that up + the instance's share ${show('joinCpuMs', 'ms')} (of it up ${show('joinUpCpuMs', 'ms')}); RSS once serving: up ${show('upRss', 'MiB', 1)}, instance ${show('instanceRss', 'MiB', 1)}`);
  console.log(`  cold: ${list.map((r) => r.coldMs.toFixed(0)).join(' ')}${withJoin ? `\n  join: ${list.map((r) => r.joinMs?.toFixed(0)).join(' ')}` : ''}`);
}
