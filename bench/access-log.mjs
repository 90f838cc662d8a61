#!/usr/bin/env node
// What the access log costs: keep-alive small GETs through one devtls instance serving two
// projects, one `devtls up` that prints a line per request (the default) for path /loud and
// one `devtls up --quiet` for path /quiet, both to the same backend. Rounds load each path in
// turn (A B B A…) and count the CPU of the instance and both `up` processes per request (and
// the p99 latency of each), so
// both sides run in the very same process: no difference of layout or JIT between two
// instances is taken for the log's cost. The cost is the median of the rounds'
// pairs, each pair run back to back.
// Usage: node bench/access-log.mjs [--rounds 7] [--seconds 3] [--up-core N]   (npm run bench runs it too)
// Loopback only; each devtls on core 0 (taskset), wrk and the backend on core 1.
import { flag, number } from './lib/args.mjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { run, stopAll } from './lib/processes.mjs';
import { treeCpuMicros } from './lib/proc-stats.mjs';
import { wrk, pinToLoadCore } from './lib/load.mjs';
import { HOST, startBackend, startDevtls } from './lib/proxies.mjs';
import { median } from './lib/stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CONNECTIONS = 32;

/** Rounds of keep-alive load on each path in turn; returns { label: { rps, cpuUsPerRequest, upCpuUsPerRequest, rounds }, costPercent, cpuCostPercent }. */
export async function measureAccessLog({ rounds = 7, seconds = 3, log = console.log, cli = join(root, 'dist/cli.js'), upCore } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'devtls-accesslog-'));
  const ctx = { dir, caDir: join(dir, 'ca') };
  const variants = [];
  const ups = [];
  try {
    const cert = await run('devtls cert', process.execPath, [cli, 'cert', HOST, '--ca-dir', ctx.caDir, '--out', join(dir, 'leaf')]);
    if (cert.code !== 0) throw new Error(`devtls cert failed: ${cert.output}`);
    ctx.backend = await startBackend(dir);
    const routes = (path) => `${JSON.stringify({ routes: [{ host: HOST, path, target: `http://127.0.0.1:${ctx.backend.port}` }] })}\n`;
    // Each `up` prints into a file, as `devtls up > file` would: piped through the bench, the
    // lines would cost the load core (where the bench reads them) and slow the load, not devtls.
    const loud = await startDevtls(ctx, { name: 'devtls-log', cli, config: routes('/loud'), readyPath: '/loud', stdoutFile: join(dir, 'loud.log') });
    const quiet = await startDevtls(ctx, { name: 'devtls-quiet', cli, config: routes('/quiet'), readyPath: '/quiet', upArgs: ['--quiet'], stateDir: loud.stateDir, port: loud.port, stdoutFile: join(dir, 'quiet.log') });
    ups.push(loud, quiet);
    // --up-core N: the two `up` processes (which print) on core N, the instance alone on core 0,
    // as a machine's scheduler would spread two busy processes; by default all share core 0.
    if (upCore !== undefined) for (const up of [loud, quiet]) execFileSync('taskset', ['-p', '-c', String(upCore), String(up.proc.pid)], { stdio: 'ignore' });
    const pids = () => [...new Set([...loud.pids(), ...quiet.pids()])];
    variants.push({ label: 'default (a line per request)', path: '/loud', up: loud.proc.pid, rounds: [] });
    variants.push({ label: '--quiet', path: '/quiet', up: quiet.proc.pid, rounds: [] });
    for (const v of variants) await wrk(`https://${HOST}:${loud.port}${v.path}`, { connections: CONNECTIONS, seconds: 2, latency: false });
    for (let round = 0; round < rounds; round++) {
      for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
        const cpu0 = treeCpuMicros(pids());
        const up0 = treeCpuMicros([v.up]);
        const result = await wrk(`https://${HOST}:${loud.port}${v.path}`, { connections: CONNECTIONS, seconds, latency: true });
        const requests = Math.max(1, result.requests);
        v.rounds.push({ p99ms: result.p99ms, rps: result.rps, cpuUsPerRequest: (treeCpuMicros(pids()) - cpu0) / requests, upCpuUsPerRequest: (treeCpuMicros([v.up]) - up0) / requests, errors: result.errors });
      }
    }
    const out = {};
    for (const v of variants) {
      out[v.label] = { rps: median(v.rounds.map((r) => r.rps)), cpuUsPerRequest: median(v.rounds.map((r) => r.cpuUsPerRequest)), upCpuUsPerRequest: median(v.rounds.map((r) => r.upCpuUsPerRequest)), p99ms: median(v.rounds.map((r) => r.p99ms)), rounds: v.rounds };
      log(`  ${v.label}: keep-alive median ${out[v.label].rps.toFixed(0)} req/s, ${out[v.label].cpuUsPerRequest.toFixed(1)} µs CPU/req in all (of which its up process ${out[v.label].upCpuUsPerRequest.toFixed(1)}), p99 ${out[v.label].p99ms.toFixed(2)} ms (rounds: ${v.rounds.map((r) => `${r.rps.toFixed(0)} req/s ${r.cpuUsPerRequest.toFixed(1)} µs p99 ${r.p99ms.toFixed(2)} ms`).join(', ')})`);
    }
    const lines = readFileSync(join(dir, 'loud.log'), 'utf8').split('\n').filter((line) => line.includes(' /loud ') || line.includes('/loud ')).length;
    log(`  (${lines.toLocaleString('en-US')} access lines printed by the default up; the quiet one printed ${readFileSync(join(dir, 'quiet.log'), 'utf8').split('\n').filter((line) => line.includes('/quiet')).length})`);
    // Each round loads both paths back to back, so a round's pair shares the machine's state of
    // the moment (another process, a frequency change): the cost is the median of the pairs'.
    const [printed, silent] = variants;
    const pairCosts = printed.rounds.map((r, i) => (1 - r.rps / silent.rounds[i].rps) * 100);
    const pairCpuCosts = printed.rounds.map((r, i) => (r.cpuUsPerRequest / silent.rounds[i].cpuUsPerRequest - 1) * 100);
    const cost = median(pairCosts);
    const cpuCost = median(pairCpuCosts);
    log(`  access log cost: ${cost.toFixed(1)} % of --quiet's keep-alive throughput (goal: under 5 %); ${cpuCost.toFixed(1)} % more CPU per request (medians of the rounds' pairs; throughput pairs ${pairCosts.map((c) => c.toFixed(1)).join(', ')} %)`);
    return { ...out, costPercent: cost, cpuCostPercent: cpuCost };
  } finally {
    for (const up of ups.reverse()) await up.stop();
    for (const proc of ctx.backend?.procs ?? []) await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}


if (process.argv[1] === fileURLToPath(import.meta.url)) {
  pinToLoadCore();
  console.log(`== access log: devtls up vs devtls up --quiet, keep-alive (${CONNECTIONS} connections), interleaved rounds`);
  try {
    await measureAccessLog({ rounds: number('--rounds', 7), seconds: number('--seconds', 3), upCore: flag('--up-core') ? number('--up-core', 1) : undefined });
  } finally {
    await stopAll();
  }
}
